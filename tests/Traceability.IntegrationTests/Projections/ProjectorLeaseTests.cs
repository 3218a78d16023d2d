using Microsoft.Extensions.Logging.Abstractions;
using Traceability.EventStore;
using Traceability.Projections.Hosting;
using Traceability.Projections.Provenance;
using Traceability.TestServers;

namespace Traceability.IntegrationTests.Projections;

/// <summary>
/// Production runs a projector process and a standby over one PostgreSQL database: exactly one is active, and when it
/// dies the standby takes over within ten seconds and carries on from the checkpoint.
/// </summary>
public sealed class ProjectorLeaseTests
{
    [Fact]
    public async Task One_projector_is_active_and_a_standby_takes_over_within_ten_seconds()
    {
        var server = await ThrowawayPostgres.SharedAsync("api");
        var connectionString = await server.CreateDatabaseAsync("lease");
        await using var store = await EventStoreFactory.OpenAsync(connectionString);
        await using var readModelsA = await ReadModelDatabase.OpenAsync(connectionString);
        await using var readModelsB = await ReadModelDatabase.OpenAsync(connectionString);
        var first = new Projector(store, readModelsA, [new ProvenanceProjection()], NullLogger<Projector>.Instance);
        var second = new Projector(store, readModelsB, [new ProvenanceProjection()], NullLogger<Projector>.Instance);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await first.StartAsync(bound.Token);
        await first.Started.WaitAsync(bound.Token);
        await second.StartAsync(bound.Token);
        await Eventually(() => second.Status.All(s => s.State == "standby"), bound.Token);
        Assert.True(first.IsActive);
        Assert.False(second.IsActive);

        var batchA = await RegisterAsync(store, "LEASE-A");
        await first.WaitForAsync(batchA, bound.Token);
        Assert.Equal(1, await CountBatchesAsync(readModelsA));

        // The active projector dies (its session ends, which is what a killed process does to PostgreSQL).
        await first.DisposeAsync();
        var diedAt = DateTime.UtcNow;
        await second.Started.WaitAsync(TimeSpan.FromSeconds(10) + ProjectorLease.PollInterval, bound.Token);
        Assert.True(second.IsActive);
        Assert.True(DateTime.UtcNow - diedAt < TimeSpan.FromSeconds(10), "the standby took over within ten seconds");

        var batchB = await RegisterAsync(store, "LEASE-B");
        await second.WaitForAsync(batchB, bound.Token);
        Assert.Equal(2, await CountBatchesAsync(readModelsB));
        await second.DisposeAsync();
    }

    [Fact]
    public async Task Stopping_twice_at_once_releases_the_lease_once_and_returns()
    {
        // A host stops its hosted services twice when its entry point's Run and its owner both call StopAsync (as
        // WebApplicationFactory does); two disposals racing on the lease's connection once hung the whole test run.
        var server = await ThrowawayPostgres.SharedAsync("api");
        var connectionString = await server.CreateDatabaseAsync("lease");
        await using var store = await EventStoreFactory.OpenAsync(connectionString);
        await using var readModels = await ReadModelDatabase.OpenAsync(connectionString);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        for (var round = 0; round < 5; round++)
        {
            var projector = new Projector(store, readModels, [new ProvenanceProjection()], NullLogger<Projector>.Instance);
            await projector.StartAsync(bound.Token);
            await projector.Started.WaitAsync(bound.Token);
            Assert.True(projector.IsActive);

            var stops = Enumerable.Range(0, 4).Select(_ => Task.Run(async () => await projector.DisposeAsync())).ToArray();
            await Task.WhenAll(stops).WaitAsync(TimeSpan.FromSeconds(20), bound.Token);
            Assert.False(projector.IsActive);
        }

        // The lease was released every time: a new projector becomes active at once, not after a dead session's timeout.
        var next = new Projector(store, readModels, [new ProvenanceProjection()], NullLogger<Projector>.Instance);
        await next.StartAsync(bound.Token);
        await next.Started.WaitAsync(TimeSpan.FromSeconds(5), bound.Token);
        Assert.True(next.IsActive);
        await next.DisposeAsync();
    }

    private static async Task<GlobalPosition> RegisterAsync(IEventStore store, string lot)
    {
        var id = Guid.NewGuid();
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            batchId = id,
            producer = new { cooperativeId = Guid.NewGuid(), name = "HTX Thủy sản Cần Giờ (demo)", address = new { communeWard = "Xã Cần Giờ" } },
            product = new { nameVi = "Khô cá dứa một nắng", category = "fish.one_sun" },
            lotNumber = lot,
            quantity = new { amount = 100, unit = "kg" },
            producedAt = "2025-07-01T06:30:00+07:00",
            inputs = Array.Empty<object>(),
            custodian = new { kind = "cooperative", id = Guid.NewGuid(), name = "HTX" },
            registeredAt = "2025-07-01T06:31:00+07:00",
        });
        var result = await store.AppendAsync($"batch-{id:N}", ExpectedRevision.NoStream,
            [new EventData(Guid.NewGuid(), "batch.registered.v1", json)]);
        return result.Position;
    }

    private static async Task<long> CountBatchesAsync(ReadModelDatabase database) =>
        (await database.QueryAsync("SELECT count(*) FROM provenance_batches", r => r.GetInt64(0), CancellationToken.None))[0];

    private static async Task Eventually(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition()) await Task.Delay(20, cancellationToken);
    }
}
