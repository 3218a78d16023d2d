using Microsoft.Data.Sqlite;
using Traceability.EventStore;

namespace Traceability.Benchmarks;

/// <summary>
/// SQLite append throughput: the store (WAL, synchronous=FULL, group commit) against raw Microsoft.Data.Sqlite
/// doing the same durable inserts one transaction per row, plus concurrency and batching.
/// </summary>
internal static class SqliteBenchmarks
{
    /// <summary>Single-writer figures spread their appends round-robin over this many streams.</summary>
    private const int Streams = 100;

    public static async Task RunAsync(Settings settings, Payloads payloads, Report report)
    {
        await report.GroupAsync("sqlite.append.single / sqlite.raw.single", async () =>
        {
            var (store, raw) = await SingleVersusRawAsync(settings, payloads);
            report.Figure("sqlite.append.single", store.PerSecond, "events/s");
            report.Figure("sqlite.raw.single", raw.PerSecond, "events/s");
        });
        await report.GroupAsync("sqlite.append.concurrent32", async () =>
        {
            var r = await ConcurrentAsync("sqlite.append.concurrent32", settings, payloads, writers: 32);
            report.Figure("sqlite.append.concurrent32", r.PerSecond, "events/s");
        });
        foreach (var size in new[] { 10, 50 })
        {
            var name = $"sqlite.append.batch{size}";
            await report.GroupAsync(name, async () =>
            {
                var r = await SingleWriterAsync(name, settings, payloads, eventsPerAppend: size);
                report.Figure(name, r.PerSecond, "events/s");
            });
        }
    }

    /// <summary>
    /// The store and the raw baseline, measured in alternating slices (store, raw, store, raw, …) of the same total
    /// duration each, so that drift in the disk's fsync latency (a shared VM disk varies by tens of percent from
    /// minute to minute) hits both sides of the ratio alike.
    /// </summary>
    private static async Task<(Measure.Result Store, Measure.Result Raw)> SingleVersusRawAsync(Settings settings, Payloads payloads)
    {
        const string storeName = "sqlite.append.single", rawName = "sqlite.raw.single";
        await using var store = await EventStoreFactory.OpenAsync($"Data Source={settings.NewDbPath(storeName)}");
        using var raw = new RawSqliteWriter(settings.NewDbPath(rawName), payloads);

        Log.Info($"{storeName} / {rawName}: warm-up {settings.Warmup.TotalSeconds:F1} s each");
        await Measure.RunAsync(1, settings.Warmup, _ => SingleWriterStep(store, payloads, "w", 1));
        await Measure.RunAsync(1, settings.Warmup, _ => raw.Step("w"));

        var rounds = settings.Quick ? 4 : 5;
        var slice = settings.Duration / rounds;
        Log.Info($"{storeName} / {rawName}: measuring {rounds} alternating slices of {slice.TotalSeconds:F1} s each");
        var storeStep = SingleWriterStep(store, payloads, "t", 1);
        var rawStep = raw.Step("t");
        Measure.Result storeTotal = default, rawTotal = default;
        for (var round = 0; round < rounds; round++)
        {
            var s = await Measure.RunAsync(1, slice, _ => storeStep);
            var r = await Measure.RunAsync(1, slice, _ => rawStep);
            Log.Info($"  slice {round + 1}: store {s.PerSecond:F0} events/s, raw {r.PerSecond:F0} events/s");
            storeTotal = storeTotal.Add(s);
            rawTotal = rawTotal.Add(r);
        }

        Log.Info($"{storeName}: {storeTotal.Events} events in {storeTotal.Elapsed.TotalSeconds:F2} s; " +
                 $"{rawName}: {rawTotal.Events} events in {rawTotal.Elapsed.TotalSeconds:F2} s");
        return (storeTotal, rawTotal);
    }

    /// <summary>One writer, awaiting each append before the next, round-robin over 100 streams, exact revisions.</summary>
    private static async Task<Measure.Result> SingleWriterAsync(string name, Settings settings, Payloads payloads,
        int eventsPerAppend)
    {
        await using var store = await EventStoreFactory.OpenAsync($"Data Source={settings.NewDbPath(name)}");
        return await Measure.WarmThenRunAsync(name, settings, 1,
            (phase, _) => SingleWriterStep(store, payloads, phase, eventsPerAppend));
    }

    private static Func<Task<int>> SingleWriterStep(IEventStore store, Payloads payloads, string phase, int eventsPerAppend)
    {
        var streams = Enumerable.Range(0, Streams).Select(s => $"batch-{phase}{s}").ToArray();
        var revisions = Enumerable.Repeat(StreamRevision.None, Streams).ToArray();
        long appends = 0;
        return async () =>
        {
            var slot = (int)(appends % Streams);
            var expected = revisions[slot] == StreamRevision.None
                ? ExpectedRevision.NoStream
                : ExpectedRevision.Exact(revisions[slot]);
            var result = await store.AppendAsync(streams[slot], expected,
                payloads.Events(appends * eventsPerAppend, eventsPerAppend));
            revisions[slot] = result.NextExpectedRevision;
            appends++;
            return eventsPerAppend;
        };
    }

