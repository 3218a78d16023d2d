using System.Globalization;
using Traceability.Api.Features.Batches;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;

namespace Traceability.Api.Features.CooperativePages;

/// <summary>One input of a form: its name is the command's JSON field, so a refusal's field error lands beside it.</summary>
public sealed record FormField(string Name, string Label, string Type = "text", bool Required = false, string? Hint = null,
    IReadOnlyList<(string Value, string Label)>? Options = null, string? Step = null, string? Default = null);

/// <summary>What a form page shows: its fields, what was typed, the errors beside each field, and the hidden tokens.</summary>
public sealed record FormModel(string Title, string Action, string Submit, IReadOnlyList<FormField> Fields, IReadOnlyDictionary<string, string> Values,
    IReadOnlyDictionary<string, string> Errors, string? Error, string AntiforgeryField, string AntiforgeryToken, string IdempotencyKey,
    string? BackUrl, string? Intro);

/// <summary>A step form of the cooperative pages: its route slug, title, fields, and the command it sends.</summary>
public sealed record StepForm(string Slug, string Title, IReadOnlyList<FormField> Fields, Func<Guid, IFormCollection, HttpContext, IServiceProvider, Task<IResult>> Send);

/// <summary>
/// The forms of the cooperative pages, shaped to the Cần Giờ work (receive, wash, salt, dry, inspect, pack, ship, confirm a
/// receipt, recall). Each one reads its form into the same request record the JSON API takes and calls the same handler,
/// so the rules, the problems and the idempotency are the API's.
/// </summary>
public static class PortalForms
{
    private static readonly (string, string)[] Units = [("kg", "kg"), ("g", "g"), ("t", "tấn"), ("piece", "con / cái"), ("pack", "gói")];

    private static FormField When(string name = "occurredAt", string label = "Thời điểm") => new(name, label, "datetime-local", Required: true);

    private static readonly FormField Place = new("place", "Nơi thực hiện", Hint: "ví dụ: Nhà sơ chế HTX");
    private static readonly FormField Note = new("note", "Ghi chú", "textarea");

    public static IReadOnlyList<FormField> RegisterFields { get; } =
    [
        new("product.nameVi", "Tên sản phẩm", Required: true, Hint: "ví dụ: Khô cá dứa một nắng"),
        new("product.nameEn", "Tên tiếng Anh (không bắt buộc)"),
        new("product.category", "Loại sản phẩm", "select", Required: true, Options:
        [
            ("fish.one_sun", "Khô cá một nắng"), ("fish.dried", "Khô cá"), ("squid.one_sun", "Mực một nắng"), ("squid.dried", "Mực khô"),
            ("shrimp.dried", "Tôm khô"), ("fish.fresh", "Cá tươi"), ("shrimp.fresh", "Tôm tươi"), ("other", "Khác"),
        ]),
        new("product.gtin", "Mã GTIN (mã vạch, không bắt buộc)", Hint: "8, 12, 13 hoặc 14 chữ số"),
        new("lotNumber", "Số lô", Required: true, Hint: "ví dụ: CG-2026-1126"),
        new("quantity.amount", "Khối lượng", "number", Required: true, Step: "0.001"),
        new("quantity.unit", "Đơn vị", "select", Required: true, Options: Units),
        new("origin.area", "Vùng khai thác / vùng nuôi", Hint: "ví dụ: Vùng biển Cần Giờ – cửa sông Lòng Tàu"),
        new("origin.harvestFrom", "Ngày khai thác từ", "date"),
        new("origin.harvestTo", "đến ngày", "date"),
        new("origin.vesselOrHouseholdRef", "Tàu / hộ khai thác", Hint: "số hiệu tàu hoặc mã hộ, không ghi tên người"),
        When("producedAt", "Ngày sản xuất"),
        new("bestBefore", "Hạn sử dụng", "date"),
        new("declaredYield", "Tỷ lệ thành phẩm (%)", "number", Step: "0.1", Hint: "để trống: theo mặc định của loại sản phẩm"),
    ];

    public static async Task<IResult> RegisterAsync(IFormCollection form, HttpContext http, IServiceProvider services)
    {
        var gtin = Optional(form, "product.gtin") is { } text ? Gtin.Parse(text, "product.gtin") : (Gtin?)null;
        var product = new Product(Required(form, "product.nameVi"), Optional(form, "product.nameEn"), Required(form, "product.category"), gtin);
        Origin? origin = null;
        if (Optional(form, "origin.area") is { } area)
            origin = new Origin(area, null, Day(form, "origin.harvestFrom") ?? throw Missing("origin.harvestFrom"),
                Day(form, "origin.harvestTo") ?? throw Missing("origin.harvestTo"), Optional(form, "origin.vesselOrHouseholdRef"));
        var yieldPercent = OptionalNumber(form, "declaredYield");
        var request = new RegisterBatchRequest(null, product, Required(form, "lotNumber"), Amount(form, "quantity"), origin, Time(form, "producedAt"),
            Day(form, "bestBefore"), yieldPercent / 100m);
        return await RegisterBatchEndpoint.Handle(request, http, services.GetRequiredService<Infrastructure.CommandPipeline>(),
            services.GetRequiredService<Infrastructure.AggregateReader>());
    }

