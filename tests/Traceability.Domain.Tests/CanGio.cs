using System.Text;
using Traceability.Domain.Batches;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;

namespace Traceability.Domain.Tests;

/// <summary>
/// The model case: HTX Thủy sản Cần Giờ (demo) lands one-sun dried catfish (khô cá dứa một nắng) and dried shrimp,
/// ships to a distributor in central Hồ Chí Minh City, who ships on to a shop. One working week in March 2025,
/// Vietnam time (UTC+7). Times, unless a spec says otherwise, are in the middle of the day.
/// </summary>
public static class CanGio
{
    public static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    public static DateTimeOffset At(int day, int hour, int minute = 0) => new(2025, 3, day, hour, minute, 0, Vietnam);

    public static DateOnly Day(int day) => new(2025, 3, day);

    public static Quantity Kg(decimal amount) => new(amount, QuantityUnit.Kg);

    public static Quantity G(decimal amount) => new(amount, QuantityUnit.G);

    public static Quantity T(decimal amount) => new(amount, QuantityUnit.T);

    /// <summary>Appends the GS1 check digit: GTINs and GLNs in the fixture are valid by construction.</summary>
    public static string WithCheckDigit(string data) => data + Gtin.CheckDigit(data);

    /// <summary>The same text in decomposed form (NFD): what some keyboards and copy-pastes produce.</summary>
    public static string Nfd(string text) => text.Normalize(NormalizationForm.FormD);

    // --- Parties ---
    public static readonly Guid CooperativeId = Guid.Parse("0c0a0000-0000-4000-8000-000000000079");
    public static readonly Guid DistributorId = Guid.Parse("0d150000-0000-4000-8000-000000000001");
    public static readonly Guid RetailerId = Guid.Parse("0e7a0000-0000-4000-8000-000000000002");
    public static readonly Guid NeighbourId = Guid.Parse("0b1a0000-0000-4000-8000-000000000003");

    public const string CooperativeName = "HTX Thủy sản Cần Giờ (demo)";
    public static readonly PartyRef Cooperative = new(PartyKind.Cooperative, CooperativeId, CooperativeName);
    public static readonly PartyRef Distributor = new(PartyKind.Buyer, DistributorId, "Công ty TNHH Phân phối Hải sản Sài Gòn (demo)");
    public static readonly PartyRef Retailer = new(PartyKind.Buyer, RetailerId, "Cửa hàng Đặc sản Biển Bến Thành (demo)");
    public static readonly PartyRef Neighbour = new(PartyKind.Cooperative, NeighbourId, "HTX Nông nghiệp Bình Khánh (demo)");

    // Since 1 July 2025: province/city, then commune or ward, with the pre-reform district kept for old documents.
    public static readonly Address Address = new("Đường Duyên Hải, ấp Miễu Ba", "Xã Cần Giờ", "27676", "Thành phố Hồ Chí Minh", "79", "Huyện Cần Giờ");
    public static readonly Address DistributorAddress = new("12 Đường Tôn Đức Thắng", "Phường Sài Gòn", "26740", "Thành phố Hồ Chí Minh", "79", "Quận 1");

    public static readonly string Gln = WithCheckDigit("893860000000");
    public static readonly CooperativeProfile Profile = new(CooperativeName, "Can Gio Seafood Cooperative (demo)", Address, Gln, "0312345678",
        MemberCount: 42, WorkerCount: 65, ProductCategories: ["fish.one_sun", "shrimp.dried"]);

    public static readonly Producer Producer = new(CooperativeId, CooperativeName, Address);

    // --- Products ---
    public static readonly Gtin KhoCaDuaGtin = Gtin.Parse(WithCheckDigit("893860000001"), "product.gtin");
    public static readonly Gtin TomKhoGtin = Gtin.Parse(WithCheckDigit("893860000002"), "product.gtin");
    public static readonly Product KhoCaDua = new("Khô cá dứa một nắng", "One-sun dried catfish", "fish.one_sun", KhoCaDuaGtin);
    public static readonly Product TomKho = new("Tôm khô", "Dried shrimp", "shrimp.dried", TomKhoGtin);

