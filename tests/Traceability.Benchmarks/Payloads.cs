using System.Text.Encodings.Web;
using System.Text.Json;
using Traceability.EventStore;

namespace Traceability.Benchmarks;

/// <summary>The event every benchmark writes: our store gets it as JSON bytes, Marten as this CLR object.</summary>
public sealed record BatchDried(
    string BatchId,
    string Product,
    string Origin,
    string Step,
    string Operator,
    decimal WeightKg,
    decimal MoisturePct,
    DateTimeOffset At,
    string Note);

/// <summary>
/// A pool of realistic ~300-byte UTF-8 JSON payloads (Vietnamese text) and ~150-byte metadata, built once so that
/// serialisation is not part of what the store benchmarks time. Event ids are fresh per event.
/// </summary>
internal sealed class Payloads
{
    private const int PoolSize = 1024;

    private static readonly string[] Types = ["batch.dried.v1", "batch.salted.v1", "batch.packed.v1", "batch.inspected.v1"];

    private static readonly string[] Products =
    [
        "Khô cá dứa một nắng — Cần Giờ",
        "Mực một nắng — Phan Thiết",
        "Tôm khô đất — Cà Mau",
        "Khô cá lóc — Đồng Tháp",
    ];

    private static readonly string[] Origins =
    [
        "Ấp Thạnh Bình, xã Thạnh An, huyện Cần Giờ, TP. Hồ Chí Minh",
        "Phường Mũi Né, thành phố Phan Thiết, tỉnh Bình Thuận",
        "Xã Tân Ân, huyện Ngọc Hiển, tỉnh Cà Mau",
        "Xã Tân Hòa, huyện Lai Vung, tỉnh Đồng Tháp",
    ];

    private static readonly string[] Steps = ["Phơi nắng lần 1", "Ướp muối nhạt", "Đóng gói hút chân không", "Kiểm tra độ ẩm"];

    private static readonly string[] Operators = ["Nguyễn Thị Mai", "Trần Văn Hùng", "Lê Thị Hồng Nhung", "Phạm Quốc Bảo"];

    private static readonly string[] Notes =
    [
        "Trời nắng gắt, phơi trên giàn tre",
        "Muối hạt Bạc Liêu, ướp 2 giờ",
        "Túi PA/PE 500 g, dán nhãn QR",
        "Độ ẩm đạt chuẩn, không mùi lạ",
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Keep Vietnamese as UTF-8 rather than \uXXXX escapes, as a real client would send it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly BatchDried[] _objects = new BatchDried[PoolSize];
    private readonly byte[][] _data = new byte[PoolSize][];
    private readonly byte[][] _metadata = new byte[PoolSize][];

    public Payloads()
    {
        var start = new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.FromHours(7));
        for (var i = 0; i < PoolSize; i++)
        {
            var k = i % 4;
            _objects[i] = new BatchDried(
                $"CG-2025-{i:D6}", Products[k], Origins[k], Steps[(i / 4) % 4], Operators[(i / 16) % 4],
                12.35m + i % 50 / 10m, 18.2m - i % 30 / 10m, start.AddMinutes(i * 7), Notes[(i / 4) % 4]);
            _data[i] = JsonSerializer.SerializeToUtf8Bytes(_objects[i], Json);
            _metadata[i] = JsonSerializer.SerializeToUtf8Bytes(new
            {
                correlationId = CorrelationId(i),
                causationId = CausationId(i),
                actor = "Hợp tác xã Thạnh An",
                source = "mobile-app/2.3.1",
            }, Json);
        }
    }

    public double AverageDataBytes => _data.Average(d => d.Length);

    public double AverageMetadataBytes => _metadata.Average(d => d.Length);

    public static string Type(long i) => Types[i % Types.Length];

    public byte[] Data(long i) => _data[i % PoolSize];

    public byte[] Metadata(long i) => _metadata[i % PoolSize];

    public BatchDried Object(long i) => _objects[i % PoolSize];

    public static string CorrelationId(long i) => new Guid((int)(i % PoolSize), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10).ToString();

    public static string CausationId(long i) => new Guid((int)(i % PoolSize), 2, 2, 3, 4, 5, 6, 7, 8, 9, 10).ToString();

    /// <summary>Event <paramref name="i"/> of a run, with a fresh (time-ordered) event id.</summary>
    public EventData Event(long i) => new(Guid.CreateVersion7(), Type(i), Data(i), Metadata(i));

    public EventData[] Events(long first, int count)
    {
        var events = new EventData[count];
        for (var k = 0; k < count; k++)
            events[k] = Event(first + k);
        return events;
    }
}
