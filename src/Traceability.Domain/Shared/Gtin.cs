namespace Traceability.Domain.Shared;

/// <summary>A GS1 Global Trade Item Number, held as 14 digits (GTIN-8/12/13 are left-padded with zeros).</summary>
public readonly record struct Gtin
{
    private Gtin(string value) => Value = value;

    public string Value { get; }

    /// <summary>Whether the GTIN carries GS1 Vietnam's company prefix 893 (after the padding and indicator digit).</summary>
    public bool IsVietnamese => Value.AsSpan(1).StartsWith("893");

    public static bool TryParse(string? text, out Gtin gtin)
    {
        gtin = default;
        if (text is null || text.Length is not (8 or 12 or 13 or 14) || !text.All(char.IsAsciiDigit)) return false;
        var padded = text.PadLeft(14, '0');
        if (CheckDigit(padded.AsSpan(0, 13)) != padded[13] - '0') return false;
        gtin = new Gtin(padded);
        return true;
    }

    public static Gtin Parse(string? text, string field) =>
        TryParse(text, out var gtin)
            ? gtin
            : throw new InvalidFieldException(field, "Mã GTIN không hợp lệ (8, 12, 13 hoặc 14 chữ số, số kiểm tra đúng).",
                "Not a valid GTIN: 8, 12, 13 or 14 digits with a correct GS1 check digit.");

    /// <summary>GS1 check digit: weights 3, 1, 3, … from the rightmost data digit; (10 − sum mod 10) mod 10.</summary>
    public static int CheckDigit(ReadOnlySpan<char> data)
    {
        var sum = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var digit = data[data.Length - 1 - i] - '0';
            sum += digit * (i % 2 == 0 ? 3 : 1);
        }

        return (10 - sum % 10) % 10;
    }

    public override string ToString() => Value;
}
