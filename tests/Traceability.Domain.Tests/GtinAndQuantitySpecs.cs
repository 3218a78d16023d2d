using Traceability.Domain.Shared;
using static Traceability.Domain.Tests.CanGio;

namespace Traceability.Domain.Tests;

public class GtinAndQuantitySpecs
{
    // --- GS1 check digits (weights 3, 1, 3, … from the right) ---
    [Theory]
    [InlineData("893456789012", 0)] // 8+27+3+12+5+18+7+24+9+0+1+6 = 120 → 0: so 8934567890120, not …8
    [InlineData("893860000001", 9)]
    [InlineData("400638133393", 1)] // GS1's textbook GTIN-13 4006381333931
    [InlineData("03600029145", 2)] // UPC-A 036000291452
    [InlineData("9638507", 4)] // GTIN-8 96385074
    [InlineData("1893456789012", 7)] // GTIN-14, packaging indicator 1
    public void The_check_digit_is_computed_the_GS1_way(string data, int digit) =>
        Assert.Equal(digit, Gtin.CheckDigit(data));

    [Theory]
    [InlineData("8934567890120", "08934567890120")]
    [InlineData("08934567890120", "08934567890120")]
    [InlineData("18934567890127", "18934567890127")]
    [InlineData("036000291452", "00036000291452")]
    [InlineData("96385074", "00000096385074")]
    public void A_valid_GTIN_is_held_as_14_digits(string text, string value)
    {
        Assert.True(Gtin.TryParse(text, out var gtin));
        Assert.Equal(value, gtin.Value);
        Assert.Equal(value, gtin.ToString());
    }

    [Fact]
    public void A_GTIN_13_and_its_padded_GTIN_14_are_the_same_number() =>
        Assert.Equal(Gtin.Parse("8934567890120", "gtin"), Gtin.Parse("08934567890120", "gtin"));

    [Theory]
    [InlineData("8934567890128")] // wrong check digit
    [InlineData("8934567890121")]
    [InlineData("893456789012")] // 12 digits, but 893456789012 ends in a wrong check digit for a UPC
    [InlineData("89345678901")] // 11 digits
    [InlineData("893456789012012")] // 15 digits
    [InlineData("893456789012O")] // a letter O, not a zero
    [InlineData(" 8934567890120")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_not_a_GTIN(string? text)
    {
        Assert.False(Gtin.TryParse(text, out _));
        Field.Rejects("product.gtin", () => Gtin.Parse(text, "product.gtin"));
    }

    [Theory]
    [InlineData("8934567890120", true)]
    [InlineData("18934567890127", true)]
    [InlineData("4006381333931", false)]
    [InlineData("036000291452", false)]
    public void A_GTIN_under_GS1_Vietnams_prefix_893_is_Vietnamese(string text, bool vietnamese) =>
        Assert.Equal(vietnamese, Gtin.Parse(text, "gtin").IsVietnamese);

    [Fact]
    public void The_fixture_products_carry_valid_Vietnamese_GTINs()
    {
        Assert.Equal("08938600000019", KhoCaDuaGtin.Value);
        Assert.Equal("08938600000026", TomKhoGtin.Value);
        Assert.True(KhoCaDuaGtin.IsVietnamese && TomKhoGtin.IsVietnamese);
    }

    // --- Quantities ---
    [Theory]
    [InlineData("12.5", QuantityUnit.Kg)]
    [InlineData("0.000001", QuantityUnit.Kg)] // six decimals: a milligram
    [InlineData("250", QuantityUnit.G)]
    [InlineData("1000000", QuantityUnit.T)] // the upper bound itself
    [InlineData("200", QuantityUnit.Pack)]
    public void A_well_formed_quantity_is_created(string amount, QuantityUnit unit) =>
        Assert.Equal(new Quantity(D(amount), unit), Quantity.Create(D(amount), unit, "quantity"));

    [Fact]
    public void Zero_is_a_quantity_only_where_allowed()
    {
        Assert.Equal(Kg(0m), Quantity.Create(0m, QuantityUnit.Kg, "quantity", allowZero: true));
        Field.Rejects("quantity", () => Quantity.Create(0m, QuantityUnit.Kg, "quantity"));
    }

    [Theory]
    [InlineData("-1", QuantityUnit.Kg)]
    [InlineData("-0.000001", QuantityUnit.G)]
    [InlineData("0", QuantityUnit.Kg)]
    [InlineData("1.0000001", QuantityUnit.Kg)] // seven decimals
    [InlineData("1000000.000001", QuantityUnit.T)] // just over 1,000,000 t
    [InlineData("1000000001", QuantityUnit.Kg)]
    [InlineData("1000000001", QuantityUnit.Piece)]
    public void A_malformed_quantity_is_an_invalid_field(string amount, QuantityUnit unit) =>
        Field.Rejects("quantity", () => Quantity.Create(D(amount), unit, "quantity"));

    [Fact]
    public void An_unknown_unit_is_an_invalid_field() =>
        Field.Rejects("quantity", () => Quantity.Create(1m, (QuantityUnit)42, "quantity"));

    [Fact]
    public void An_absurd_tonnage_is_an_invalid_field_not_a_crash() =>
        Field.Rejects("quantity", () => Quantity.Create(decimal.MaxValue, QuantityUnit.T, "quantity"));

    [Fact]
    public void Units_of_mass_convert_and_counts_do_not()
    {
        Assert.Equal(1500m, Kg(1.5m).In(QuantityUnit.G));
        Assert.Equal(0.05m, Kg(50m).In(QuantityUnit.T));
        Assert.Equal(50m, T(0.05m).In(QuantityUnit.Kg));
        Assert.Equal(0.25m, G(250m).InKg);
        Assert.Null(Kg(1m).In(QuantityUnit.Piece));
        Assert.Null(new Quantity(3m, QuantityUnit.Pack).In(QuantityUnit.Kg));
        Assert.Equal(3m, new Quantity(3m, QuantityUnit.Pack).In(QuantityUnit.Pack));
    }

    private static decimal D(string text) => decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
