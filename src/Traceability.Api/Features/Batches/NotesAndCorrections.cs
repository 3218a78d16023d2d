using Traceability.Domain.Batches;

namespace Traceability.Api.Features.Batches;

/// <summary>The record is never edited: a note adds to it, a correction references the event it corrects.</summary>
public static class NotesAndCorrections
{
    public static Task<IResult> AddNote(Guid batchId, NoteRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchNoteAdded(batchId, ctx.Steps.Create(r.OccurredAt, null, r.Note)));

    public static Task<IResult> Correct(Guid batchId, CorrectionRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchCorrected(batchId, ctx.Steps.Create(r.OccurredAt, null, null),
            r.CorrectedEventId, r.Field, r.CorrectValue, r.Reason));
}
