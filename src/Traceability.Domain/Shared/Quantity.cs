namespace Traceability.Domain.Shared;

public enum QuantityUnit
{
    Kg,
    G,
    T,
    Piece,
    Pack,
}

/// <summary>An amount with its unit. Mass units convert to each other; pieces and packs only compare with themselves.</summary>
public readonly record struct Quantity(decimal Amount, QuantityUnit Unit)
{
    /// <summary>Upper bound on any single quantity: 1,000,000 t. Larger numbers are typing errors, not harvests.</summary>
    public const decimal MaxKg = 1_000_000_000m;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsMass => Unit is QuantityUnit.Kg or QuantityUnit.G or QuantityUnit.T;

    [System.Text.Json.Serialization.JsonIgnore]
    public decimal InKg => Unit switch
    {
        QuantityUnit.Kg => Amount,
        QuantityUnit.G => Amount / 1000m,
        QuantityUnit.T => Amount * 1000m,
        _ => throw new InvalidOperationException($"{Unit} is not a unit of mass."),
    };

    /// <summary>This quantity expressed in <paramref name="unit"/>; null when the units do not convert.</summary>
    public decimal? In(QuantityUnit unit)
    {
        if (unit == Unit) return Amount;
        if (!IsMass || unit is not (QuantityUnit.Kg or QuantityUnit.G or QuantityUnit.T)) return null;
        return unit switch
        {
            QuantityUnit.Kg => InKg,
            QuantityUnit.G => InKg * 1000m,
            _ => InKg / 1000m,
        };
    }

    public static Quantity Create(decimal amount, QuantityUnit unit, string field, bool allowZero = false)
    {
        if (!Enum.IsDefined(unit))
            throw new InvalidFieldException(field, "Đơn vị không hợp lệ (kg, g, t, piece, pack).", "Unknown unit: use kg, g, t, piece or pack.");
        if (amount < 0 || (!allowZero && amount == 0))
            throw new InvalidFieldException(field, "Khối lượng phải lớn hơn 0.", "The quantity must be greater than zero.");
        var quantity = new Quantity(amount, unit);
        // Bound the raw amount first: converting an absurd tonnage to kg would overflow decimal.
        if (amount > MaxKg || (quantity.IsMass ? quantity.InKg : amount) > MaxKg || decimal.Round(amount, 6) != amount)
            throw new InvalidFieldException(field, "Khối lượng quá lớn hoặc quá nhiều chữ số thập phân.",
                "The quantity is too large or has more than 6 decimal places.");
        return quantity;
    }

    public override string ToString() => $"{Amount} {Unit.ToString().ToLowerInvariant()}";
}
