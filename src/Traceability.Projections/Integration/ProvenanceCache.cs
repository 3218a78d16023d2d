using System.Collections.Concurrent;
using MassTransit;
using Traceability.Contracts;

namespace Traceability.Projections.Integration;

/// <summary>
/// This process's cache of rendered provenance (the public page, issue 5), per batch and variant (language, format…).
/// Every Api instance has its own; <see cref="ProvenanceCacheInvalidator"/> evicts a batch from all of them when its
/// provenance changes. A value computed while an eviction happens is not stored (a per-batch generation guards it),
/// so a stale copy never outlives the eviction that should have removed it.
/// </summary>
public sealed class ProvenanceCache
{
    /// <summary>Batches kept at most; past it the cache is cleared (cheap, and the page re-renders on demand).</summary>
    public const int MaxBatches = 20_000;

    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private readonly ConcurrentDictionary<Guid, long> _generations = new();
    private long _evictions;

    private sealed class Entry(long generation)
    {
        public long Generation { get; } = generation;
        public ConcurrentDictionary<string, object> Values { get; } = new(StringComparer.Ordinal);
    }

    public long Evictions => Interlocked.Read(ref _evictions);

    public int Count => _entries.Count;

    public bool TryGet<T>(Guid batchId, string variant, out T value) where T : class
    {
        if (_entries.TryGetValue(batchId, out var entry) && entry.Values.TryGetValue(variant, out var stored) && stored is T typed)
        {
            value = typed;
            return true;
        }

        value = null!;
        return false;
    }

    public async Task<T> GetOrAddAsync<T>(Guid batchId, string variant, Func<CancellationToken, Task<T>> render, CancellationToken cancellationToken)
        where T : class
    {
        if (TryGet<T>(batchId, variant, out var cached)) return cached;
        var generation = _generations.GetValueOrDefault(batchId);
        var value = await render(cancellationToken);
        if (_generations.GetValueOrDefault(batchId) != generation) return value; // evicted meanwhile: serve, do not keep
        if (_entries.Count >= MaxBatches) _entries.Clear();
        var entry = _entries.GetOrAdd(batchId, _ => new Entry(generation));
        if (entry.Generation == generation) entry.Values[variant] = value;
        return value;
    }

    /// <summary>Forgets every variant of the batch; anything being rendered now is not kept.</summary>
    public void Evict(Guid batchId)
    {
        _generations.AddOrUpdate(batchId, 1, (_, g) => g + 1);
        _entries.TryRemove(batchId, out _);
        Interlocked.Increment(ref _evictions);
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
        cache.Evict(context.Message.BatchId);
        return Task.CompletedTask;
    }
}