    public static IReadOnlyList<StepForm> Steps { get; } =
    [
        new("tiep-nhan", "Tiếp nhận nguyên liệu", [When(), Place, new("quantity.amount", "Khối lượng cân được", "number", true, Step: "0.001"),
                new("quantity.unit", "Đơn vị", "select", true, Options: Units), new("supplierRef", "Tổ / tàu cung cấp"), Note],
            (id, f, http, s) => RecordReceivingEndpoint.Handle(id, new ReceivingRequest(Time(f, "occurredAt"), Optional(f, "place"), Optional(f, "note"),
                Amount(f, "quantity"), Optional(f, "supplierRef")), http, Commands(s))),
        new("so-che", "Sơ chế, làm sạch", [When(), Place, new("method", "Cách làm", Hint: "ví dụ: rửa nước muối loãng, bỏ ruột, xẻ bướm"), Note],
            (id, f, http, s) => RecordWashingEndpoint.Handle(id, new WashingRequest(Time(f, "occurredAt"), Optional(f, "place"), Optional(f, "note"),
                Optional(f, "method")), http, Commands(s))),
        new("uop-muoi", "Ướp muối", [When(), Place, new("saltPercent", "Tỷ lệ muối (%)", "number", true, Step: "0.1"),
                new("durationHours", "Thời gian ướp (giờ)", "number", true, Step: "0.5"), Note],
            (id, f, http, s) => RecordSaltingEndpoint.Handle(id, new SaltingRequest(Time(f, "occurredAt"), Optional(f, "place"), Optional(f, "note"),
                Number(f, "saltPercent"), Number(f, "durationHours")), http, Commands(s))),
        new("phoi-say", "Phơi nắng / sấy", [new("method", "Cách làm khô", "select", true, Options: [("sun", "Phơi nắng"), ("oven", "Sấy")]),
                When("startedAt", "Bắt đầu"), When("endedAt", "Kết thúc"), Place, new("finalMoisturePercent", "Độ ẩm cuối (%)", "number", Step: "0.1"),
                new("output.amount", "Khối lượng sau khi làm khô", "number", true, Step: "0.001"), new("output.unit", "Đơn vị", "select", true, Options: Units), Note],
            (id, f, http, s) => RecordDryingEndpoint.Handle(id, new DryingRequest(Time(f, "endedAt"), Optional(f, "place"), Optional(f, "note"),
                Enum<DryingMethod>(f, "method"), Time(f, "startedAt"), Time(f, "endedAt"), OptionalNumber(f, "finalMoisturePercent"), Amount(f, "output")),
                http, Commands(s))),
        new("kiem-tra", "Kiểm tra chất lượng", [When(), Place, new("inspector", "Đơn vị kiểm tra", Required: true, Hint: "tên tổ hoặc phòng kiểm nghiệm"),
                new("result", "Kết quả", "select", true, Options: [("pass", "Đạt"), ("fail", "Không đạt")]),
                new("measurement.name", "Chỉ tiêu đo", Hint: "ví dụ: Độ ẩm"), new("measurement.value", "Giá trị", "number", Step: "0.001"),
                new("measurement.unit", "Đơn vị đo", Hint: "ví dụ: %"), new("documentRef", "Số phiếu kiểm nghiệm"), Note],
            (id, f, http, s) => RecordInspectionEndpoint.Handle(id, new InspectionRequest(Time(f, "occurredAt"), Optional(f, "place"), Optional(f, "note"),
                Required(f, "inspector"), Enum<InspectionResult>(f, "result"),
                Optional(f, "measurement.name") is { } name ? [new Measurement(name, Number(f, "measurement.value"), Optional(f, "measurement.unit") ?? "")] : [],
                Optional(f, "documentRef")), http, Commands(s))),
        new("dong-goi", "Đóng gói", [When(), Place, new("packCount", "Số gói", "number", true, Step: "1"),
                new("packSize.amount", "Khối lượng mỗi gói", "number", true, Step: "0.001"), new("packSize.unit", "Đơn vị", "select", true, Options: Units),
                new("bestBefore", "Hạn sử dụng", "date"), Note],
            (id, f, http, s) => RecordPackingEndpoint.Handle(id, new PackingRequest(Time(f, "occurredAt"), Optional(f, "place"), Optional(f, "note"),
                Integer(f, "packCount"), Amount(f, "packSize"), Day(f, "bestBefore")), http, Commands(s))),
        new("xuat-hang", "Xuất hàng", [When(), Place,
                new("toKind", "Bên nhận là", "select", true, Options: [("buyer", "Nhà phân phối / cửa hàng"), ("cooperative", "Hợp tác xã")]),
                new("toPartyId", "Mã bên nhận", Required: true, Hint: "mã (UUID) của bên nhận trên hệ thống"),
                new("quantity.amount", "Khối lượng xuất", "number", true, Step: "0.001"), new("quantity.unit", "Đơn vị", "select", true, Options: Units),
                new("transport", "Phương tiện", Hint: "ví dụ: Xe tải lạnh 51C-123.45"), Note],
            (id, f, http, s) => ShipBatchEndpoint.Handle(id, new ShippingRequest(Time(f, "occurredAt"), Optional(f, "place"), Optional(f, "note"),
                Enum<PartyKind>(f, "toKind"), Id(f, "toPartyId"), Amount(f, "quantity"), Optional(f, "transport")), http, Commands(s),
                s.GetRequiredService<Infrastructure.AggregateReader>())),
        new("nhan-hang", "Nhận hàng", [When(), Place, new("shipmentId", "Mã chuyến hàng", Required: true),
                new("quantity.amount", "Khối lượng nhận", "number", true, Step: "0.001"), new("quantity.unit", "Đơn vị", "select", true, Options: Units),
                new("condition", "Tình trạng", "select", true, Options: [("good", "Nguyên vẹn"), ("damaged", "Hư hỏng"), ("partial", "Thiếu")]), Note],
            (id, f, http, s) => ConfirmReceiptEndpoint.Handle(id, new ReceiptRequest(Time(f, "occurredAt"), Optional(f, "place"), Optional(f, "note"),
                Id(f, "shipmentId"), Amount(f, "quantity"), Enum<ReceiptCondition>(f, "condition")), http, Commands(s))),
        new("thu-hoi", "Thu hồi sản phẩm", [When(), new("reason", "Lý do thu hồi", "textarea", true),
                new("severity", "Mức độ", "select", true, Options: [("high", "Cao"), ("medium", "Trung bình"), ("low", "Thấp")]), Note],
            (id, f, http, s) => RecallBatchEndpoint.Handle(id, new RecallRequest(Time(f, "occurredAt"), Required(f, "reason"), Enum<RecallSeverity>(f, "severity"),
                Optional(f, "note")), http, s.GetRequiredService<Infrastructure.CommandPipeline>(), s.GetRequiredService<Infrastructure.AggregateReader>())),
    ];

