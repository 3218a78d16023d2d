using System.Collections.Concurrent;
using MassTransit;
using Traceability.Contracts;

namespace Traceability.Projections.Integration;

/// <summary>
/// This process's cache of rendered provenance (the public page in each language, the JSON), per batch and variant.
/// Every Api instance has its own; <see cref="ProvenanceCacheInvalidator"/> evicts a batch from all of them when its
/// record changes. The message can arrive before this instance's read model has applied the change (the relay and
/// the projector run side by side), so an eviction also records the batch revision a copy must have reached: a render
/// from an older read model is served but not kept. Changes that send no batch message (a cooperative's
/// certification) reach the page within <see cref="MaxAge"/>.
/// </summary>
public sealed class ProvenanceCache(TimeProvider time)
{
    /// <summary>Batches kept at most; past it the cache is cleared (cheap, and the page re-renders on demand).</summary>
    public const int MaxBatches = 20_000;

    /// <summary>How long a copy is kept at most, whatever happens.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private readonly ConcurrentDictionary<Guid, long> _required = new();
    private long _generation;
    private long _evictions;

    private sealed record Entry(long Revision, long Generation, DateTimeOffset Expires)
    {
        public ConcurrentDictionary<string, object> Values { get; } = new(StringComparer.Ordinal);
    }

    public ProvenanceCache() : this(TimeProvider.System)
    {
    }

    public long Evictions => Interlocked.Read(ref _evictions);

    public int Count => _entries.Count;

    public bool TryGet<T>(Guid batchId, string variant, out T value) where T : class
    {
        if (_entries.TryGetValue(batchId, out var entry) && Fresh(batchId, entry) && entry.Values.TryGetValue(variant, out var stored) && stored is T typed)
        {
            value = typed;
            return true;
        }

        value = null!;
        return false;
    }

    /// <summary>The cached copy, or <paramref name="render"/>'s, which also says the batch revision it was made from.</summary>
    public async Task<T> GetOrAddAsync<T>(Guid batchId, string variant, Func<CancellationToken, Task<(T Value, long Revision)>> render,
        CancellationToken cancellationToken) where T : class
    {
        if (TryGet<T>(batchId, variant, out var cached)) return cached;
        var generation = Interlocked.Read(ref _generation);
        var (value, revision) = await render(cancellationToken);
        if (revision < _required.GetValueOrDefault(batchId, -1) || generation != Interlocked.Read(ref _generation)) return value;
        if (_entries.Count >= MaxBatches) Clear();
        var entry = _entries.AddOrUpdate(batchId, _ => new Entry(revision, generation, time.GetUtcNow() + MaxAge),
            (_, old) => old.Revision < revision || !Fresh(batchId, old) ? new Entry(revision, generation, time.GetUtcNow() + MaxAge) : old);
        if (entry.Revision == revision) entry.Values[variant] = value;
        return value;
    }

    /// <summary>Forgets every variant of the batch; from now on only a copy made at <paramref name="revision"/> or later is kept.</summary>
    public void Evict(Guid batchId, long revision)
    {
        _required.AddOrUpdate(batchId, revision, (_, old) => Math.Max(old, revision));
        _entries.TryRemove(batchId, out _);
        Interlocked.Increment(ref _evictions);
        if (_required.Count > MaxBatches) Clear();
    }

    private bool Fresh(Guid batchId, Entry entry) =>
        entry.Revision >= _required.GetValueOrDefault(batchId, -1) && entry.Expires > time.GetUtcNow();

    /// <summary>Drops everything; renders that started before are not kept.</summary>
    private void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
        _required.Clear();
    }
}

/// <summary>
/// Evicts a batch from this instance's <see cref="ProvenanceCache"/> on any provenance change. It runs on a temporary,
/// per-instance endpoint (fan-out: every Api instance gets every message). Eviction is idempotent, so a redelivered or
/// re-published message (same id) does no harm; no inbox is needed.
/// </summary>
public sealed class ProvenanceCacheInvalidator(ProvenanceCache cache) : IConsumer<BatchProvenanceChanged>
{
    public Task Consume(ConsumeContext<BatchProvenanceChanged> context)
    {
        cache.Evict(context.Message.BatchId, context.Message.Revision);
        return Task.CompletedTask;
    }
}
