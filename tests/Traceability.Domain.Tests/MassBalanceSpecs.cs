using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using static Traceability.Domain.Tests.BatchSpec;
using static Traceability.Domain.Tests.CanGio;

namespace Traceability.Domain.Tests;

/// <summary>Nothing appears from nowhere: drying keeps at most the yield, packs and children never exceed what is on hand.</summary>
public class MassBalanceSpecs
{
    private static readonly IBatchEvent[] Salted100Kg = [KhoCaDuaRegistered(), Washed(Lot), Salted(Lot)];

    // --- Drying: output ≤ on hand × yield (fish.one_sun 0.5, shrimp.dried 0.25, the declared yield overrides) ---
    [Theory]
    [InlineData("50", QuantityUnit.Kg)]
    [InlineData("42.75", QuantityUnit.Kg)]
    [InlineData("50000", QuantityUnit.G)]
    [InlineData("0.05", QuantityUnit.T)]
    public void One_sun_fish_keeps_up_to_half_its_weight(string amount, QuantityUnit unit) =>
        Given(Salted100Kg).When(Dried(Lot, Q(amount, unit))).Then(Dried(Lot, Q(amount, unit)));

    [Theory]
    [InlineData("50.5", QuantityUnit.Kg)]
    [InlineData("50001", QuantityUnit.G)]
    [InlineData("0.051", QuantityUnit.T)]
    public void One_sun_fish_never_keeps_more_than_half(string amount, QuantityUnit unit) =>
        Given(Salted100Kg).When(Dried(Lot, Q(amount, unit))).ThenFails("batch.mass_balance");

    [Fact]
    public void Dried_shrimp_keeps_up_to_a_quarter() =>
        Given(TomKhoRegistered(kg: 40m)).When(Dried(ShrimpLot, Kg(10m))).Then(Dried(ShrimpLot, Kg(10m)));

    [Fact]
    public void Dried_shrimp_never_keeps_more_than_a_quarter() =>
        Given(TomKhoRegistered(kg: 40m)).When(Dried(ShrimpLot, Kg(10.5m))).ThenFails("batch.mass_balance");

    [Fact]
    public void A_declared_yield_below_the_default_is_the_limit() =>
        Given(KhoCaDuaRegistered(declaredYield: 0.4m)).When(Dried(Lot, Kg(41m))).ThenFails("batch.mass_balance");

    [Fact]
    public void A_declared_yield_above_the_default_is_allowed() =>
        Given(KhoCaDuaRegistered(declaredYield: 0.6m)).When(Dried(Lot, Kg(60m))).Then(Dried(Lot, Kg(60m)));

    [Fact]
    public void Drying_without_weighing_keeps_the_quantity_on_hand()
    {
        Given(Salted100Kg).When(Dried(Lot, null)).Then(Dried(Lot, null));
        Assert.Equal(Kg(100m), Given([.. Salted100Kg, Dried(Lot, null)])[Lot].OnHand);
    }

    [Fact]
    public void The_dried_weight_becomes_the_quantity_on_hand() =>
        Assert.Equal(Kg(50m), Given([.. Salted100Kg, Dried(Lot, Kg(50m))])[Lot].OnHand);

    [Fact]
    public void A_drying_output_counted_in_pieces_does_not_weigh_against_kilograms() =>
        Given(Salted100Kg).When(Dried(Lot, new Quantity(200m, QuantityUnit.Piece))).ThenInvalid("output");

    [Fact]
    public void A_drying_output_with_too_many_decimals_is_rejected() =>
        Given(Salted100Kg).When(Dried(Lot, Kg(49.0000001m))).ThenInvalid("output");

    // --- Packing: packs × pack size ≤ on hand ---
    private static readonly IBatchEvent[] Dried50Kg = [.. Salted100Kg, Dried(Lot, Kg(50m)), Inspected(Lot)];

    [Fact]
    public void Two_hundred_packs_of_250_g_fill_50_kg() =>
        Given(Dried50Kg).When(Packed(Lot, 200, G(250m))).Then(Packed(Lot, 200, G(250m)));

    [Fact]
    public void Packing_more_than_is_on_hand_is_rejected() =>
        Given(Dried50Kg).When(Packed(Lot, 101, Kg(0.5m))).ThenFails("batch.mass_balance");

    [Fact]
    public void A_pack_size_in_pieces_is_rejected_for_a_lot_weighed_in_kg() =>
        Given(Dried50Kg).When(Packed(Lot, 100, new Quantity(1m, QuantityUnit.Piece))).ThenInvalid("packSize");

    [Fact]
    public void At_least_one_pack() =>
        Given(Dried50Kg).When(Packed(Lot, 0)).ThenInvalid("packCount");

