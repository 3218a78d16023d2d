using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>Closing a store: later appends are refused, disposing again is harmless, the data stays.</summary>
public abstract partial class EventStoreConformanceTests
{
    [Fact]
    public async Task A_closed_store_refuses_appends_and_disposing_it_again_is_harmless()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, [Ev.New()]).Bounded();

        await CloseAsync(store);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(stream, ExpectedRevision.Any, [Ev.New()]).Bounded());
        await store.DisposeAsync().AsTask().Bounded();
        var reopened = await OpenStoreAsync();
        Assert.Single(await ReadStreamAsync(reopened, stream));
    }
}