    /// <summary>Caught off Cần Giờ on the nights of 9 and 10 March, landed before dawn on the 10th.</summary>
    public static readonly Origin CatchOrigin = new("Vùng biển ven bờ Cần Giờ", new GeoPoint(10.3800m, 106.9500m), Day(9), Day(10), "SG-93456-TS");

    public static readonly DateTimeOffset ProducedAt = At(10, 9);

    // --- Batches ---
    public static readonly Guid Lot = Guid.Parse("1a000000-0000-4000-8000-0000000c0d01");
    public static readonly Guid ShrimpLot = Guid.Parse("1a000000-0000-4000-8000-0000000c0d02");
    public static readonly Guid SecondLot = Guid.Parse("1a000000-0000-4000-8000-0000000c0d03");
    public static readonly Guid MergedLot = Guid.Parse("1a000000-0000-4000-8000-0000000c0d10");
    public static readonly Guid ChildA = Guid.Parse("1a000000-0000-4000-8000-0000000c0d21");
    public static readonly Guid ChildB = Guid.Parse("1a000000-0000-4000-8000-0000000c0d22");
    public static readonly Guid Shipment = Guid.Parse("5b000000-0000-4000-8000-000000000001");
    public static readonly Guid OnwardShipment = Guid.Parse("5b000000-0000-4000-8000-000000000002");

    public static RegisterBatch RegisterKhoCaDua(Guid? id = null, decimal kg = 100m) =>
        new(id ?? Lot, Producer, KhoCaDua, "CD-2503-01", Kg(kg), CatchOrigin, ProducedAt, Day(10).AddMonths(6), null, Cooperative, At(10, 9, 15));

    public static BatchRegistered KhoCaDuaRegistered(Guid? id = null, decimal kg = 100m, decimal? declaredYield = null) =>
        new(id ?? Lot, Producer, KhoCaDua, "CD-2503-01", Kg(kg), CatchOrigin, ProducedAt, Day(10).AddMonths(6), [], declaredYield, Cooperative, At(10, 9, 15));

    public static BatchRegistered TomKhoRegistered(Guid? id = null, decimal kg = 40m) =>
        new(id ?? ShrimpLot, Producer, TomKho, "TK-2503-01", Kg(kg), CatchOrigin, ProducedAt, Day(10).AddMonths(9), [], null, Cooperative, At(10, 9, 15));

    // --- Steps: the week of one lot ---
    public static StepInfo Step(DateTimeOffset at, PartyRef? by = null, string? note = null) =>
        new(at, by is null || by == Cooperative ? "Cơ sở chế biến HTX, xã Cần Giờ" : "Kho " + by.Name, by ?? Cooperative, note);

    public static BatchReceived Received(Guid id, decimal kg = 100m, DateTimeOffset? at = null, PartyRef? by = null) =>
        new(id, Step(at ?? At(10, 9, 30), by), Kg(kg), "Tàu cá SG-93456-TS");

    public static BatchWashed Washed(Guid id, DateTimeOffset? at = null, PartyRef? by = null) =>
        new(id, Step(at ?? At(10, 10), by), "Rửa nước sạch, bỏ ruột, xẻ bướm");

    public static BatchSalted Salted(Guid id, DateTimeOffset? at = null, decimal saltPercent = 3.5m) =>
        new(id, Step(at ?? At(10, 11)), saltPercent, 2m);

    public static BatchDried Dried(Guid id, Quantity? output, DateTimeOffset? startedAt = null, DateTimeOffset? endedAt = null) =>
        new(id, Step(endedAt ?? At(11, 16)), DryingMethod.Sun, startedAt ?? At(10, 13), endedAt ?? At(11, 16), 28m, output);

    public static BatchInspected Inspected(Guid id, DateTimeOffset? at = null, string inspector = "Tổ kiểm tra chất lượng HTX") =>
        new(id, Step(at ?? At(11, 17)), inspector, InspectionResult.Pass, [new Measurement("Độ ẩm", 28m, "%")], "PKN-2503-017");

    public static BatchPacked Packed(Guid id, int packs = 100, Quantity? size = null, DateTimeOffset? at = null) =>
        new(id, Step(at ?? At(12, 8)), packs, size ?? Kg(0.5m), Day(12).AddMonths(6));