    [Fact]
    public void Packs_cannot_expire_before_they_are_packed() =>
        Given(Dried50Kg).When(Packed(Lot) with { BestBefore = Day(11) }).ThenInvalid("bestBefore");

    // --- Merging: output ≤ Σ inputs × yield, across kg, g and t ---
    private static readonly IBatchEvent[] TwoLots = [KhoCaDuaRegistered(Lot, 30m), KhoCaDuaRegistered(SecondLot, 20m)];

    [Fact]
    public void Merging_30_kg_and_20000_g_gives_at_most_0_05_t()
    {
        var merge = Merge(T(0.05m), 1m, new BatchInput(Lot, Kg(30m)), new BatchInput(SecondLot, G(20_000m)));
        Given(TwoLots).When(merge).Then(
            new StreamEvents(Lot, [new BatchConsumed(Lot, merge.Step, MergedLot, Kg(30m))]),
            new StreamEvents(SecondLot, [new BatchConsumed(SecondLot, merge.Step, MergedLot, G(20_000m))]),
            new StreamEvents(MergedLot, [MergedRegistered(merge)]));
    }

    [Fact]
    public void Merging_cannot_create_weight() =>
        Given(TwoLots).When(Merge(Kg(50.001m), 1m, new BatchInput(Lot, Kg(30m)), new BatchInput(SecondLot, G(20_000m))))
            .ThenFails("batch.mass_balance");

    [Fact]
    public void Merging_raw_shrimp_into_dried_shrimp_keeps_at_most_a_quarter()
    {
        var merge = Merge(Kg(15m), null, new BatchInput(ShrimpLot, Kg(40m)), new BatchInput(SecondLot, Kg(20m))) with { Product = TomKho };
        Given(TomKhoRegistered(ShrimpLot, 40m), TomKhoRegistered(SecondLot, 20m)).When(merge).Then(
            new StreamEvents(ShrimpLot, [new BatchConsumed(ShrimpLot, merge.Step, MergedLot, Kg(40m))]),
            new StreamEvents(SecondLot, [new BatchConsumed(SecondLot, merge.Step, MergedLot, Kg(20m))]),
            new StreamEvents(MergedLot, [MergedRegistered(merge)]));
    }

    [Fact]
    public void Merging_raw_shrimp_into_dried_shrimp_never_keeps_more_than_a_quarter() =>
        Given(TomKhoRegistered(ShrimpLot, 40m), TomKhoRegistered(SecondLot, 20m))
            .When(Merge(Kg(15.1m), null, new BatchInput(ShrimpLot, Kg(40m)), new BatchInput(SecondLot, Kg(20m))) with { Product = TomKho })
            .ThenFails("batch.mass_balance");

    [Fact]
    public void An_input_cannot_give_more_than_it_holds() =>
        Given(TwoLots).When(Merge(Kg(30m), 1m, new BatchInput(Lot, Kg(30m)), new BatchInput(SecondLot, G(20_001m))))
            .ThenFails("batch.insufficient_quantity");

    // --- Splitting: the children never weigh more than the parent holds ---
    private static readonly IBatchEvent[] Packed50Kg = PackedAtCooperative();

    [Fact]
    public void Children_of_20_kg_and_30000_g_fit_in_50_kg()
    {
        var split = Split(Lot, new SplitChild(ChildA, "CD-2503-01A", Kg(20m)), new SplitChild(ChildB, "CD-2503-01B", G(30_000m)));
        Given(Packed50Kg).When(split).Then(SplitRecorded(split, Packed50Kg));
    }

    [Fact]
    public void Children_heavier_than_the_parent_are_rejected() =>
        Given(Packed50Kg).When(Split(Lot, new SplitChild(ChildA, "CD-2503-01A", Kg(20m)), new SplitChild(ChildB, "CD-2503-01B", Kg(31m))))
            .ThenFails("batch.insufficient_quantity");

    [Fact]
    public void A_split_child_of_raw_fish_still_loses_half_its_weight_when_dried()
    {
        // 100 kg of salted raw fish split 60/40 before drying; the 60 kg child cannot dry to 60 kg of khô cá dứa.
        var split = Split(Lot, new SplitChild(ChildA, "CD-2503-01A", Kg(60m)), new SplitChild(ChildB, "CD-2503-01B", Kg(40m)));
        var recorded = Given(Salted100Kg).When(split).Accepted();
        Given([.. recorded.SelectMany(s => ((StreamEvents)s).Events)])
            .When(Dried(ChildA, Kg(60m), startedAt: At(12, 11), endedAt: At(13, 16)))
            .ThenFails("batch.mass_balance");
    }

    private static Quantity Q(string amount, QuantityUnit unit) => new(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), unit);
}
