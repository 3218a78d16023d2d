using Traceability.Api.Features.Batches;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;

namespace Traceability.IntegrationTests.Api;

public sealed class ApiSmokeTests
{
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task A_cooperative_registers_a_batch_and_dries_it(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var parties = await CanGioParties.RegisterAsync(api);
        var now = DateTimeOffset.UtcNow;
        var registered = await (await parties.Cooperative.PostJson("/api/batches", new RegisterBatchRequest(null,
            new Product("Khô cá dứa một nắng", "One-sun dried catfish", "fish.one_sun", null), "CG-001",
            new Quantity(100m, QuantityUnit.Kg), new Origin("Vùng biển Cần Giờ", null, DateOnly.FromDateTime(now.Date).AddDays(-1), DateOnly.FromDateTime(now.Date).AddDays(-1), null),
            now.AddHours(-2), null, null))).Read<BatchChanged>();
        var dried = await parties.Cooperative.PostJson($"/api/batches/{registered.BatchId}/drying",
            new DryingRequest(now.AddMinutes(-5), "Sân phơi", null, DryingMethod.Sun, now.AddHours(-1), now.AddMinutes(-10), 35m, new Quantity(48m, QuantityUnit.Kg)));
        var changed = await dried.Read<BatchChanged>();
        Assert.Equal(1, changed.Revision);
        Assert.Equal("\"1\"", dried.Headers.ETag?.Tag);
        var tooMuch = await parties.Cooperative.PostJson($"/api/batches/{registered.BatchId}/packing",
            new PackingRequest(now, null, null, 200, new Quantity(0.5m, QuantityUnit.Kg), null));
        var problem = await tooMuch.Problem(422);
        Assert.Equal("batch.mass_balance", problem.GetProperty("code").GetString());
    }
}
