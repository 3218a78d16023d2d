using Traceability.Domain.Batches;

namespace Traceability.Api.Features.Batches;

public sealed record NoteRequest(DateTimeOffset OccurredAt, string Note);

/// <summary>A note adds to the record (also on a recalled batch); nothing is ever edited.</summary>
public static class AddNoteEndpoint
{
    public static Task<IResult> Handle(Guid batchId, NoteRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchNoteAdded(batchId, ctx.Steps.Create(r.OccurredAt, null, r.Note)));
}
