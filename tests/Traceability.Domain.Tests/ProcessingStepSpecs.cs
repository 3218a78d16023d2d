using Traceability.Domain.Batches;
using static Traceability.Domain.Tests.BatchSpec;
using static Traceability.Domain.Tests.CanGio;

namespace Traceability.Domain.Tests;

public class ProcessingStepSpecs
{
    // --- The order of the work: received → washed → salted → dried → packed, never back ---
    [Fact]
    public void Raw_fish_is_received_at_the_cooperative() =>
        Given(KhoCaDuaRegistered()).When(Received(Lot)).Then(Received(Lot));

    [Fact]
    public void Receiving_after_washing_is_rejected() =>
        Given(KhoCaDuaRegistered(), Washed(Lot)).When(Received(Lot, at: At(10, 10, 30))).ThenFails("batch.stage_order");

    [Fact]
    public void Washing_follows_registration() =>
        Given(KhoCaDuaRegistered(), Received(Lot)).When(Washed(Lot)).Then(Washed(Lot));

    [Fact]
    public void Salting_follows_washing() =>
        Given(KhoCaDuaRegistered(), Washed(Lot)).When(Salted(Lot)).Then(Salted(Lot));

    [Fact]
    public void Washing_after_salting_is_rejected() =>
        Given(KhoCaDuaRegistered(), Washed(Lot), Salted(Lot)).When(Washed(Lot, At(10, 12))).ThenFails("batch.stage_order");

    [Fact]
    public void Sun_drying_follows_salting() =>
        Given(KhoCaDuaRegistered(), Washed(Lot), Salted(Lot)).When(Dried(Lot, Kg(50m))).Then(Dried(Lot, Kg(50m)));

    [Fact]
    public void Salting_after_drying_is_rejected() =>
        Given(KhoCaDuaRegistered(), Washed(Lot), Salted(Lot), Dried(Lot, Kg(50m))).When(Salted(Lot, At(11, 17))).ThenFails("batch.stage_order");

    [Fact]
    public void Packing_follows_drying_and_inspection() =>
        Given(KhoCaDuaRegistered(), Washed(Lot), Salted(Lot), Dried(Lot, Kg(50m)), Inspected(Lot)).When(Packed(Lot)).Then(Packed(Lot));

    [Theory]
    [InlineData("received")]
    [InlineData("washed")]
    [InlineData("salted")]
    [InlineData("dried")]
    public void No_processing_after_packing(string step) =>
        Given(PackedAtCooperative()).When(After(step, At(12, 10))).ThenFails("batch.stage_order");

