using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using static Traceability.Domain.Tests.BatchSpec;
using static Traceability.Domain.Tests.CanGio;

namespace Traceability.Domain.Tests;

/// <summary>Merging and splitting: every batch involved is checked, and the events for all of them come back together.</summary>
public class TransformationSpecs
{
    private static readonly IBatchEvent[] TwoLots = [KhoCaDuaRegistered(Lot, 30m), KhoCaDuaRegistered(SecondLot, 20m)];
    private static readonly BatchInput[] BothWhole = [new(Lot, Kg(30m)), new(SecondLot, Kg(20m))];
    private static readonly SplitChild[] TwoChildren = [new(ChildA, "CD-2503-01A", Kg(20m)), new(ChildB, "CD-2503-01B", Kg(30m))];

    // --- Merge ---
    [Fact]
    public void After_a_merge_the_inputs_hold_less_and_the_merger_holds_the_new_lot()
    {
        var merge = Merge(Kg(45m), 1m, new BatchInput(Lot, Kg(25m)), new BatchInput(SecondLot, Kg(20m)));
        var recorded = Given(TwoLots).When(merge).Accepted();
        var after = Given([.. TwoLots, .. recorded.SelectMany(s => ((StreamEvents)s).Events)]);
        Assert.Equal(Kg(5m), after[Lot].OnHand);
        Assert.Equal(Kg(0m), after[SecondLot].OnHand);
        Assert.Equal(new[] { MergedLot }, after[Lot].Outputs);
        Assert.Equal(Cooperative, after[MergedLot].Custodian);
        Assert.Equal(Kg(45m), after[MergedLot].OnHand);
    }

    [Fact]
    public void Only_the_custodian_of_every_input_may_merge_it() =>
        Given(AtDistributor()).And(KhoCaDuaRegistered(SecondLot, 20m))
            .When(Merge(Kg(70m), 1m, new BatchInput(Lot, Kg(50m)), new BatchInput(SecondLot, Kg(20m))) with { Step = Step(At(13, 8)), Now = At(13, 8, 5) })
            .ThenFails("batch.not_custodian");

    [Fact]
    public void A_recalled_lot_is_no_input() =>
        Given(TwoLots).And(Recalled(Lot, Cooperative, At(11, 10))).When(Merge(Kg(50m), 1m, BothWhole)).ThenFails("batch.recalled");

    [Fact]
    public void A_lot_on_the_road_is_no_input() =>
        Given(TwoLots).And(Shipped(Lot, Distributor, Kg(30m), At(11, 9))).When(Merge(Kg(50m), 1m, BothWhole)).ThenFails("batch.in_transit");

    [Fact]
    public void An_unknown_input_is_rejected() =>
        Given(KhoCaDuaRegistered(Lot, 30m)).When(Merge(Kg(50m), 1m, BothWhole)).ThenFails("batch.input_not_found");

    [Fact]
    public void A_merge_needs_inputs() =>
        Given(TwoLots).When(Merge(Kg(1m), 1m)).ThenInvalid("inputs");

    [Fact]
    public void An_input_is_listed_once() =>
        Given(TwoLots).When(Merge(Kg(20m), 1m, new BatchInput(Lot, Kg(10m)), new BatchInput(Lot, Kg(10m)))).ThenInvalid("inputs");

    [Fact]
    public void The_new_lot_is_not_its_own_input() =>
        Given(TwoLots).When(Merge(Kg(20m), 1m, new BatchInput(MergedLot, Kg(10m)), new BatchInput(Lot, Kg(10m)))).ThenInvalid("inputs");

    [Fact]
    public void A_merge_cannot_reuse_an_existing_lot() =>
        Given(TwoLots).And(KhoCaDuaRegistered(MergedLot, 5m)).When(Merge(Kg(50m), 1m, BothWhole)).ThenFails("batch.already_registered");

    [Fact]
    public void A_merge_output_counted_in_pieces_does_not_weigh_against_kilograms() =>
        Given(TwoLots).When(Merge(new Quantity(100m, QuantityUnit.Piece), 1m, BothWhole)).ThenInvalid("output");

