using System.Security.Cryptography;
using Traceability.Domain.Shared;

namespace Traceability.Domain.Tests;

/// <summary>The short trace code under every QR code: typed by people, so it must forgive case and look-alikes and catch slips.</summary>
public sealed class PublicCodeSpecs
{
    [Fact]
    public void A_code_is_ten_symbols_of_the_unambiguous_alphabet_and_reads_back_as_itself()
    {
        for (var i = 0; i < 1000; i++)
        {
            var code = PublicCode.FromRandom(RandomNumberGenerator.GetBytes(PublicCode.DataLength));
            Assert.Equal(PublicCode.Length, code.Value.Length);
            Assert.All(code.Value, c => Assert.Contains(c, PublicCode.Alphabet));
            Assert.DoesNotContain(code.Value, c => c is 'I' or 'L' or 'O' or 'U');
            Assert.True(PublicCode.TryParse(code.Value, out var parsed));
            Assert.Equal(code, parsed);
        }
    }

    [Fact]
    public void What_a_person_types_is_forgiven_case_hyphens_spaces_and_look_alikes()
    {
        var code = PublicCode.FromRandom([0, 1, 2, 3, 4, 5, 6, 7, 8]); // "012345678" + check
        var typed = code.Value.ToLowerInvariant().Replace('0', 'o').Replace('1', 'l');
        Assert.True(PublicCode.TryParse($"{typed[..5]}-{typed[5..]}", out var parsed));
        Assert.Equal(code, parsed);
        Assert.True(PublicCode.TryParse($" {code.Value[..3]} {code.Value[3..]} ", out parsed));
        Assert.Equal(code, parsed);
    }

    [Fact]
    public void Every_single_wrong_symbol_and_every_swap_of_neighbours_but_0_Z_is_caught()
    {
        var code = PublicCode.FromRandom(RandomNumberGenerator.GetBytes(PublicCode.DataLength)).Value;
        for (var position = 0; position < code.Length; position++)
        foreach (var wrong in PublicCode.Alphabet.Where(c => c != code[position]))
        {
            var typo = code[..position] + wrong + code[(position + 1)..];
            Assert.False(PublicCode.TryParse(typo, out _), $"{typo} (one symbol off {code}) must not pass");
        }

        for (var position = 0; position + 1 < code.Length; position++)
        {
            // Luhn mod N misses one swap: the symbols worth 0 and N-1 (here '0' and 'Z'), as mod 10 misses 09/90.
            if (code[position] == code[position + 1] || (code[position], code[position + 1]) is ('0', 'Z') or ('Z', '0')) continue;
            var swapped = code[..position] + code[position + 1] + code[position] + code[(position + 2)..];
            Assert.False(PublicCode.TryParse(swapped, out _), $"{swapped} (neighbours swapped in {code}) must not pass");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ABC")]
    [InlineData("0123456789AB")]
    [InlineData("01234567U9")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("01234-56789-0123456789-01234567")]
    public void Anything_else_is_not_a_code(string? text) => Assert.False(PublicCode.TryParse(text, out _));

    [Fact]
    public void Codes_drawn_one_after_another_share_no_sequence()
    {
        var codes = Enumerable.Range(0, 20_000).Select(_ => PublicCode.FromRandom(RandomNumberGenerator.GetBytes(PublicCode.DataLength)).Value).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        // Consecutive codes differ in most positions: nothing like a counter.
        var meanDifferent = codes.Zip(codes.Skip(1), (a, b) => a.Zip(b).Count(p => p.First != p.Second)).Average();
        Assert.InRange(meanDifferent, 8.0, 10.0);
    }
}