    private static BatchCommands Commands(IServiceProvider services) => services.GetRequiredService<BatchCommands>();

    // ---- reading a form: every mistake is a field error in Vietnamese (and English for the API's shape) ----

    private static InvalidFieldException Missing(string field) => new(field, "Trường này là bắt buộc.", "This field is required.");

    public static string Required(IFormCollection form, string field) => Optional(form, field) ?? throw Missing(field);

    public static string? Optional(IFormCollection form, string field) => form[field].ToString().Trim() is { Length: > 0 } text ? text : null;

    private static decimal Number(IFormCollection form, string field) => OptionalNumber(form, field) ?? throw Missing(field);

    private static decimal? OptionalNumber(IFormCollection form, string field)
    {
        if (Optional(form, field) is not { } text) return null;
        // Phones in Vietnamese type a decimal comma.
        return decimal.TryParse(text.Replace(',', '.'), NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidFieldException(field, "Hãy nhập một con số, ví dụ 12,5.", "Enter a number, e.g. 12.5.");
    }

    private static int Integer(IFormCollection form, string field) =>
        int.TryParse(Required(form, field), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidFieldException(field, "Hãy nhập một số nguyên.", "Enter a whole number.");

    private static Quantity Amount(IFormCollection form, string prefix) =>
        Quantity.Create(Number(form, $"{prefix}.amount"), Enum<QuantityUnit>(form, $"{prefix}.unit"), $"{prefix}.amount");

    /// <summary>A <c>datetime-local</c> value is Vietnam time (UTC+7 all year).</summary>
    public static DateTimeOffset Time(IFormCollection form, string field) =>
        DateTime.TryParse(Required(form, field), CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), PublicPage.PageLanguage.VietnamOffset)
            : throw new InvalidFieldException(field, "Ngày giờ không hợp lệ.", "Not a valid date and time.");

    private static DateOnly? Day(IFormCollection form, string field) =>
        Optional(form, field) is not { } text ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw new InvalidFieldException(field, "Ngày không hợp lệ.", "Not a valid date.");

    private static Guid Id(IFormCollection form, string field) =>
        Guid.TryParse(Required(form, field), out var id) ? id : throw new InvalidFieldException(field, "Mã không hợp lệ.", "Not a valid id.");

    private static T Enum<T>(IFormCollection form, string field) where T : struct, System.Enum =>
        System.Enum.TryParse<T>(Required(form, field).Replace("_", ""), ignoreCase: true, out var value) && System.Enum.IsDefined(value)
            ? value
            : throw new InvalidFieldException(field, "Hãy chọn một giá trị trong danh sách.", "Choose one of the listed values.");
}