    [Fact]
    public void A_merge_output_of_nothing_is_rejected() =>
        Given(TwoLots).When(Merge(Kg(0m), 1m, BothWhole)).ThenInvalid("output");

    [Fact]
    public void A_merge_dated_before_an_inputs_last_step_is_rejected() =>
        Given(TwoLots).And(Washed(Lot, At(12, 9))).When(Merge(Kg(50m), 1m, BothWhole)).ThenFails("batch.step_out_of_order");

    // --- Split ---
    [Fact]
    public void A_split_uses_up_the_parent_and_the_children_stay_with_the_custodian()
    {
        var after = Given([.. PackedAtCooperative(), .. SplitRecorded(Split(Lot, TwoChildren), PackedAtCooperative()).SelectMany(s => s.Events)]);
        Assert.Equal(Kg(0m), after[Lot].OnHand);
        Assert.Equal(new[] { ChildA, ChildB }, after[Lot].Outputs);
        Assert.Equal(Cooperative, after[ChildA].Custodian);
        Assert.Equal(Kg(30m), after[ChildB].OnHand);
    }

    [Fact]
    public void Split_first_then_ship_one_child_whole() =>
        Given([.. PackedAtCooperative(), .. SplitRecorded(Split(Lot, TwoChildren), PackedAtCooperative()).SelectMany(s => s.Events)])
            .When(Shipped(ChildA, Distributor, Kg(20m), At(12, 11))).Then(Shipped(ChildA, Distributor, Kg(20m), At(12, 11)));

    [Fact]
    public void A_split_child_of_a_packed_lot_is_not_washed_again() =>
        Given([.. PackedAtCooperative(), .. Given(PackedAtCooperative()).When(Split(Lot, TwoChildren)).Accepted().SelectMany(s => ((StreamEvents)s).Events)])
            .When(Washed(ChildA, At(12, 11))).ThenFails("batch.stage_order");

    [Fact]
    public void Only_the_custodian_splits() =>
        Given(PackedAtCooperative()).When(Split(Lot, TwoChildren) with { Step = Step(At(12, 10), Distributor) }).ThenFails("batch.not_custodian");

    [Fact]
    public void A_recalled_lot_is_not_split() =>
        Given(PackedAtCooperative()).And(Recalled(Lot, Cooperative, At(12, 9))).When(Split(Lot, TwoChildren)).ThenFails("batch.recalled");

    [Fact]
    public void A_lot_on_the_road_is_not_split() =>
        Given(OnTheRoad()).When(Split(Lot, TwoChildren)).ThenFails("batch.in_transit");

    [Fact]
    public void An_unknown_lot_is_not_split() =>
        Given().When(Split(Lot, TwoChildren)).ThenFails("batch.not_found");

    [Fact]
    public void A_split_makes_at_least_two_children() =>
        Given(PackedAtCooperative()).When(Split(Lot, TwoChildren[0])).ThenInvalid("children");

    [Fact]
    public void Each_child_has_its_own_id() =>
        Given(PackedAtCooperative()).When(Split(Lot, TwoChildren[0], TwoChildren[1] with { BatchId = ChildA })).ThenInvalid("children");

    [Fact]
    public void Each_child_has_its_own_lot_number() =>
        Given(PackedAtCooperative()).When(Split(Lot, TwoChildren[0], TwoChildren[1] with { LotNumber = "CD-2503-01A" })).ThenInvalid("children.lotNumber");

    [Fact]
    public void A_child_needs_a_lot_number() =>
        Given(PackedAtCooperative()).When(Split(Lot, TwoChildren[0], TwoChildren[1] with { LotNumber = " " })).ThenInvalid("children.lotNumber");

    [Fact]
    public void A_child_cannot_be_an_existing_lot() =>
        Given(PackedAtCooperative()).And(KhoCaDuaRegistered(ChildB, 5m)).When(Split(Lot, TwoChildren)).ThenFails("batch.already_registered");
}
