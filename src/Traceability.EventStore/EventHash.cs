using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Traceability.EventStore;

/// <summary>
/// The hash chain: <c>hash(n) = SHA-256(hash(n-1) ‖ canonical(event n))</c>, with 32 zero bytes before the first
/// event of a stream. The canonical encoding is fixed and length-prefixed, so no two different events encode
/// alike and nothing depends on a runtime's <c>ToString()</c>:
/// <code>
/// "trace.ev.v1" | u32 len | stream utf-8 | i64 revision | 16-byte event id (RFC 9562, big-endian)
///               | u32 len | type utf-8   | i64 recorded time (µs since Unix epoch, UTC)
///               | u32 len | data bytes   | u32 len | metadata bytes
/// </code>
/// All integers are big-endian. The global position is not hashed: it is the store's ordering, not the
/// record's content, and a stream's chain must verify the same on any backend.
/// </summary>
public static class EventHash
{
    public const int Size = 32;

    private static readonly byte[] Domain = "trace.ev.v1"u8.ToArray();
    private static readonly byte[] Genesis = new byte[Size];

    public static byte[] Compute(ReadOnlySpan<byte> previousHash, string stream, long revision, Guid eventId, string type,
        long recordedMicroseconds, ReadOnlySpan<byte> data, ReadOnlySpan<byte> metadata)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(previousHash.IsEmpty ? Genesis : previousHash);
        sha.AppendData(Domain);
        AppendString(sha, stream);
        AppendInt64(sha, revision);
        Span<byte> id = stackalloc byte[16];
        eventId.TryWriteBytes(id, bigEndian: true, out _);
        sha.AppendData(id);
        AppendString(sha, type);
        AppendInt64(sha, recordedMicroseconds);
        AppendBytes(sha, data);
        AppendBytes(sha, metadata);
        return sha.GetHashAndReset();
    }

    public static byte[] Compute(ReadOnlySpan<byte> previousHash, RecordedEvent e) =>
        Compute(previousHash, e.Stream, e.Revision, e.EventId, e.Type, ToMicroseconds(e.Recorded), e.Data.Span, e.Metadata.Span);

    public static long ToMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicroseconds(long microseconds) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + microseconds * 10, TimeSpan.Zero);

    private static void AppendString(IncrementalHash sha, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        AppendBytes(sha, bytes);
    }

    private static void AppendBytes(IncrementalHash sha, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
        sha.AppendData(length);
        sha.AppendData(bytes);
    }

    private static void AppendInt64(IncrementalHash sha, long value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(buffer, value);
        sha.AppendData(buffer);
    }
}
