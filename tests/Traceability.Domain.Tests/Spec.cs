using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Traceability.Domain.Batches;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;

namespace Traceability.Domain.Tests;

/// <summary>
/// What a decision did: the events it returned, or the rule or field it rejected. Events compare by value through
/// JSON, because records holding lists (inputs, product categories, measurements) compare those lists by reference.
/// </summary>
public sealed class Outcome(Func<IEnumerable<object>> decide)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new QuantityJson() },
    };

    public void Then(params object[] expected)
    {
        var (events, thrown) = Run();
        if (thrown is not null) Assert.Fail($"Expected {expected.Length} event(s), but the decision threw {Show(thrown)}");
        Assert.Equal(expected.Select(Describe), events!.Select(Describe));
    }

    public void ThenNothing() => Then();

    /// <summary>The events, for a spec that goes on from them (e.g. a split's children).</summary>
    public IReadOnlyList<object> Accepted()
    {
        var (events, thrown) = Run();
        if (thrown is not null) Assert.Fail($"Expected the decision to be accepted, but it threw {Show(thrown)}");
        return events!;
    }

    public DomainException ThenFails(string code)
    {
        var (events, thrown) = Run();
        if (thrown is not DomainException broken)
            throw Xunit.Sdk.FailException.ForFailure($"Expected the rule '{code}' to be broken, but got {(thrown is null ? Describe(events!) : Show(thrown))}");
        Assert.Equal(code, broken.Code);
        Assert.False(string.IsNullOrWhiteSpace(broken.MessageVi), "A broken rule explains itself in Vietnamese.");
        Assert.False(string.IsNullOrWhiteSpace(broken.MessageEn), "A broken rule explains itself in English.");
        return broken;
    }

    public InvalidFieldException ThenInvalid(string field)
    {
        var (events, thrown) = Run();
        if (thrown is not InvalidFieldException invalid)
            throw Xunit.Sdk.FailException.ForFailure($"Expected the field '{field}' to be rejected, but got {(thrown is null ? Describe(events!) : Show(thrown))}");
        Assert.Equal(field, invalid.Field);
        Assert.False(string.IsNullOrWhiteSpace(invalid.MessageVi), "An invalid field explains itself in Vietnamese.");
        Assert.False(string.IsNullOrWhiteSpace(invalid.MessageEn), "An invalid field explains itself in English.");
        return invalid;
    }

    private (List<object>? Events, Exception? Thrown) Run()
    {
        try
        {
            return (decide().ToList(), null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }

    private static string Show(Exception e) => e switch
    {
        DomainException d => $"the rule '{d.Code}' ({d.MessageEn})",
        InvalidFieldException f => $"an invalid field '{f.Field}' ({f.MessageEn})",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static string Describe(List<object> events) =>
        events.Count == 0 ? "no events" : "events: " + string.Join("; ", events.Select(Describe));

    public static string Describe(object item) => item is StreamEvents stream
        ? $"stream {stream.BatchId}: [{string.Join(", ", stream.Events.Select(Describe))}]"
        : $"{item.GetType().Name} {JsonSerializer.Serialize(item, item.GetType(), Json)}";
}

/// <summary>
/// A quantity as its value: amount and unit only (<see cref="Quantity.InKg"/> throws for pieces and packs), the amount
/// without trailing zeros, as 50m == 50.0m for a record.
/// </summary>
internal sealed class QuantityJson : JsonConverter<Quantity>
{
    public override Quantity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Specs only write quantities.");

    public override void Write(Utf8JsonWriter writer, Quantity value, JsonSerializerOptions options) =>
        writer.WriteStringValue($"{value.Amount / 1.0000000000000000000000000000m} {value.Unit}");
}

/// <summary>Given batch events (each folded into its own stream by batch id), when a command, then an <see cref="Outcome"/>.</summary>
public sealed class BatchSpec
{
    private readonly Dictionary<Guid, Batch> streams = [];

    public static BatchSpec Given(params IBatchEvent[] events) => new BatchSpec().And(events);

    /// <summary>More history; every event gets a fresh stored id, as the event store gives it.</summary>
    public BatchSpec And(params IBatchEvent[] events)
    {
        foreach (var e in events) Apply(e, Guid.NewGuid());
        return this;
    }

    /// <summary>One event stored under a known id, so a correction can reference it.</summary>
    public BatchSpec AndRecorded(Guid eventId, IBatchEvent e)
    {
        Apply(e, eventId);
        return this;
    }

    public Batch this[Guid batchId] => streams.GetValueOrDefault(batchId, Batch.Initial);

    public Outcome When(RegisterBatch command) => new(() => BatchDecisions.Decide(this[command.BatchId], command));

    public Outcome When(RecordStep command) => new(() => BatchDecisions.Decide(this[command.Step.BatchId], command));

    /// <summary>The step as its recorder reports it, five minutes after it happened unless <paramref name="now"/> says otherwise.</summary>
    public Outcome When(IBatchStep step, DateTimeOffset? now = null) =>
        When(new RecordStep(step.Step.RecordedBy, now ?? step.Step.OccurredAt.AddMinutes(5), step));

    public Outcome When(MergeBatches command) => new(() => Transformations.Decide(streams, this[command.NewBatchId], command));

    public Outcome When(SplitBatch command) => new(() => Transformations.Decide(this[command.ParentId], streams, command));

    public Outcome WhenRecallReaches(Guid batchId, Guid causeBatchId, StepInfo step, string reason, RecallSeverity severity) =>
        new(() => BatchDecisions.DecideRecallPropagation(this[batchId], causeBatchId, step, reason, severity));

    private void Apply(IBatchEvent e, Guid eventId) => streams[e.BatchId] = Batch.Evolve(this[e.BatchId], e, eventId);
}

/// <summary>Given cooperative events, when a command, then an <see cref="Outcome"/>.</summary>
public sealed class CooperativeSpec
{
    private Cooperative state = Cooperative.Initial;

    public static CooperativeSpec Given(params ICooperativeEvent[] events) => new() { state = Cooperative.Fold(events) };

    public Cooperative State => state;

    public Outcome When(RegisterCooperative command) => new(() => CooperativeDecisions.Decide(state, command));

    public Outcome When(UpdateCooperativeProfile command) => new(() => CooperativeDecisions.Decide(state, command));

    public Outcome When(GrantCertification command) => new(() => CooperativeDecisions.Decide(state, command));

    public Outcome When(RevokeCertification command) => new(() => CooperativeDecisions.Decide(state, command));
}

/// <summary>For things that are not decisions: parsing a field, creating a quantity.</summary>
public static class Field
{
    public static InvalidFieldException Rejects(string field, Action parse) =>
        new Outcome(() =>
        {
            parse();
            return [];
        }).ThenInvalid(field);
}
