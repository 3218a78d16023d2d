using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Traceability.EventStore;

/// <summary>
/// What both SQL backends share: validation, the group-commit writer, paging, live subscriptions and hash
/// verification. A backend supplies the SQL: an append transaction and a few page reads.
/// </summary>
/// <remarks>
/// Group commit: every append is queued; one writer task takes whatever is queued (up to a bound), opens one
/// transaction, locks and reads the heads of the streams involved, decides each append in queue order
/// (<see cref="AppendPlan"/>), inserts the rows, commits once, and only then completes each caller. An
/// acknowledgement therefore means "committed and flushed". If the database itself fails the transaction, the
/// group is retried one append at a time so that only the faulty append fails.
/// </remarks>
public abstract class SqlEventStore : IEventStore
{
    private const int PageSize = 4096;
    private const long MaxGroupBytes = 8L * AppendValidation.MaxAppendBytes;

    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(
        new UnboundedChannelOptions { SingleReader = false });
    private readonly CommitSignal _commits = new();
    private Task? _writer;
    private int _disposed;

    protected SqlEventStore(EventStoreOptions options) => Options = options;

    protected EventStoreOptions Options { get; }

    /// <summary>
    /// How many group commits may be in flight at once. SQLite has one writer per file; a server can overlap one
    /// group's round trips and flush with the next group's (stream locks keep them consistent).
    /// </summary>
    private protected virtual int ConcurrentGroups => 1;

    /// <summary>Starts the writers; call once the schema is ready.</summary>
    protected void StartWriter() =>
        _writer = Task.WhenAll(Enumerable.Range(0, ConcurrentGroups).Select(_ => Task.Run(RunWriterAsync)));

    /// <summary>Backends call this when they learn of a commit made elsewhere (e.g. PostgreSQL NOTIFY).</summary>
    protected void SignalCommit() => _commits.Pulse();

    // ---- what a backend supplies ----

    private protected abstract Task<IAppendTransaction> BeginAppendAsync(CancellationToken cancellationToken);

    /// <summary>Events after a position in <c>$all</c> order, only those every reader can already see without gaps.</summary>
    private protected abstract Task<List<RecordedEvent>> ReadAllPageAsync(GlobalPosition after, int count, CancellationToken cancellationToken);

    private protected abstract Task<List<RecordedEvent>> ReadStreamPageAsync(string stream, ReadDirection direction, long fromRevision,
        int count, CancellationToken cancellationToken);

    /// <summary>Events ordered by stream name then revision, after (<paramref name="afterStream"/>, <paramref name="afterRevision"/>).</summary>
    private protected abstract Task<List<RecordedEvent>> ReadByStreamPageAsync(string afterStream, long afterRevision, int count,
        CancellationToken cancellationToken);

    /// <summary>The head table's rows for these streams (missing streams are absent).</summary>
    private protected abstract Task<Dictionary<string, StreamHead>> ReadHeadsAsync(IReadOnlyCollection<string> streams, CancellationToken cancellationToken);

    /// <summary>Streams whose head row claims events that the events table does not hold.</summary>
    private protected abstract Task<List<string>> ReadHeadsWithoutEventsAsync(CancellationToken cancellationToken);

    public abstract Task<GlobalPosition> ReadHeadPositionAsync(CancellationToken cancellationToken = default);

    // ---- append ----

