using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>Which stream names and event types the store accepts; the rest are refused before anything is written.</summary>
public abstract partial class EventStoreConformanceTests
{
    public static TheoryData<string?> InvalidStreamNames => new()
    {
        null,
        "",
        "nocategory",
        "Batch-1",
        "batch-",
        "-1",
        "$all",
        "$ce-batch",
        "batch-../../etc",
        "batch-a b",
        " batch-1",
        "batch-1 ",
        "batch-1\n",
        "batch-1/2",
        "batch-.hidden",
        "batch--1",
        "1batch-1",
        "batch-cần-giờ",
        "batch-" + new string('a', 294),
        new string('c', 41) + "-1",
        "batch-" + new string('a', 201),
    };

    [Theory]
    [MemberData(nameof(InvalidStreamNames))]
    public async Task Invalid_stream_names_are_refused_before_anything_is_written(string? stream)
    {
        var store = await OpenStoreAsync();
        await store.AppendAsync(Ev.Stream(), ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var before = await SnapshotAsync(store);

        foreach (var expected in new[] { ExpectedRevision.Any, ExpectedRevision.NoStream })
            await AssertRefusedAsync(EventStoreErrorCode.InvalidStreamName, () => store.AppendAsync(stream!, expected, [Ev.New()]));

        await AssertUnchangedAsync(store, before);
    }

    [Theory]
    [InlineData("a-1")]
    [InlineData("batch-2024-001")]
    [InlineData("b2b_x-A.b_c:d-E")]
    [InlineData("batch-0")]
    public async Task Valid_stream_names_are_accepted(string stream)
    {
        var store = await OpenStoreAsync();
        var longest = new string('c', 40) + "-" + new string('I', 200);
        foreach (var name in new[] { stream, longest })
        {
            var e = Ev.New();
            var result = await store.AppendAsync(name, ExpectedRevision.NoStream, [e]).Bounded();
            Assert.Equal(0, result.NextExpectedRevision);
            var stored = Assert.Single(await ReadStreamAsync(store, name));
            Assert.Equal(name, stored.Stream);
            Assert.Equal(name[..name.IndexOf('-', StringComparison.Ordinal)], stored.Category);
        }
    }

    [Fact]
    public async Task Reading_or_verifying_an_invalid_stream_name_is_refused()
    {
        var store = await OpenStoreAsync();
        foreach (var stream in new[] { "", "Batch-1", "batch-a b", "batch-../../etc" })
        {
            await AssertRefusedAsync(EventStoreErrorCode.InvalidStreamName,
                () => store.ReadStreamAsync(stream, ReadDirection.Forward, 0, 10).CollectAsync());
            await AssertRefusedAsync(EventStoreErrorCode.InvalidStreamName, () => store.VerifyStreamAsync(stream));
        }
    }

    public static TheoryData<string?> InvalidEventTypes => new()
    {
        null,
        "",
        "BatchDried",
        "batch.dried",
        "batch.dried.v0",
        "batch.dried.v01",
        "batch.dried.V1",
        "Traceability.Domain.BatchDried",
        "Traceability.Domain.BatchDried, Traceability.Domain",
        "batch.Dried.v1",
        "batch..dried.v1",
        ".batch.dried.v1",
        "batch.dried.v1.",
        "batch.dried.v1\n",
        "batch-dried.v1",
        "batch dried.v1",
        "1batch.dried.v1",
        "v1",
        "khô.v1",
        new string('x', 126) + ".v1",
    };

    [Theory]
    [MemberData(nameof(InvalidEventTypes))]
    public async Task Invalid_event_types_are_refused_before_anything_is_written(string? type)
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var before = await SnapshotAsync(store);

        // Alone, and behind a valid event: the whole append is refused.
        await AssertRefusedAsync(EventStoreErrorCode.InvalidEventType, () => store.AppendAsync(stream, ExpectedRevision.Any, [Ev.New(type!)]));
        await AssertRefusedAsync(EventStoreErrorCode.InvalidEventType, () => store.AppendAsync(stream, ExpectedRevision.Any, [Ev.New(), Ev.New(type!)]));

        await AssertUnchangedAsync(store, before);
    }

    [Fact]
    public async Task Valid_event_types_are_accepted()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        var types = new[] { "batch.dried.v1", "batch.v2", "a.v1", "batch_lot.dried_sun.v10", "cooperative.member2.joined.v123", new string('x', 125) + ".v1" };
        var events = types.Select(t => Ev.New(t)).ToArray();

        await store.AppendAsync(stream, ExpectedRevision.NoStream, events).Bounded();

        Assert.Equal(types, (await ReadStreamAsync(store, stream)).Select(e => e.Type));
    }
}