    /// <summary>Many writers, each appending one event at a time to its own stream, exact revisions.</summary>
    private static async Task<Measure.Result> ConcurrentAsync(string name, Settings settings, Payloads payloads, int writers)
    {
        await using var store = await EventStoreFactory.OpenAsync($"Data Source={settings.NewDbPath(name)}");
        var measured = await Workloads.OneEventPerAppendAsync(store, name, settings, payloads, writers, "c");
        await CommitGroups.LogAsync(name, store, Enumerable.Range(0, writers).Select(w => $"batch-tc{w}"),
            e => e.Recorded.UtcTicks, "distinct recorded times");
        return measured;
    }

    /// <summary>
    /// The baseline: the same rows (same columns, unique event id and (stream, revision), SHA-256 hash chain computed
    /// with the store's own <see cref="EventHash"/>) inserted with raw Microsoft.Data.Sqlite, one prepared INSERT in
    /// one transaction per row, WAL + synchronous=FULL. Stream heads (revision, previous hash) are kept in memory,
    /// so it does strictly less than the store.
    /// </summary>
    private sealed class RawSqliteWriter : IDisposable
    {
        private readonly Payloads _payloads;
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insert;
        private readonly SqliteParameter _id, _stream, _revision, _type, _data, _metadata, _us, _hash;

        public RawSqliteWriter(string path, Payloads payloads)
        {
            _payloads = payloads;
            _connection = new SqliteConnection($"Data Source={path};Pooling=False");
            _connection.Open();
            using (var setup = _connection.CreateCommand())
            {
                setup.CommandText = """
                    PRAGMA journal_mode=WAL;
                    PRAGMA synchronous=FULL;
                    CREATE TABLE events (
                        position    INTEGER PRIMARY KEY,
                        event_id    BLOB    NOT NULL UNIQUE,
                        stream      TEXT    NOT NULL,
                        revision    INTEGER NOT NULL,
                        type        TEXT    NOT NULL,
                        data        BLOB    NOT NULL,
                        metadata    BLOB    NOT NULL,
                        recorded_us INTEGER NOT NULL,
                        hash        BLOB    NOT NULL,
                        UNIQUE (stream, revision)
                    );
                    """;
                setup.ExecuteNonQuery();
            }

            _insert = _connection.CreateCommand();
            _insert.CommandText = """
                INSERT INTO events (event_id, stream, revision, type, data, metadata, recorded_us, hash)
                VALUES ($id, $stream, $revision, $type, $data, $metadata, $us, $hash)
                """;
            _id = _insert.Parameters.Add("$id", SqliteType.Blob);
            _stream = _insert.Parameters.Add("$stream", SqliteType.Text);
            _revision = _insert.Parameters.Add("$revision", SqliteType.Integer);
            _type = _insert.Parameters.Add("$type", SqliteType.Text);
            _data = _insert.Parameters.Add("$data", SqliteType.Blob);
            _metadata = _insert.Parameters.Add("$metadata", SqliteType.Blob);
            _us = _insert.Parameters.Add("$us", SqliteType.Integer);
            _hash = _insert.Parameters.Add("$hash", SqliteType.Blob);
        }

        /// <summary>A writer over its own 100 streams ("w": warm-up, "t": timed); each call durably inserts one event.</summary>
        public Func<Task<int>> Step(string phase)
        {
            var streams = Enumerable.Range(0, Streams).Select(s => $"batch-{phase}{s}").ToArray();
            var revisions = Enumerable.Repeat(StreamRevision.None, Streams).ToArray();
            var hashes = Enumerable.Repeat(Array.Empty<byte>(), Streams).ToArray();
            long i = 0;
            return () =>
            {
                var slot = (int)(i % Streams);
                var eventId = Guid.CreateVersion7();
                var type = Payloads.Type(i);
                var data = _payloads.Data(i);
                var metadata = _payloads.Metadata(i);
                var revision = revisions[slot] + 1;
                var us = EventHash.ToMicroseconds(DateTimeOffset.UtcNow);
                var hash = EventHash.Compute(hashes[slot], streams[slot], revision, eventId, type, us, data, metadata);

                using (var tx = _connection.BeginTransaction())
                {
                    _insert.Transaction = tx;
                    _id.Value = eventId.ToByteArray(bigEndian: true);
                    _stream.Value = streams[slot];
                    _revision.Value = revision;
                    _type.Value = type;
                    _data.Value = data;
                    _metadata.Value = metadata;
                    _us.Value = us;
                    _hash.Value = hash;
                    _insert.ExecuteNonQuery();
                    tx.Commit();
                }

                revisions[slot] = revision;
                hashes[slot] = hash;
                i++;
                return Task.FromResult(1);
            };
        }

        public void Dispose()
        {
            _insert.Dispose();
            _connection.Dispose();
        }
    }
}
