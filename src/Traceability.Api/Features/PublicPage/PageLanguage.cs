using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Traceability.Api.Features.PublicPage;

/// <summary>
/// The public page's two languages. Vietnamese unless the visitor asks for English, by the toggle (<c>?lang=en</c>)
/// or, failing that, by putting English before Vietnamese in <c>Accept-Language</c>.
/// </summary>
public sealed record PageLanguage(string Code, CultureInfo Culture, PageTexts Texts)
{
    public static PageLanguage Vietnamese { get; } = new("vi", CultureInfo.GetCultureInfo("vi-VN"), PageTexts.Vietnamese);
    public static PageLanguage English { get; } = new("en", CultureInfo.GetCultureInfo("en-US"), PageTexts.English);

    /// <summary>Vietnam keeps UTC+7 all year (no daylight saving): times are shown as a person there reads them.</summary>
    public static readonly TimeSpan VietnamOffset = Traceability.Projections.Report.VietnamTime.Offset;

    public PageLanguage Other => Code == "vi" ? English : Vietnamese;

    public static PageLanguage Of(HttpRequest request)
    {
        var asked = request.Query["lang"].ToString();
        if (asked.Equals("en", StringComparison.OrdinalIgnoreCase)) return English;
        if (asked.Equals("vi", StringComparison.OrdinalIgnoreCase)) return Vietnamese;
        var preferences = request.GetTypedHeaders().AcceptLanguage
            .Where(l => l.Quality is not 0)
            .OrderByDescending(l => l.Quality ?? 1);
        foreach (var preference in preferences)
        {
            var tag = preference.Value.Value ?? "";
            if (tag.StartsWith("vi", StringComparison.OrdinalIgnoreCase)) return Vietnamese;
            if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase)) return English;
        }

        return Vietnamese;
    }

    public string Date(string? isoDate)
    {
        if (isoDate is null) return "";
        if (DateTimeOffset.TryParse(isoDate, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) && isoDate.Length > 10)
            return time.ToOffset(VietnamOffset).ToString(Code == "vi" ? "dd/MM/yyyy" : "d MMM yyyy", Culture);
        return DateOnly.TryParse(isoDate, CultureInfo.InvariantCulture, out var day)
            ? day.ToString(Code == "vi" ? "dd/MM/yyyy" : "d MMM yyyy", Culture)
            : isoDate;
    }

    public string DateTime(string? isoTime) =>
        isoTime is not null && DateTimeOffset.TryParse(isoTime, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time.ToOffset(VietnamOffset).ToString(Code == "vi" ? "HH:mm, dd/MM/yyyy" : "d MMM yyyy, HH:mm", Culture)
            : isoTime ?? "";

    public string Number(decimal value) => value.ToString("#,##0.###", Culture);
}

