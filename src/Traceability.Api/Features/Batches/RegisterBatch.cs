using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Features.Batches;

/// <param name="BatchId">Optional: a phone that works offline makes its own id (a UUID) so a retry cannot create two batches.</param>
public sealed record RegisterBatchRequest(Guid? BatchId, Product Product, string LotNumber, Quantity Quantity, Origin? Origin,
    DateTimeOffset ProducedAt, DateOnly? BestBefore, decimal? DeclaredYield);

public static class RegisterBatchEndpoint
{
    public static Task<IResult> Handle(RegisterBatchRequest r, HttpContext http, CommandPipeline pipeline, AggregateReader reader) =>
        pipeline.ExecuteAsync(http, async ctx =>
        {
            var batchId = r.BatchId ?? Guid.CreateVersion7();
            var producer = await ProducerOfAsync(ctx.Actor, reader, http.RequestAborted);
            var (state, _) = await reader.LoadBatchAsync(batchId, http.RequestAborted);
            var events = BatchDecisions.Decide(state, new RegisterBatch(batchId, producer, r.Product, r.LotNumber,
                Quantity.Create(r.Quantity.Amount, r.Quantity.Unit, "quantity"), r.Origin, r.ProducedAt, r.BestBefore, r.DeclaredYield, ctx.Actor, ctx.Now));
            return new CommandOutcome(
            [
                new PlannedAppend(StreamNames.Batch(batchId), ExpectedRevision.NoStream, [.. events],
                    new DomainException("batch.already_registered", "Lô hàng này đã được đăng ký.", "This batch is already registered.")),
                LotReservation(producer.CooperativeId, r.Product, r.LotNumber, batchId),
            ], StatusCodes.Status201Created, new BatchChanged(batchId, 0, EventCodec.NameOf(typeof(BatchRegistered))), 0, $"/api/batches/{batchId}");
        });

    /// <summary>The producer as a consumer must see it (Circular 02/2024): the cooperative's name and address.</summary>
    public static async Task<Producer> ProducerOfAsync(PartyRef actor, AggregateReader reader, CancellationToken cancellationToken)
    {
        var (cooperative, _) = await reader.LoadCooperativeAsync(actor.Id, cancellationToken);
        return cooperative.Profile is { } profile
            ? new Producer(actor.Id, profile.NameVi, profile.Address)
            : throw new DomainException("cooperative.not_found", "Không tìm thấy hợp tác xã.", "No such cooperative.");
    }

    /// <summary>A lot number is unique per cooperative and product: its reservation stream can be created once.</summary>
    public static PlannedAppend LotReservation(Guid cooperativeId, Product product, string lotNumber, Guid batchId) => new(
        StreamNames.Lot(cooperativeId, product.Gtin?.Value ?? $"{product.Category}/{product.NameVi}", lotNumber),
        ExpectedRevision.NoStream, [new LotReserved(lotNumber, batchId)],
        new DomainException("batch.lot_taken", $"Số lô {lotNumber} đã được dùng cho sản phẩm này.", $"Lot number {lotNumber} is already used for this product."));
}

[EventType("lot.reserved.v1")]
public sealed record LotReserved(string LotNumber, Guid BatchId);
