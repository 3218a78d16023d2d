namespace Traceability.Domain.Shared;

/// <summary>
/// A batch's short public code, printed under its QR code and typed by people: nine random symbols of Crockford's
/// base-32 alphabet (no I, L, O, U, so nothing reads as another symbol) and a check symbol (Luhn mod 32, which
/// catches every single wrong symbol and every swap of two neighbours except 0 with Z). Random, never a sequence: one code says
/// nothing about the next. 45 random bits keep collisions rare (about 1 in 70 over a million batches; a collision
/// is refused by the store and the registration retried) and guessing hopeless.
/// </summary>
public readonly record struct PublicCode
{
    public const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    public const int DataLength = 9;
    public const int Length = DataLength + 1;

    private PublicCode(string value) => Value = value;

    /// <summary>The canonical form: ten upper-case symbols, check symbol last.</summary>
    public string Value { get; }

    public override string ToString() => Value;

    /// <summary>A new code from <paramref name="random"/> bytes (at least <see cref="DataLength"/>; the caller draws them).</summary>
    public static PublicCode FromRandom(ReadOnlySpan<byte> random)
    {
        if (random.Length < DataLength) throw new ArgumentException($"Give at least {DataLength} random bytes.", nameof(random));
        Span<char> symbols = stackalloc char[Length];
        for (var i = 0; i < DataLength; i++) symbols[i] = Alphabet[random[i] & 31];
        symbols[DataLength] = Alphabet[CheckValue(symbols[..DataLength])];
        return new PublicCode(new string(symbols));
    }

    /// <summary>
    /// Reads what a person typed: case does not matter, hyphens and spaces are ignored, and the look-alikes Crockford
    /// allows are read as meant (O → 0, I and L → 1). False when the length or the check symbol is wrong.
    /// </summary>
    public static bool TryParse(string? text, out PublicCode code)
    {
        code = default;
        if (text is null || text.Length > 2 * Length) return false;
        Span<char> symbols = stackalloc char[Length];
        var count = 0;
        foreach (var c in text)
        {
            if (c is '-' or ' ') continue;
            var symbol = char.ToUpperInvariant(c) switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                var other => other,
            };
            if (Alphabet.IndexOf(symbol) < 0 || count == Length) return false;
            symbols[count++] = symbol;
        }

        if (count != Length || Alphabet[CheckValue(symbols[..DataLength])] != symbols[DataLength]) return false;
        code = new PublicCode(new string(symbols));
        return true;
    }

    /// <summary>Luhn mod 32 over the symbols' values: doubling every second symbol from the right.</summary>
    private static int CheckValue(ReadOnlySpan<char> data)
    {
        var sum = 0;
        var factor = 2;
        for (var i = data.Length - 1; i >= 0; i--)
        {
            var addend = factor * Alphabet.IndexOf(data[i]);
            sum += addend / 32 + addend % 32;
            factor = factor == 2 ? 1 : 2;
        }

        return (32 - sum % 32) % 32;
    }
}