    public async Task<AppendResult> AppendAsync(string stream, ExpectedRevision expected, IReadOnlyList<EventData> events,
        CancellationToken cancellationToken = default)
    {
        var validated = AppendValidation.Validate(stream, events);
        var results = await EnqueueAsync([new StreamAppend(stream, expected, validated)], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    public Task<IReadOnlyList<AppendResult>> AppendMultipleAsync(IReadOnlyList<StreamAppend> appends,
        CancellationToken cancellationToken = default) =>
        EnqueueAsync(AppendValidation.Validate(appends), cancellationToken);

    private Task<IReadOnlyList<AppendResult>> EnqueueAsync(StreamAppend[] parts, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingAppend(parts);
        if (!_queue.Writer.TryWrite(pending))
            throw new ObjectDisposedException(GetType().Name, "The event store is closed.");
        // Cancelling only stops waiting: an append the writer has already taken may still commit (as with
        // EventStoreDB); retrying with the same event ids is safe.
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>One caller's append: one part per stream, all written or none.</summary>
    private sealed record PendingAppend(StreamAppend[] Parts)
    {
        public TaskCompletionSource<IReadOnlyList<AppendResult>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Bytes => Parts.SelectMany(p => p.Events).Sum(e => (long)e.Data.Length + e.Metadata.Length);
    }

    private async Task RunWriterAsync()
    {
        var reader = _queue.Reader;
        var group = new List<PendingAppend>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            long bytes = 0;
            while (group.Count < Options.MaxAppendsPerCommit && bytes < MaxGroupBytes && reader.TryRead(out var pending))
            {
                group.Add(pending);
                bytes += pending.Bytes;
            }

            await WriteGroupAsync(group).ConfigureAwait(false);
        }
    }

    private async Task WriteGroupAsync(List<PendingAppend> group)
    {
        try
        {
            await CommitGroupAsync(group).ConfigureAwait(false);
        }
        catch (Exception) when (group.Count > 1)
        {
            foreach (var pending in group)
            {
                try
                {
                    await CommitGroupAsync([pending]).ConfigureAwait(false);
                }
                catch (Exception error)
                {
                    pending.Completion.TrySetException(error);
                }
            }
        }
        catch (Exception error)
        {
            group[0].Completion.TrySetException(error);
        }
    }

    private async Task CommitGroupAsync(List<PendingAppend> group)
    {
        var streams = group.SelectMany(p => p.Parts).Select(p => p.Stream).Distinct(StringComparer.Ordinal).ToList();
        var ids = group.SelectMany(p => p.Parts).SelectMany(p => p.Events).Select(e => e.EventId).ToHashSet();

        var outcomes = new AppendPlan.Outcome[group.Count][];
        var positions = Array.Empty<GlobalPosition>();
        await using (var transaction = await BeginAppendAsync(CancellationToken.None).ConfigureAwait(false))
        {
            var (heads, stored) = await transaction.LockAndReadAsync(streams, ids, CancellationToken.None).ConfigureAwait(false);
            var plan = new AppendPlan(heads, stored, EventHash.ToMicroseconds(Options.Time.GetUtcNow()));
            for (var i = 0; i < group.Count; i++)
                outcomes[i] = plan.DecideAll(group[i].Parts);

            if (plan.Rows.Count > 0)
                positions = await transaction.InsertAsync(plan.Rows, plan.ChangedHeads, CancellationToken.None).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (positions.Length > 0) _commits.Pulse();
        for (var i = 0; i < group.Count; i++)
        {
            if (outcomes[i][0].Error is { } error) group[i].Completion.TrySetException(error);
            else group[i].Completion.TrySetResult(outcomes[i].Select(o => o.Result(positions)).ToArray());
        }
    }

    // ---- reads ----

    public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string stream, ReadDirection direction, long fromRevision, long maxCount,
        CancellationToken cancellationToken = default)
    {
        StreamName.Validate(stream);
        if (fromRevision < 0)
            throw new EventStoreArgumentException(EventStoreErrorCode.InvalidRevision, nameof(fromRevision),
                $"A revision to read from is 0 or more (StreamRevision.End reads backward from the end); {fromRevision} is not.");
        RequirePositiveCount(maxCount);
        if (!Enum.IsDefined(direction))
            throw new EventStoreArgumentException(EventStoreErrorCode.InvalidCount, nameof(direction), $"Unknown direction {direction}.");
        return ReadStreamPagesAsync(stream, direction, fromRevision, maxCount, cancellationToken);
    }

    private async IAsyncEnumerable<RecordedEvent> ReadStreamPagesAsync(string stream, ReadDirection direction, long from, long remaining,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (remaining > 0)
        {
            var page = await ReadStreamPageAsync(stream, direction, from, (int)Math.Min(remaining, PageSize), cancellationToken).ConfigureAwait(false);
            foreach (var e in page) yield return e;
            if (page.Count < Math.Min(remaining, PageSize)) yield break;
            remaining -= page.Count;
            var last = page[^1].Revision;
            if (direction == ReadDirection.Forward) from = last + 1;
            else if (last == 0) yield break;
            else from = last - 1;
        }
    }

    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(GlobalPosition after, long maxCount = long.MaxValue,
        CancellationToken cancellationToken = default)
    {
        RequireValidPosition(after);
        RequirePositiveCount(maxCount);
        return ReadAllPagesAsync(after, maxCount, cancellationToken);
    }

    private async IAsyncEnumerable<RecordedEvent> ReadAllPagesAsync(GlobalPosition after, long remaining,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (remaining > 0)
        {
            var want = (int)Math.Min(remaining, PageSize);
            var page = await ReadAllPageAsync(after, want, cancellationToken).ConfigureAwait(false);
            foreach (var e in page) yield return e;
            if (page.Count < want) yield break;
            remaining -= page.Count;
            after = page[^1].Position;
        }
    }

    public IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(GlobalPosition after, EventFilter? filter = null,
        CancellationToken cancellationToken = default)
    {
        RequireValidPosition(after);
        if (filter is { Categories: null } or { EventTypes: null })
            throw new EventStoreArgumentException(EventStoreErrorCode.InvalidCount, nameof(filter), "A filter's lists must not be null.");
        OnSubscribing();
        return SubscribeAsync(after, filter ?? EventFilter.All, cancellationToken);
    }

    /// <summary>Lets a backend start listening for other processes' commits when the first subscriber arrives.</summary>
    protected virtual void OnSubscribing()
    {
    }

    private async IAsyncEnumerable<RecordedEvent> SubscribeAsync(GlobalPosition checkpoint, EventFilter filter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var wokenByCommit = false;
        while (true)
        {
            // Take the signal before reading: a commit that lands during the read still wakes the next wait.
            var nextCommit = _commits.Next;
            var page = await ReadAllPageAsync(checkpoint, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var e in page)
            {
                checkpoint = e.Position;
                if (filter.Matches(e)) yield return e;
            }

            if (page.Count == PageSize) continue;

            // Woken by a commit but nothing readable: an earlier transaction is still open and holds newer events
            // back (PostgreSQL); look again soon rather than after a whole poll interval.
            var wait = wokenByCommit && page.Count == 0 ? TimeSpan.FromMilliseconds(20) : Options.PollInterval;
            var delay = Task.Delay(wait, Options.Time, cancellationToken);
            var woke = await Task.WhenAny(nextCommit, delay).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            wokenByCommit = woke == nextCommit;
        }
    }

    // ---- verification ----

    public async Task<StreamVerification> VerifyStreamAsync(string stream, CancellationToken cancellationToken = default)
    {
        StreamName.Validate(stream);
        var chain = new ChainVerifier(stream);
        await foreach (var e in ReadStreamPagesAsync(stream, ReadDirection.Forward, 0, long.MaxValue, cancellationToken).ConfigureAwait(false))
            chain.Add(e);
        var heads = await ReadHeadsAsync([stream], cancellationToken).ConfigureAwait(false);
        return chain.Finish(heads.TryGetValue(stream, out var head) ? head : StreamHead.None);
    }

    public async Task<StoreVerification> VerifyAllAsync(CancellationToken cancellationToken = default)
    {
        var mismatches = new List<HashMismatch>();
        long streams = 0, events = 0;
        ChainVerifier? chain = null;
        var heads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        var afterStream = "";
        var afterRevision = long.MaxValue;
        while (true)
        {
            var page = await ReadByStreamPageAsync(afterStream, afterRevision, PageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) break;
            foreach (var head in await ReadHeadsAsync(page.Select(e => e.Stream).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false))
                heads[head.Key] = head.Value;
            foreach (var e in page)
            {
                if (chain is null || !string.Equals(chain.Stream, e.Stream, StringComparison.Ordinal))
                {
                    if (chain is not null) Finish(chain);
                    chain = new ChainVerifier(e.Stream);
                    streams++;
                }

                chain.Add(e);
                events++;
            }

            // Keep only the head of the stream that may go on in the next page.
            heads = heads.Where(h => h.Key == chain!.Stream).ToDictionary(StringComparer.Ordinal);
            (afterStream, afterRevision) = (page[^1].Stream, page[^1].Revision);
        }

        if (chain is not null) Finish(chain);
        foreach (var stream in await ReadHeadsWithoutEventsAsync(cancellationToken).ConfigureAwait(false))
            mismatches.Add(new HashMismatch(stream, 0, null, "The stream's head claims events that are not stored."));
        return new StoreVerification(streams, events, mismatches);

        void Finish(ChainVerifier verified)
        {
            var result = verified.Finish(heads.TryGetValue(verified.Stream, out var head) ? head : StreamHead.None);
            if (result.FirstMismatch is { } mismatch) mismatches.Add(mismatch);
        }
    }

    // ---- argument checks ----

    private static void RequirePositiveCount(long count)
    {
        if (count <= 0)
            throw new EventStoreArgumentException(EventStoreErrorCode.InvalidCount, "maxCount",
                $"A count of events to read is 1 or more; {count} is not.");
    }

    private static void RequireValidPosition(GlobalPosition position)
    {
        if (position.Commit < 0 || position.Prepare < 0)
            throw new EventStoreArgumentException(EventStoreErrorCode.InvalidRevision, "after",
                $"A global position is never negative; {position} is not a position.");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _queue.Writer.TryComplete();
        if (_writer is not null) await _writer.ConfigureAwait(false);
        await DisposeBackendAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    private protected abstract ValueTask DisposeBackendAsync();
}