/// <summary>Every word the public page shows, in the users' own words (the project glossary).</summary>
public sealed record PageTexts(
    string Title, string Product, string Producer, string Address, string ProducedAt, string LotNumber, string TraceCode, string BestBefore,
    string NetQuantity, string Gtin, string Origin, string FishingArea, string HarvestDates, string VesselOrHousehold, string Timeline,
    string Certifications, string ValueChain, string Inputs, string RecallBanner, string RecallReason, string RecallSeverity,
    string Verified, string VerifiedDetail, string Tampered, string TamperedDetail, string Stars, string ValidUntil, string Place, string By,
    string NoSteps, string Switch, string NotFoundTitle, string NotFoundBody, string Custodian, string InTransit,
    IReadOnlyDictionary<string, string> Steps, IReadOnlyDictionary<string, string> Words)
{
    public string Step(string eventType) => Steps.TryGetValue(eventType, out var text) ? text : eventType;

    public string Word(string key) => Words.TryGetValue(key, out var text) ? text : key;

    public static PageTexts Vietnamese { get; } = new(
        Title: "Thông tin truy xuất nguồn gốc", Product: "Sản phẩm", Producer: "Cơ sở sản xuất", Address: "Địa chỉ",
        ProducedAt: "Ngày sản xuất", LotNumber: "Số lô", TraceCode: "Mã truy xuất", BestBefore: "Hạn sử dụng", NetQuantity: "Khối lượng",
        Gtin: "Mã sản phẩm (GTIN)", Origin: "Nguồn gốc", FishingArea: "Vùng khai thác", HarvestDates: "Ngày khai thác",
        VesselOrHousehold: "Tàu / hộ khai thác", Timeline: "Quá trình sản xuất", Certifications: "Chứng nhận", ValueChain: "Chuỗi cung ứng",
        Inputs: "Nguyên liệu đầu vào", RecallBanner: "SẢN PHẨM ĐANG BỊ THU HỒI", RecallReason: "Lý do", RecallSeverity: "Mức độ",
        Verified: "Đã xác minh, dữ liệu toàn vẹn", VerifiedDetail: "{0} sự kiện, không thay đổi kể từ {1}",
        Tampered: "CẢNH BÁO: dữ liệu đã bị thay đổi", TamperedDetail: "Chuỗi băm không khớp tại sự kiện thứ {0}.",
        Stars: "sao", ValidUntil: "hiệu lực đến", Place: "Nơi", By: "Thực hiện", NoSteps: "Chưa có bước nào được ghi nhận.",
        Switch: "English", NotFoundTitle: "Không tìm thấy sản phẩm",
        NotFoundBody: "Mã này không có trong hệ thống truy xuất. Hãy kiểm tra lại mã trên bao bì.", Custodian: "Đang giữ hàng",
        InTransit: "Đang vận chuyển đến",
        Steps: new Dictionary<string, string>
        {
            ["batch.received.v1"] = "Tiếp nhận nguyên liệu", ["batch.washed.v1"] = "Sơ chế, làm sạch", ["batch.salted.v1"] = "Ướp muối",
            ["batch.dried.v1.sun"] = "Phơi nắng", ["batch.dried.v1.oven"] = "Sấy", ["batch.inspected.v1"] = "Kiểm tra chất lượng",
            ["batch.packed.v1"] = "Đóng gói", ["batch.stored.v1"] = "Bảo quản", ["batch.shipped.v1"] = "Xuất hàng",
            ["batch.receipt_confirmed.v1"] = "Nhận hàng", ["batch.recalled.v1"] = "Thu hồi sản phẩm", ["batch.note_added.v1"] = "Ghi chú",
            ["batch.corrected.v1"] = "Đính chính", ["batch.consumed.v1"] = "Đưa vào chế biến",
        },
        Words: new Dictionary<string, string>
        {
            ["pass"] = "Đạt", ["fail"] = "Không đạt", ["low"] = "thấp", ["medium"] = "trung bình", ["high"] = "cao", ["good"] = "nguyên vẹn",
            ["damaged"] = "hư hỏng", ["partial"] = "thiếu", ["salt"] = "tỷ lệ muối", ["hours"] = "giờ", ["moisture"] = "độ ẩm",
            ["packs"] = "gói", ["to"] = "đến", ["temperature"] = "nhiệt độ", ["correction"] = "sửa", ["because"] = "lý do",
            ["document"] = "số phiếu", ["transport"] = "phương tiện",
            ["kg"] = "kg", ["g"] = "g", ["t"] = "tấn", ["piece"] = "con", ["pack"] = "gói",
            ["vietgap"] = "VietGAP", ["globalgap"] = "GlobalG.A.P.", ["ocop"] = "OCOP", ["haccp"] = "HACCP", ["iso22000"] = "ISO 22000",
            ["organic"] = "Hữu cơ", ["other"] = "Khác",
        });

    public static PageTexts English { get; } = new(
        Title: "Product traceability", Product: "Product", Producer: "Producer", Address: "Address", ProducedAt: "Production date",
        LotNumber: "Lot number", TraceCode: "Trace code", BestBefore: "Best before", NetQuantity: "Quantity", Gtin: "GTIN",
        Origin: "Origin", FishingArea: "Fishing area", HarvestDates: "Catch dates", VesselOrHousehold: "Vessel / household",
        Timeline: "How it was made", Certifications: "Certifications", ValueChain: "Supply chain", Inputs: "Made from",
        RecallBanner: "THIS PRODUCT IS BEING RECALLED", RecallReason: "Reason", RecallSeverity: "Severity",
        Verified: "Verified, record intact", VerifiedDetail: "{0} events, unchanged since {1}",
        Tampered: "WARNING: the record has been altered", TamperedDetail: "The hash chain breaks at event {0}.",
        Stars: "stars", ValidUntil: "valid until", Place: "Where", By: "By", NoSteps: "No steps recorded yet.", Switch: "Tiếng Việt",
        NotFoundTitle: "Product not found",
        NotFoundBody: "This code is not in the traceability system. Please check the code on the pack.", Custodian: "Held by",
        InTransit: "On its way to",
        Steps: new Dictionary<string, string>
        {
            ["batch.received.v1"] = "Raw material received", ["batch.washed.v1"] = "Cleaned and washed", ["batch.salted.v1"] = "Salted",
            ["batch.dried.v1.sun"] = "Sun-dried", ["batch.dried.v1.oven"] = "Oven-dried", ["batch.inspected.v1"] = "Quality inspection",
            ["batch.packed.v1"] = "Packed", ["batch.stored.v1"] = "Stored", ["batch.shipped.v1"] = "Shipped",
            ["batch.receipt_confirmed.v1"] = "Received", ["batch.recalled.v1"] = "Recalled", ["batch.note_added.v1"] = "Note",
            ["batch.corrected.v1"] = "Correction", ["batch.consumed.v1"] = "Used to make a new batch",
        },
        Words: new Dictionary<string, string>
        {
            ["pass"] = "Pass", ["fail"] = "Fail", ["low"] = "low", ["medium"] = "medium", ["high"] = "high", ["good"] = "in good condition",
            ["damaged"] = "damaged", ["partial"] = "partial", ["salt"] = "salt", ["hours"] = "hours", ["moisture"] = "moisture",
            ["packs"] = "packs", ["to"] = "to", ["temperature"] = "temperature", ["correction"] = "corrected", ["because"] = "reason",
            ["document"] = "document", ["transport"] = "transport",
            ["kg"] = "kg", ["g"] = "g", ["t"] = "t", ["piece"] = "pieces", ["pack"] = "packs",
            ["vietgap"] = "VietGAP", ["globalgap"] = "GlobalG.A.P.", ["ocop"] = "OCOP", ["haccp"] = "HACCP", ["iso22000"] = "ISO 22000",
            ["organic"] = "Organic", ["other"] = "Other",
        });
}
