using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Traceability.EventStore;

namespace Traceability.Projections.Hosting;

/// <summary>Where a projection stands: its checkpoint, how many events it has applied, how far behind <c>$all</c> it is.</summary>
public sealed record ProjectionStatus(string Name, GlobalPosition Checkpoint, long EventsApplied, DateTimeOffset? LastAppliedEventRecorded,
    string State, string? LastError);

/// <summary>
/// Runs every projection as a catch-up subscription on <c>$all</c>. Each batch of events is applied and the
/// checkpoint moved in one transaction (exactly-once effect); on restart a projection resumes after its
/// checkpoint. Events are batched as they arrive — up to <see cref="MaxBatch"/> — so a rebuild writes in large
/// transactions and live processing in small ones. Projections at the same checkpoint share one reader and one
/// transaction per batch.
/// </summary>
public sealed class Projector(IEventStore store, ReadModelDatabase database, IEnumerable<IProjection> projections, ILogger<Projector> logger)
    : IAsyncDisposable
{
    public const int MaxBatch = 2000;

    private readonly IReadOnlyList<IProjection> _projections = projections.ToList();
    private readonly ConcurrentDictionary<string, ProjectionStatus> _status = new();
    /// <summary>The loops that run, each serving one or more projections that stand at the same checkpoint.</summary>
    private readonly List<(IReadOnlyList<IProjection> Members, CancellationTokenSource Stop, Task Loop)> _running = [];
    private readonly SemaphoreSlim _control = new(1, 1);

    public IReadOnlyList<IProjection> Projections => _projections;

    public IReadOnlyCollection<ProjectionStatus> Status => _status.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    private readonly CancellationTokenSource _closing = new();
    private ProjectorLease? _lease;
    private Task? _starting;
    private Lazy<Task>? _disposal;

    /// <summary>True while this instance holds the lease and runs the projections (false: standby).</summary>
    public bool IsActive => _lease is not null;

    /// <summary>
    /// Starts in the background: waits for the lease (a standby keeps waiting), then runs every projection from its
    /// checkpoint. Returns at once so a standby never blocks its host's start.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _starting = Task.Run(async () =>
        {
            try
            {
                _lease = await ProjectorLease.AcquireAsync(database, () =>
                {
                    foreach (var p in _projections) _status[p.Name] = new ProjectionStatus(p.Name, GlobalPosition.Start, 0, null, "standby", null);
                }, _closing.Token);
                foreach (var projection in _projections) await CreateSchemaAsync(projection, _closing.Token);
                await _control.WaitAsync(_closing.Token);
                try { await StartAllAsync(_closing.Token); }
                finally { _control.Release(); }
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Completes once this instance is active and every projection has started.</summary>
    public Task Started => _starting ?? Task.CompletedTask;

    /// <summary>Drops the projection's tables and checkpoint and replays it from the first event.</summary>
    public async Task RebuildAsync(string name, CancellationToken cancellationToken)
    {
        var projection = _projections.SingleOrDefault(p => p.Name == name)
                         ?? throw new ArgumentException($"No projection named '{name}'.", nameof(name));
        await Task.WhenAny(Started, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
        if (!IsActive) throw new ProjectorStandbyException();
        await _control.WaitAsync(cancellationToken);
        try
        {
            // Every loop stops (the projection may share one), the projection starts over, and the loops are formed again.
            await StopAllAsync();
            await database.WriteAsync(async (connection, transaction) =>
            {
                foreach (var table in projection.Tables)
                    await database.ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {table}", cancellationToken);
                return await database.ExecuteAsync(connection, transaction, "DELETE FROM projection_checkpoints WHERE name = @name", cancellationToken,
                    ("@name", name));
            }, cancellationToken);

            await CreateSchemaAsync(projection, cancellationToken);
            await StartAllAsync(cancellationToken, rebuilding: name);
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>Waits until every projection has applied everything up to <paramref name="position"/> (or as far as its filter reaches).</summary>
    public Task WaitForAsync(GlobalPosition position, CancellationToken cancellationToken) =>
        CatchUpLoop.WaitForAsync(store, position, () => _projections.Select(p =>
            (_status.TryGetValue(p.Name, out var s) ? s.Checkpoint : GlobalPosition.Start, p.Filter)), cancellationToken);

    /// <summary>
    /// Starts a loop per checkpoint: projections that stand at the same place (all of them after a restart, or a
    /// whole rebuild) share one reader of <c>$all</c> and one transaction per batch, instead of each reading and
    /// committing alone.
    /// </summary>
    private async Task StartAllAsync(CancellationToken cancellationToken, string? rebuilding = null)
    {
        var standing = new List<(IProjection Projection, GlobalPosition Checkpoint, long Events)>();
        foreach (var projection in _projections)
        {
            var (checkpoint, events) = await database.LoadCheckpointAsync(projection.Name, cancellationToken);
            standing.Add((projection, checkpoint, events));
            _status[projection.Name] = new ProjectionStatus(projection.Name, checkpoint, events, null,
                projection.Name == rebuilding ? "rebuilding" : "catching up", null);
        }

        foreach (var group in standing.GroupBy(s => s.Checkpoint))
        {
            var members = group.Select(g => g.Projection).ToList();
            var applied = group.ToDictionary(g => g.Projection.Name, g => g.Events, StringComparer.Ordinal);
            var stop = new CancellationTokenSource();
            _running.Add((members, stop, Task.Run(() => RunAsync(members, group.Key, applied, stop.Token))));
        }
    }

    private async Task StopAllAsync()
    {
        foreach (var (_, stop, loop) in _running)
        {
            await stop.CancelAsync();
            try { await loop; }
            catch (OperationCanceledException) { }
            stop.Dispose();
        }

        _running.Clear();
    }

    private Task RunAsync(IReadOnlyList<IProjection> members, GlobalPosition checkpoint, Dictionary<string, long> applied, CancellationToken stop) =>
        CatchUpLoop.RunAsync(store, Union(members), checkpoint, MaxBatch, async (batch, more, ct) =>
        {
            var counts = await ApplyAsync(members, batch, applied, ct);
            foreach (var member in members)
            {
                applied[member.Name] += counts[member.Name];
                _status[member.Name] = new ProjectionStatus(member.Name, batch[^1].Position, applied[member.Name], batch[^1].Recorded,
                    more ? "catching up" : "live", null);
            }
        }, (error, from) =>
        {
            // A failed batch committed nothing: the loop retries from the checkpoint, backing off.
            foreach (var member in members)
            {
                logger.LogError(error, "Projection {Projection} failed at {Checkpoint}; retrying", member.Name, from);
                _status[member.Name] = _status[member.Name] with { State = "failing", LastError = error.Message };
            }
        }, stop);

    /// <summary>What a loop reads: the members' categories when each filters by category only, else everything (each member then picks its own).</summary>
    private static EventFilter Union(IReadOnlyList<IProjection> members) =>
        members.All(m => m.Filter.Categories.Count > 0 && m.Filter.EventTypes.Count == 0)
            ? new EventFilter(members.SelectMany(m => m.Filter.Categories).Distinct(StringComparer.Ordinal).ToList(), [])
            : members.Count == 1 ? members[0].Filter : EventFilter.All;

    /// <summary>Applies a batch to every member and moves every member's checkpoint, in one transaction.</summary>
    private async Task<Dictionary<string, long>> ApplyAsync(IReadOnlyList<IProjection> members, IReadOnlyList<RecordedEvent> batch,
        IReadOnlyDictionary<string, long> applied, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        // Each event's JSON is parsed once here, whichever projections read it.
        var documents = batch.Select(e => JsonDocument.Parse(e.Data)).ToList();
        using var parsed = new DocumentsLease(documents);
        var events = batch.Select((e, i) => new ProjectedEvent(e, documents[i].RootElement)).ToList();
        var last = batch[^1].Position;
        await database.WriteAsync(async (connection, transaction) =>
        {
            foreach (var member in members)
            {
                var mine = members.Count == 1 ? events : events.Where(p => member.Filter.Matches(p.Event)).ToList();
                counts[member.Name] = mine.Count;
                if (mine.Count > 0)
                {
                    await using var work = new ProjectionBatch(database, connection, transaction, mine);
                    await member.ApplyAsync(work, cancellationToken);
                }

                await database.SaveCheckpointAsync(connection, transaction, member.Name, last, applied[member.Name] + mine.Count, cancellationToken);
            }

            return counts;
        }, cancellationToken);

        return counts;
    }

    private async Task CreateSchemaAsync(IProjection projection, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await database.ExecuteAsync(connection, null, projection.CreateSchema, cancellationToken);
    }

    /// <summary>
    /// Stops every projection and releases the lease. Safe to call more than once and concurrently: a host stops
    /// its hosted services twice when both its entry point's <c>Run</c> and its owner call <c>StopAsync</c> (as
    /// WebApplicationFactory does), and two disposals racing on the lease's one connection once hung a test run.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        var disposal = new Lazy<Task>(DisposeOnceAsync);
        return new ValueTask(Interlocked.CompareExchange(ref _disposal, disposal, null)?.Value ?? disposal.Value);
    }

    private async Task DisposeOnceAsync()
    {
        await _closing.CancelAsync();
        if (_starting is not null) await _starting;
        await _control.WaitAsync();
        try { await StopAllAsync(); }
        finally { _control.Release(); }
        if (_lease is not null) await _lease.DisposeAsync();
        _lease = null;
    }
}

/// <summary>Rebuilds run on the active projector; this instance is a standby.</summary>
public sealed class ProjectorStandbyException() : InvalidOperationException("This instance is a standby projector: rebuild on the active one.");

/// <summary>Disposes a batch's parsed documents when its transaction is done (they rent pooled buffers).</summary>
file sealed class DocumentsLease(IReadOnlyList<JsonDocument> documents) : IDisposable
{
    public void Dispose()
    {
        foreach (var document in documents) document.Dispose();
    }
}
