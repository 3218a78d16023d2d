using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using static Traceability.Domain.Tests.BatchSpec;
using static Traceability.Domain.Tests.CanGio;

namespace Traceability.Domain.Tests;

public class BatchRegistrationSpecs
{
    private static readonly RegisterBatch Register = RegisterKhoCaDua();

    private static BatchRegistered RegisteredFrom(RegisterBatch c) =>
        new(c.BatchId, c.Producer, c.Product, c.LotNumber, c.Quantity, c.Origin, c.ProducedAt, c.BestBefore, [], c.DeclaredYield, c.Actor, c.Now);

    [Fact]
    public void The_cooperative_registers_a_lot_of_kho_ca_dua() =>
        Given().When(Register).Then(KhoCaDuaRegistered());

    [Fact]
    public void A_lot_is_registered_once() =>
        Given(KhoCaDuaRegistered()).When(Register).ThenFails("batch.already_registered");

    [Fact]
    public void A_GTIN_with_a_wrong_check_digit_never_reaches_a_product() =>
        Field.Rejects("product.gtin", () => Gtin.Parse("8938600000018", "product.gtin"));

    [Fact]
    public void A_lot_with_a_valid_Vietnamese_GTIN_registers()
    {
        var command = Register with { Product = TomKho with { Gtin = Gtin.Parse("8938600000026", "product.gtin") } };
        Assert.True(command.Product.Gtin!.Value.IsVietnamese);
        Given().When(command).Then(RegisteredFrom(command));
    }

    // --- Time: a phone may run up to 10 minutes fast ---
    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    public void Production_up_to_10_minutes_ahead_of_the_server_is_clock_drift(int minutes)
    {
        var command = Register with { ProducedAt = Register.Now.AddMinutes(minutes) };
        Given().When(command).Then(RegisteredFrom(command));
    }

    [Fact]
    public void Production_more_than_10_minutes_in_the_future_is_rejected() =>
        Given().When(Register with { ProducedAt = Register.Now.AddMinutes(11) }).ThenInvalid("producedAt");

    [Fact]
    public void A_harvest_ending_tomorrow_is_rejected() =>
        Given().When(Register with { Origin = CatchOrigin with { HarvestTo = Day(11) } }).ThenInvalid("origin.harvestTo");

    [Fact]
    public void A_best_before_on_the_production_day_is_accepted()
    {
        var command = Register with { BestBefore = Day(10) };
        Given().When(command).Then(RegisteredFrom(command));
    }

    [Fact]
    public void A_best_before_earlier_than_production_is_rejected() =>
        Given().When(Register with { BestBefore = Day(9) }).ThenInvalid("bestBefore");

    // --- Yield: more than 0, at most 1 ---
    [Theory]
    [InlineData("0.45")]
    [InlineData("1")]
    public void A_declared_yield_in_0_to_1_is_accepted(string yield)
    {
        var command = Register with { DeclaredYield = decimal.Parse(yield, System.Globalization.CultureInfo.InvariantCulture) };
        Given().When(command).Then(RegisteredFrom(command));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.5")]
    [InlineData("1.01")]
    public void A_declared_yield_outside_0_to_1_is_rejected(string yield) =>
        Given().When(Register with { DeclaredYield = decimal.Parse(yield, System.Globalization.CultureInfo.InvariantCulture) })
            .ThenInvalid("declaredYield");

    // --- Origin ---
    [Fact]
    public void A_lot_produced_on_the_last_harvest_day_is_accepted()
    {
        var command = Register with { Origin = CatchOrigin with { HarvestFrom = Day(10) } };
        Given().When(command).Then(RegisteredFrom(command));
    }

    [Fact]
    public void A_lot_produced_before_its_fish_was_caught_is_rejected() =>
        Given().When(Register with { Origin = CatchOrigin with { HarvestFrom = Day(11), HarvestTo = Day(11) }, ProducedAt = At(10, 9), Now = At(11, 18) })
            .ThenFails("batch.produced_before_harvest");

    [Fact]
    public void A_lot_produced_at_dawn_on_the_day_of_the_catch_is_accepted()
    {
        // Landed at 04:00 on 10 March, salted from 06:30, registered at 08:00 — all Vietnam time, all on the 10th.
        var command = Register with { Origin = CatchOrigin with { HarvestFrom = Day(10) }, ProducedAt = At(10, 6, 30), Now = At(10, 8) };
        Given().When(command).Then(RegisteredFrom(command));
    }

    [Fact]
    public void A_catch_landed_this_morning_is_not_in_the_future()
    {
        // Registered at 06:05 on 10 March (Vietnam time) for fish caught that night: the harvest ended today, not tomorrow.
        var command = Register with { Origin = CatchOrigin with { HarvestTo = Day(10) }, ProducedAt = At(10, 5, 30), Now = At(10, 6, 5) };
        Given().When(command).Then(RegisteredFrom(command));
    }

    [Fact]
    public void A_harvest_ending_before_it_starts_is_rejected() =>
        Given().When(Register with { Origin = CatchOrigin with { HarvestFrom = Day(10), HarvestTo = Day(9) } }).ThenInvalid("origin.harvestTo");

    [Fact]
    public void A_fishing_area_off_the_map_is_rejected() =>
        Given().When(Register with { Origin = CatchOrigin with { Location = new GeoPoint(91m, 106.95m) } }).ThenInvalid("origin.location");

    // --- Text people type ---
    [Fact]
    public void A_product_name_in_decomposed_Unicode_is_rejected() =>
        Given().When(Register with { Product = KhoCaDua with { NameVi = Nfd("Khô cá dứa một nắng") } }).ThenInvalid("product.nameVi");

    [Fact]
    public void A_lot_number_with_a_control_character_is_rejected() =>
        Given().When(Register with { LotNumber = "CD-2503\u0007-01" }).ThenInvalid("lotNumber");

    [Fact]
    public void A_lot_number_is_required() =>
        Given().When(Register with { LotNumber = "   " }).ThenInvalid("lotNumber");

    [Fact]
    public void A_product_category_is_required() =>
        Given().When(Register with { Product = KhoCaDua with { Category = "" } }).ThenInvalid("product.category");

    [Fact]
    public void Line_breaks_and_tabs_are_allowed_in_typed_text()
    {
        var command = Register with { Product = KhoCaDua with { NameEn = "One-sun dried catfish\n\t(cá dứa)" } };
        Given().When(command).Then(RegisteredFrom(command));
    }

    // --- Quantity ---
    [Theory]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("100.0000001")]
    public void A_lot_cannot_be_registered_with_a_malformed_quantity(string kg) =>
        Given().When(Register with { Quantity = Kg(decimal.Parse(kg, System.Globalization.CultureInfo.InvariantCulture)) }).ThenInvalid("quantity");
}
