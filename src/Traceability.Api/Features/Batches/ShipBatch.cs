using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;

namespace Traceability.Api.Features.Batches;

public sealed record ShippingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, PartyKind ToKind, Guid ToPartyId, Quantity Quantity,
    string? Transport);

/// <summary>Xuất hàng: ship the whole batch to a registered party. Custody moves only when that party confirms receipt.</summary>
public static class ShipBatchEndpoint
{
    public static Task<IResult> Handle(Guid batchId, ShippingRequest r, HttpContext http, BatchCommands commands, AggregateReader reader) =>
        commands.RecordStepAsync(http, batchId, async ctx =>
        {
            var to = await ResolvePartyAsync(r.ToKind, r.ToPartyId, reader, http.RequestAborted);
            return new BatchShipped(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), Guid.CreateVersion7(), to, r.Quantity, r.Transport);
        });

    private static async Task<PartyRef> ResolvePartyAsync(PartyKind kind, Guid id, AggregateReader reader, CancellationToken cancellationToken)
    {
        if (!Enum.IsDefined(kind)) throw new InvalidFieldException("toKind", "Loại bên nhận không hợp lệ.", "toKind is cooperative or buyer.");
        var name = kind == PartyKind.Cooperative
            ? (await reader.LoadCooperativeAsync(id, cancellationToken)).State.Profile?.NameVi
            : (await reader.LoadBuyerAsync(id, cancellationToken))?.Name;
        return name is null
            ? throw new DomainException("batch.unknown_receiver", "Không tìm thấy bên nhận hàng.", "The receiving party is not registered.")
            : new PartyRef(kind, id, name);
    }
}