    private static IBatchStep After(string step, DateTimeOffset at) => step switch
    {
        "received" => Received(Lot, 50m, at),
        "washed" => Washed(Lot, at),
        "salted" => Salted(Lot, at),
        "dried" => Dried(Lot, Kg(25m), startedAt: at, endedAt: at.AddHours(6)),
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    [Fact]
    public void A_packed_lot_is_still_inspected() =>
        Given(PackedAtCooperative()).When(Inspected(Lot, At(12, 10))).Then(Inspected(Lot, At(12, 10)));

    [Fact]
    public void A_packed_lot_is_stored_cool() =>
        Given(PackedAtCooperative()).When(Stored(Lot, At(12, 10))).Then(Stored(Lot, At(12, 10)));

    // --- Dates: a step is never dated before the previous one ---
    [Fact]
    public void A_step_at_the_same_minute_as_the_previous_one_is_accepted() =>
        Given(KhoCaDuaRegistered(), Washed(Lot)).When(Salted(Lot, At(10, 10))).Then(Salted(Lot, At(10, 10)));

    [Fact]
    public void A_step_dated_before_the_previous_step_is_rejected() =>
        Given(KhoCaDuaRegistered(), Washed(Lot)).When(Salted(Lot, At(10, 9, 50))).ThenFails("batch.step_out_of_order");

    [Fact]
    public void A_step_dated_before_production_is_rejected() =>
        Given(KhoCaDuaRegistered()).When(Washed(Lot, At(10, 8))).ThenFails("batch.step_out_of_order");

    [Fact]
    public void Drying_that_started_before_the_previous_step_is_rejected() =>
        Given(KhoCaDuaRegistered(), Washed(Lot), Salted(Lot)).When(Dried(Lot, Kg(50m), startedAt: At(10, 10, 30)))
            .ThenFails("batch.step_out_of_order");

    [Fact]
    public void A_step_9_minutes_ahead_of_the_server_is_accepted() =>
        Given(KhoCaDuaRegistered()).When(Washed(Lot, At(10, 10)), now: At(10, 9, 51)).Then(Washed(Lot, At(10, 10)));

    [Fact]
    public void A_step_11_minutes_ahead_of_the_server_is_rejected() =>
        Given(KhoCaDuaRegistered()).When(Washed(Lot, At(10, 10)), now: At(10, 9, 49)).ThenInvalid("occurredAt");

    [Fact]
    public void Drying_cannot_end_in_the_future() =>
        Given(KhoCaDuaRegistered(), Washed(Lot), Salted(Lot))
            .When(Dried(Lot, Kg(50m)) with { Step = Step(At(11, 10)) }, now: At(11, 10, 5)).ThenInvalid("endedAt");

    [Fact]
    public void Drying_cannot_end_before_it_starts() =>
        Given(KhoCaDuaRegistered(), Washed(Lot), Salted(Lot)).When(Dried(Lot, Kg(50m), startedAt: At(11, 17))).ThenInvalid("endedAt");

    // --- Who: only the custodian ---
    [Fact]
    public void The_distributor_cannot_record_the_cooperatives_washing() =>
        Given(KhoCaDuaRegistered()).When(Washed(Lot, by: Distributor)).ThenFails("batch.not_custodian");

    [Fact]
    public void A_neighbouring_cooperative_cannot_record_steps() =>
        Given(KhoCaDuaRegistered()).When(Washed(Lot, by: Neighbour)).ThenFails("batch.not_custodian");

    [Fact]
    public void A_step_on_an_unknown_lot_is_rejected() =>
        Given().When(Washed(Lot)).ThenFails("batch.not_found");

    [Fact]
    public void Consumption_is_recorded_only_by_merging_or_splitting() =>
        Given(KhoCaDuaRegistered()).When(new BatchConsumed(Lot, Step(At(10, 10)), ShrimpLot, Kg(10m))).ThenFails("batch.consume_via_transformation");

    // --- Fields of the steps ---
    [Theory]
    [InlineData("saltPercent")]
    [InlineData("durationHours")]
    [InlineData("finalMoisturePercent")]
    [InlineData("inspector")]
    [InlineData("result")]
    [InlineData("temperatureC")]
    [InlineData("note")]
    [InlineData("place")]
    public void A_malformed_step_field_is_rejected(string field) =>
        Given(KhoCaDuaRegistered(), Washed(Lot), Salted(Lot)).When(Malformed(field)).ThenInvalid(field);

    private static IBatchStep Malformed(string field) => field switch
    {
        "saltPercent" => Salted(Lot, At(10, 12), saltPercent: 0m),
        "durationHours" => Salted(Lot, At(10, 12)) with { DurationHours = 800m },
        "finalMoisturePercent" => Dried(Lot, Kg(50m)) with { FinalMoisturePercent = 120m },
        "inspector" => Inspected(Lot, At(10, 12), inspector: " "),
        "result" => Inspected(Lot, At(10, 12)) with { Result = (InspectionResult)7 },
        "temperatureC" => Stored(Lot, At(10, 12), temperatureC: 75m),
        "note" => Stored(Lot, At(10, 12)) with { Step = Step(At(10, 12), note: "Nhiệt độ\u0000 ổn định") },
        "place" => Stored(Lot, At(10, 12)) with { Step = Step(At(10, 12)) with { Place = Nfd("Kho mát xã Cần Giờ") } },
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
