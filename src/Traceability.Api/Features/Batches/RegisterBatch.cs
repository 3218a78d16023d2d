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
                .. NewBatchReservations(producer.CooperativeId, r.Product, r.LotNumber, batchId),
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

    /// <summary>
    /// What every new batch (registered, merged or split off) reserves in the same atomic append as its events: its lot
    /// number, unique per cooperative and product, and a fresh public code for its label. Each reservation is a stream
    /// that can be created once.
    /// </summary>
    public static IEnumerable<PlannedAppend> NewBatchReservations(Guid cooperativeId, Product product, string lotNumber, Guid batchId)
    {
        yield return new PlannedAppend(
            StreamNames.Lot(cooperativeId, product.Gtin?.Value ?? $"{product.Category}/{product.NameVi}", lotNumber),
            ExpectedRevision.NoStream, [new LotReserved(lotNumber, batchId)],
            new DomainException("batch.lot_taken", $"Số lô {lotNumber} đã được dùng cho sản phẩm này.", $"Lot number {lotNumber} is already used for this product."));
        var code = PublicCode.FromRandom(System.Security.Cryptography.RandomNumberGenerator.GetBytes(PublicCode.DataLength));
        yield return new PlannedAppend(StreamNames.PublicCode(code), ExpectedRevision.NoStream,
            [new PublicCodeAssigned(code.Value, batchId, product.Gtin?.Value, lotNumber)],
            new DomainException("batch.public_code_taken", "Mã công khai vừa sinh bị trùng (rất hiếm): hãy gửi lại.",
                "The public code drawn for this batch is already taken (very rare): send the command again."));
    }
}

[EventType("lot.reserved.v1")]
public sealed record LotReserved(string LotNumber, Guid BatchId);

/// <summary>A batch's short public code (printed under its QR code) and what its GS1 Digital Link needs.</summary>
[EventType("publiccode.assigned.v1")]
public sealed record PublicCodeAssigned(string Code, Guid BatchId, string? Gtin, string LotNumber);
