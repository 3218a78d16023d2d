using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using static Traceability.Domain.Tests.BatchSpec;
using static Traceability.Domain.Tests.CanGio;

namespace Traceability.Domain.Tests;

public class RecallAndCorrectionSpecs
{
    private static readonly Guid SaltingEventId = Guid.Parse("e0000000-0000-4000-8000-000000000001");
    private static readonly Guid OtherLotsEventId = Guid.Parse("e0000000-0000-4000-8000-000000000002");
    private static readonly IBatchEvent[] RecalledAtDistributor = [.. AtDistributor(), Recalled(Lot, Cooperative)];

    private static BatchNoteAdded Note(PartyRef by, string? text = "Đã thu hồi 100 gói về kho HTX") => new(Lot, Step(At(14, 12), by, text));

    private static BatchCorrected Correction(Guid eventId, PartyRef? by = null, string field = "saltPercent", string value = "4.0") =>
        new(Lot, Step(At(14, 12), by), eventId, field, value, "Ghi nhầm tỷ lệ muối trên phiếu");

    // --- Who recalls ---
    [Fact]
    public void The_producer_recalls_a_lot_the_distributor_holds() =>
        Given(AtDistributor()).When(Recalled(Lot, Cooperative)).Then(Recalled(Lot, Cooperative));

    [Fact]
    public void The_custodian_recalls_the_lot_it_holds() =>
        Given(AtDistributor()).When(Recalled(Lot, Distributor)).Then(Recalled(Lot, Distributor));

    [Fact]
    public void The_producer_recalls_a_lot_on_the_road() =>
        Given(OnTheRoad()).When(Recalled(Lot, Cooperative, At(12, 11))).Then(Recalled(Lot, Cooperative, At(12, 11)));

    [Fact]
    public void A_party_that_neither_made_nor_holds_the_lot_cannot_recall_it() =>
        Given(AtDistributor()).When(Recalled(Lot, Retailer)).ThenFails("batch.not_custodian");

    [Fact]
    public void A_recall_needs_a_reason() =>
        Given(AtDistributor()).When(Recalled(Lot, Cooperative, reason: " ")).ThenInvalid("reason");

    [Fact]
    public void A_recall_has_a_known_severity() =>
        Given(AtDistributor()).When(Recalled(Lot, Cooperative) with { Severity = (RecallSeverity)9 }).ThenInvalid("severity");

    // --- A recalled lot takes only notes and corrections ---
    [Fact]
    public void A_recalled_lot_is_not_recalled_twice() =>
        Given(RecalledAtDistributor).When(Recalled(Lot, Distributor, At(14, 11))).ThenFails("batch.already_recalled");

    [Fact]
    public void A_recalled_lot_records_no_more_steps() =>
        Given(RecalledAtDistributor).When(Stored(Lot, At(14, 11), by: Distributor)).ThenFails("batch.recalled");

    [Fact]
    public void A_recalled_lot_is_not_shipped_on() =>
        Given(RecalledAtDistributor).When(Shipped(Lot, Retailer, Kg(50m), At(14, 11), Distributor, OnwardShipment)).ThenFails("batch.recalled");

    [Fact]
    public void The_custodian_notes_what_happened_to_a_recalled_lot() =>
        Given(RecalledAtDistributor).When(Note(Distributor)).Then(Note(Distributor));

    [Fact]
    public void The_producer_notes_what_happened_to_a_recalled_lot() =>
        Given(RecalledAtDistributor).When(Note(Cooperative)).Then(Note(Cooperative));

    [Fact]
    public void A_note_needs_text() =>
        Given(RecalledAtDistributor).When(Note(Distributor, text: null)).ThenInvalid("note");

    [Fact]
    public void Others_add_no_notes() =>
        Given(RecalledAtDistributor).When(Note(Retailer)).ThenFails("batch.not_custodian");

