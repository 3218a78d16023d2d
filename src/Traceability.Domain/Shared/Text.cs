using System.Text;

namespace Traceability.Domain.Shared;

/// <summary>Checks for free text that people type: present when required, bounded, no control characters, NFC.</summary>
public static class Text
{
    public static void Require(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidFieldException(field, $"Trường '{field}' là bắt buộc.", $"'{field}' is required.");
        Optional(value, field, maxLength);
    }

    public static void Optional(string? value, string field, int maxLength)
    {
        if (value is null) return;
        if (value.Length > maxLength)
            throw new InvalidFieldException(field, $"Trường '{field}' dài quá {maxLength} ký tự.", $"'{field}' is longer than {maxLength} characters.");
        if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\t')) || value.Any(char.IsSurrogate) && !IsWellFormed(value))
            throw new InvalidFieldException(field, $"Trường '{field}' chứa ký tự điều khiển không hợp lệ.",
                $"'{field}' contains control characters or broken Unicode.");
        if (!value.IsNormalized(NormalizationForm.FormC))
            throw new InvalidFieldException(field, $"Trường '{field}' phải ở dạng Unicode NFC.",
                $"'{field}' must be Unicode NFC (precomposed Vietnamese letters).");
    }

    public static void Digits(string? value, string field, int length)
    {
        if (value is null || value.Length != length || !value.All(char.IsAsciiDigit))
            throw new InvalidFieldException(field, $"Trường '{field}' phải gồm {length} chữ số.", $"'{field}' must be {length} digits.");
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return false;
        }

        return true;
    }
}
