namespace Traceability.EventStore;

/// <summary>Wakes live subscribers when new events may be readable. Take <see cref="Next"/> before reading, then wait on it.</summary>
internal sealed class CommitSignal
{
    private TaskCompletionSource _next = New();

    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