    [Fact]
    public void A_lot_recalled_on_the_road_is_still_received_and_stays_recalled()
    {
        IBatchEvent[] history = [.. OnTheRoad(), Recalled(Lot, Cooperative, At(12, 11))];
        Given(history).When(ReceiptConfirmed(Lot, Distributor, Kg(50m))).Then(ReceiptConfirmed(Lot, Distributor, Kg(50m)));
        var after = Given(history).And(ReceiptConfirmed(Lot, Distributor, Kg(50m)))[Lot];
        Assert.Equal(BatchStatus.Recalled, after.Status);
        Assert.Equal(Distributor, after.Custodian);
    }

    // --- Propagation to downstream lots ---
    [Fact]
    public void A_recall_reaches_a_lot_made_from_the_recalled_one() =>
        Given(KhoCaDuaRegistered(ChildA, 20m))
            .WhenRecallReaches(ChildA, Lot, Step(At(14, 10)), "Lô nguồn CD-2503-01 bị thu hồi", RecallSeverity.High)
            .Then(new BatchRecalled(ChildA, Step(At(14, 10)), "Lô nguồn CD-2503-01 bị thu hồi", RecallSeverity.High, Lot));

    [Fact]
    public void A_recall_reaching_an_already_recalled_lot_records_nothing() =>
        Given(KhoCaDuaRegistered(ChildA, 20m), Recalled(ChildA, Cooperative, At(14, 9)))
            .WhenRecallReaches(ChildA, Lot, Step(At(14, 10)), "Lô nguồn CD-2503-01 bị thu hồi", RecallSeverity.High).ThenNothing();

    [Fact]
    public void A_recall_reaching_an_unknown_lot_records_nothing() =>
        Given().WhenRecallReaches(ChildA, Lot, Step(At(14, 10)), "Lô nguồn CD-2503-01 bị thu hồi", RecallSeverity.High).ThenNothing();

    // --- Corrections reference an event of this lot ---
    [Fact]
    public void A_correction_references_a_recorded_event_of_the_lot() =>
        Given(KhoCaDuaRegistered(), Washed(Lot)).AndRecorded(SaltingEventId, Salted(Lot))
            .When(Correction(SaltingEventId)).Then(Correction(SaltingEventId));

    [Fact]
    public void A_correction_of_an_unknown_event_is_rejected() =>
        Given(KhoCaDuaRegistered(), Washed(Lot)).AndRecorded(SaltingEventId, Salted(Lot))
            .When(Correction(Guid.Parse("e0000000-0000-4000-8000-0000000000ff"))).ThenFails("batch.correction_target_unknown");

    [Fact]
    public void A_correction_cannot_reference_another_lots_event() =>
        Given(KhoCaDuaRegistered(), TomKhoRegistered()).AndRecorded(OtherLotsEventId, Salted(ShrimpLot))
            .When(Correction(OtherLotsEventId)).ThenFails("batch.correction_target_unknown");

    [Fact]
    public void A_recalled_lot_is_still_corrected_by_its_producer() =>
        Given(KhoCaDuaRegistered(), Washed(Lot)).AndRecorded(SaltingEventId, Salted(Lot)).And([.. AtDistributor()[3..], Recalled(Lot, Distributor)])
            .When(Correction(SaltingEventId, Cooperative)).Then(Correction(SaltingEventId, Cooperative));

    [Fact]
    public void Others_make_no_corrections() =>
        Given(KhoCaDuaRegistered()).AndRecorded(SaltingEventId, Salted(Lot))
            .When(Correction(SaltingEventId, Neighbour)).ThenFails("batch.not_custodian");

    [Theory]
    [InlineData("field")]
    [InlineData("correctValue")]
    public void A_correction_says_what_is_right(string field) =>
        Given(KhoCaDuaRegistered()).AndRecorded(SaltingEventId, Salted(Lot))
            .When(field == "field" ? Correction(SaltingEventId, field: "") : Correction(SaltingEventId, value: " ")).ThenInvalid(field);
}