    public static BatchStored Stored(Guid id, DateTimeOffset at, PartyRef? by = null, decimal? temperatureC = 4m) =>
        new(id, Step(at, by), "Kho mát", temperatureC);

    public static BatchShipped Shipped(Guid id, PartyRef to, Quantity quantity, DateTimeOffset? at = null, PartyRef? by = null, Guid? shipment = null) =>
        new(id, Step(at ?? At(12, 9), by), shipment ?? Shipment, to, quantity, "Xe tải lạnh 51C-123.45");

    public static BatchReceiptConfirmed ReceiptConfirmed(Guid id, PartyRef by, Quantity quantity, DateTimeOffset? at = null, Guid? shipment = null,
        ReceiptCondition condition = ReceiptCondition.Good) =>
        new(id, Step(at ?? At(12, 15), by), shipment ?? Shipment, quantity, condition);

    public static BatchRecalled Recalled(Guid id, PartyRef by, DateTimeOffset? at = null, string reason = "Phát hiện nấm mốc trong mẫu lưu") =>
        new(id, Step(at ?? At(14, 10), by), reason, RecallSeverity.High, null);

    // --- Transformations ---
    /// <summary>Merge into a new lot of khô cá dứa (grading several lots together), recorded by the cooperative on 12 March.</summary>
    public static MergeBatches Merge(Quantity output, decimal? declaredYield, params BatchInput[] inputs) =>
        new(MergedLot, Producer, KhoCaDua, "CD-2503-G1", output, inputs, declaredYield, At(12, 8), Day(12).AddMonths(6), Step(At(12, 8)), At(12, 8, 5));

    public static BatchRegistered MergedRegistered(MergeBatches merge) =>
        new(merge.NewBatchId, merge.Producer, merge.Product, merge.LotNumber, merge.Output, null, merge.ProducedAt, merge.BestBefore, merge.Inputs,
            merge.DeclaredYield, merge.Step.RecordedBy, merge.Now);

    /// <summary>Split a lot into children, e.g. one part for the distributor and one for the cooperative's own shop.</summary>
    public static SplitBatch Split(Guid parent, params SplitChild[] children) => new(parent, children, Step(At(12, 10)), At(12, 10, 5));

    /// <summary>
    /// What a split records: consumption on the parent, then per child a registration linked back to the parent that
    /// inherits the parent's origin, best-before, declared yield and processing stage.
    /// </summary>
    public static StreamEvents[] SplitRecorded(SplitBatch split, IBatchEvent[] parentHistory)
    {
        var parent = Batch.Fold(parentHistory);
        return
        [
            new(split.ParentId, [.. split.Children.Select(c => new BatchConsumed(split.ParentId, split.Step, c.BatchId, c.Quantity))]),
            .. split.Children.Select(c => new StreamEvents(c.BatchId,
            [
                new BatchRegistered(c.BatchId, Producer, KhoCaDua, c.LotNumber, c.Quantity, parent.Origin, split.Step.OccurredAt, parent.BestBefore,
                    [new BatchInput(split.ParentId, c.Quantity)], parent.DeclaredYield, Cooperative, split.Now, parent.Stage),
            ])),
        ];
    }

    // --- Histories ---
    /// <summary>Registered, washed, salted, sun-dried to 50 kg, inspected, packed in 100 packs of 0.5 kg; still at the cooperative.</summary>
    public static IBatchEvent[] PackedAtCooperative(Guid? id = null)
    {
        var lot = id ?? Lot;
        return [KhoCaDuaRegistered(lot), Washed(lot), Salted(lot), Dried(lot, Kg(50m)), Inspected(lot), Packed(lot)];
    }

    /// <summary>The packed lot shipped whole to the distributor, still on the road.</summary>
    public static IBatchEvent[] OnTheRoad() => [.. PackedAtCooperative(), Shipped(Lot, Distributor, Kg(50m))];

    /// <summary>The distributor confirmed receiving all 50 kg: the distributor holds the lot.</summary>
    public static IBatchEvent[] AtDistributor() => [.. OnTheRoad(), ReceiptConfirmed(Lot, Distributor, Kg(50m))];
}
