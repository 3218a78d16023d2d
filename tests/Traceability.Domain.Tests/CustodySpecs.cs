using Traceability.Domain.Batches;
using static Traceability.Domain.Tests.BatchSpec;
using static Traceability.Domain.Tests.CanGio;

namespace Traceability.Domain.Tests;

/// <summary>Custody moves with the whole batch: shipped by its custodian, confirmed by the receiver, who then holds it.</summary>
public class CustodySpecs
{
    // --- Shipping ---
    [Fact]
    public void The_cooperative_ships_the_whole_lot_to_the_distributor() =>
        Given(PackedAtCooperative()).When(Shipped(Lot, Distributor, Kg(50m))).Then(Shipped(Lot, Distributor, Kg(50m)));

    [Fact]
    public void The_whole_lot_may_be_stated_in_another_unit_of_mass() =>
        Given(PackedAtCooperative()).When(Shipped(Lot, Distributor, G(50_000m))).Then(Shipped(Lot, Distributor, G(50_000m)));

    [Fact]
    public void Shipping_more_than_is_on_hand_is_rejected() =>
        Given(PackedAtCooperative()).When(Shipped(Lot, Distributor, Kg(50.5m))).ThenFails("batch.ship_exceeds_on_hand");

    [Fact]
    public void Shipping_part_of_a_lot_is_rejected_split_it_first() =>
        Given(PackedAtCooperative()).When(Shipped(Lot, Distributor, Kg(20m))).ThenFails("batch.partial_shipment");

    [Fact]
    public void A_lot_cannot_be_shipped_to_its_own_custodian() =>
        Given(PackedAtCooperative()).When(Shipped(Lot, Cooperative, Kg(50m))).ThenFails("batch.ship_to_self");

    [Fact]
    public void Only_the_custodian_ships() =>
        Given(PackedAtCooperative()).When(Shipped(Lot, Retailer, Kg(50m), by: Distributor)).ThenFails("batch.not_custodian");

    [Fact]
    public void A_shipment_names_its_receiver() =>
        Given(PackedAtCooperative()).When(Shipped(Lot, Distributor with { Name = "Công ty\u0000 Sài Gòn" }, Kg(50m))).ThenInvalid("to.name");

    // --- In transit ---
    [Fact]
    public void The_cooperative_records_nothing_while_the_lot_is_on_the_road() =>
        Given(OnTheRoad()).When(Stored(Lot, At(12, 11))).ThenFails("batch.in_transit");

    [Fact]
    public void The_cooperative_cannot_ship_the_lot_again_while_it_is_on_the_road() =>
        Given(OnTheRoad()).When(Shipped(Lot, Retailer, Kg(50m), At(12, 11), shipment: OnwardShipment)).ThenFails("batch.in_transit");

    [Fact]
    public void The_distributor_records_nothing_before_confirming_receipt() =>
        Given(OnTheRoad()).When(Stored(Lot, At(12, 14), by: Distributor)).ThenFails("batch.not_custodian");

    [Fact]
    public void The_distributor_confirms_receipt() =>
        Given(OnTheRoad()).When(ReceiptConfirmed(Lot, Distributor, Kg(50m))).Then(ReceiptConfirmed(Lot, Distributor, Kg(50m)));

    [Fact]
    public void A_damaged_delivery_is_confirmed_for_less() =>
        Given(OnTheRoad()).When(ReceiptConfirmed(Lot, Distributor, Kg(48.5m), condition: ReceiptCondition.Damaged))
            .Then(ReceiptConfirmed(Lot, Distributor, Kg(48.5m), condition: ReceiptCondition.Damaged));

    [Fact]
    public void Only_the_receiving_party_confirms_receipt() =>
        Given(OnTheRoad()).When(ReceiptConfirmed(Lot, Retailer, Kg(50m))).ThenFails("batch.not_custodian");

    [Fact]
    public void The_shipper_cannot_confirm_its_own_delivery() =>
        Given(OnTheRoad()).When(ReceiptConfirmed(Lot, Cooperative, Kg(50m))).ThenFails("batch.not_custodian");

    [Fact]
    public void Receiving_more_than_was_shipped_is_rejected() =>
        Given(OnTheRoad()).When(ReceiptConfirmed(Lot, Distributor, Kg(51m))).ThenFails("batch.receipt_exceeds_shipment");

    [Fact]
    public void A_receipt_names_the_shipment_on_the_road() =>
        Given(OnTheRoad()).When(ReceiptConfirmed(Lot, Distributor, Kg(50m), shipment: OnwardShipment)).ThenFails("batch.no_such_shipment");

    [Fact]
    public void A_receipt_dated_before_the_shipment_left_is_rejected() =>
        Given(OnTheRoad()).When(ReceiptConfirmed(Lot, Distributor, Kg(50m), at: At(12, 7))).ThenFails("batch.step_out_of_order");

    // --- After receipt: the distributor holds the lot ---
    [Fact]
    public void The_distributor_stores_the_lot_it_received() =>
        Given(AtDistributor()).When(Stored(Lot, At(12, 16), by: Distributor)).Then(Stored(Lot, At(12, 16), by: Distributor));

    [Fact]
    public void The_distributor_ships_on_to_the_retailer() =>
        Given(AtDistributor()).When(Shipped(Lot, Retailer, Kg(50m), At(13, 8), Distributor, OnwardShipment))
            .Then(Shipped(Lot, Retailer, Kg(50m), At(13, 8), Distributor, OnwardShipment));

    [Fact]
    public void The_distributor_ships_on_what_it_actually_received() =>
        Given([.. OnTheRoad(), ReceiptConfirmed(Lot, Distributor, Kg(48.5m), condition: ReceiptCondition.Damaged)])
            .When(Shipped(Lot, Retailer, Kg(50m), At(13, 8), Distributor, OnwardShipment)).ThenFails("batch.ship_exceeds_on_hand");

    [Fact]
    public void The_cooperative_can_no_longer_record_steps_once_the_distributor_holds_the_lot() =>
        Given(AtDistributor()).When(Stored(Lot, At(12, 16))).ThenFails("batch.not_custodian");

    [Fact]
    public void The_cooperative_can_no_longer_ship_the_lot() =>
        Given(AtDistributor()).When(Shipped(Lot, Retailer, Kg(50m), At(13, 8), shipment: OnwardShipment)).ThenFails("batch.not_custodian");

    [Fact]
    public void The_retailer_confirms_receipt_and_then_holds_the_lot()
    {
        IBatchEvent[] history = [.. AtDistributor(), Shipped(Lot, Retailer, Kg(50m), At(13, 8), Distributor, OnwardShipment)];
        Given(history).When(ReceiptConfirmed(Lot, Retailer, Kg(50m), At(13, 14), OnwardShipment))
            .Then(ReceiptConfirmed(Lot, Retailer, Kg(50m), At(13, 14), OnwardShipment));

        var atRetailer = Given(history).And(ReceiptConfirmed(Lot, Retailer, Kg(50m), At(13, 14), OnwardShipment));
        Assert.Equal(Retailer, atRetailer[Lot].Custodian);
        Assert.Equal(BatchStatus.Active, atRetailer[Lot].Status);
        atRetailer.When(Stored(Lot, At(13, 15), by: Distributor)).ThenFails("batch.not_custodian");
    }
}
