using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>Refused payloads and arguments: JSON, size, empty appends, event ids, read ranges. Nothing is written.</summary>
public abstract partial class EventStoreConformanceTests
{
    public static TheoryData<string, bool> InvalidJsonCases
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var name in new[] { "truncated", "array", "number", "string", "null", "invalid-utf8", "bom", "trailing", "two-objects", "not-json", "empty" })
                foreach (var inMetadata in new[] { false, true })
                    if (!(name == "empty" && inMetadata)) // empty metadata is allowed
                        data.Add(name, inMetadata);
            return data;
        }
    }

    private static byte[] InvalidJson(string name) => name switch
    {
        "truncated" => "{\"batch\":\"B-1\",\"kg\":12"u8.ToArray(),
        "array" => "[1]"u8.ToArray(),
        "number" => "42"u8.ToArray(),
        "string" => "\"cá\""u8.ToArray(),
        "null" => "null"u8.ToArray(),
        "invalid-utf8" => [.. "{\"name\":\""u8, 0xC3, 0x28, .. "\"}"u8],
        "bom" => [0xEF, 0xBB, 0xBF, .. "{\"kg\":1}"u8],
        "trailing" => "{\"kg\":1} x"u8.ToArray(),
        "two-objects" => "{\"kg\":1}{\"kg\":2}"u8.ToArray(),
        "not-json" => "kg=1"u8.ToArray(),
        "empty" => [],
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(InvalidJsonCases))]
    public async Task Data_and_metadata_that_are_not_utf8_json_objects_are_refused(string jsonCase, bool inMetadata)
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var before = await SnapshotAsync(store);
        var bad = InvalidJson(jsonCase);
        var valid = "{\"kg\":1}"u8.ToArray();
        var e = inMetadata ? Ev.Raw(valid, bad) : Ev.Raw(bad, valid);

        await AssertRefusedAsync(EventStoreErrorCode.InvalidJson, () => store.AppendAsync(stream, ExpectedRevision.Any, [e]));
        await AssertRefusedAsync(EventStoreErrorCode.InvalidJson, () => store.AppendAsync(stream, ExpectedRevision.Any, [Ev.New(), e]));

        await AssertUnchangedAsync(store, before);
    }

    [Fact]
    public async Task Empty_metadata_is_stored_as_an_empty_object()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        var withDefault = Ev.Raw("{\"kg\":1}"u8.ToArray());
        var withEmptyArray = Ev.Raw("{\"kg\":2}"u8.ToArray(), Array.Empty<byte>());
        var withObject = Ev.Raw("{\"kg\":3}"u8.ToArray(), "{\"by\":\"hợp tác xã\"}"u8.ToArray());

        await store.AppendAsync(stream, ExpectedRevision.NoStream, [withDefault, withEmptyArray, withObject]).Bounded();

        var stored = await ReadStreamAsync(store, stream);
        Assert.Equal("{}"u8.ToArray(), stored[0].Metadata.ToArray());
        Assert.Equal("{}"u8.ToArray(), stored[1].Metadata.ToArray());
        Assert.Equal(withObject.Metadata.ToArray(), stored[2].Metadata.ToArray());
        Assert.True((await store.VerifyStreamAsync(stream).Bounded()).IsIntact);
    }

    [Fact]
    public async Task An_append_of_more_than_one_mebibyte_is_refused_and_exactly_one_mebibyte_is_accepted()
    {
        const int limit = 1024 * 1024;
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var before = await SnapshotAsync(store);

        await AssertRefusedAsync(EventStoreErrorCode.AppendTooLarge,
            () => store.AppendAsync(stream, ExpectedRevision.Any, [EventOfSize(limit + 1)]));
        // The limit is per append, not per event.
        await AssertRefusedAsync(EventStoreErrorCode.AppendTooLarge,
            () => store.AppendAsync(stream, ExpectedRevision.Any, [EventOfSize(400_000), EventOfSize(400_000), EventOfSize(400_000)]));
        await AssertRefusedAsync(EventStoreErrorCode.AppendTooLarge,
            () => store.AppendAsync(stream, ExpectedRevision.Any, [EventOfSize(limit / 2), EventOfSize(limit / 2 + 1)]));
        await AssertUnchangedAsync(store, before);

        var exact = EventOfSize(limit);
        await store.AppendAsync(stream, ExpectedRevision.Exact(0), [exact]).Bounded();
        var halves = new[] { EventOfSize(limit / 2), EventOfSize(limit / 2) };
        await store.AppendAsync(stream, ExpectedRevision.Exact(1), halves).Bounded();

        var stored = await ReadStreamAsync(store, stream);
        Assert.Equal(4, stored.Count);
        AssertSameEvent(exact, stored[1]);
        AssertSameEvent(halves[1], stored[3]);
        Assert.True((await store.VerifyStreamAsync(stream).Bounded()).IsIntact);
    }

    [Fact]
    public async Task An_empty_append_is_refused()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();

        await AssertRefusedAsync(EventStoreErrorCode.EmptyAppend, () => store.AppendAsync(stream, ExpectedRevision.Any, []));
        await AssertRefusedAsync(EventStoreErrorCode.EmptyAppend, () => store.AppendAsync(stream, ExpectedRevision.NoStream, Array.Empty<EventData>()));

        Assert.Empty(await ReadStreamAsync(store, stream));
        Assert.Equal(GlobalPosition.Start, await store.ReadHeadPositionAsync().Bounded());
    }

    [Fact]
    public async Task Empty_and_repeated_event_ids_are_refused()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var before = await SnapshotAsync(store);

        var empty = Ev.New() with { EventId = Guid.Empty };
        await AssertRefusedAsync(EventStoreErrorCode.InvalidEventId, () => store.AppendAsync(stream, ExpectedRevision.Any, [empty]));
        await AssertRefusedAsync(EventStoreErrorCode.InvalidEventId, () => store.AppendAsync(stream, ExpectedRevision.Any, [Ev.New(), empty]));

        var once = Ev.New();
        var twice = Ev.New() with { EventId = once.EventId };
        await AssertRefusedAsync(EventStoreErrorCode.DuplicateEventIdInAppend, () => store.AppendAsync(stream, ExpectedRevision.Any, [once, twice]));
        await AssertRefusedAsync(EventStoreErrorCode.DuplicateEventIdInAppend, () => store.AppendAsync(stream, ExpectedRevision.Any, [once, Ev.New(), once]));

        await AssertUnchangedAsync(store, before);
    }

    [Fact]
    public async Task Reading_a_stream_from_a_negative_revision_or_for_no_events_is_refused()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Ev.Many(3)).Bounded();

        foreach (var direction in new[] { ReadDirection.Forward, ReadDirection.Backward })
        {
            await AssertRefusedAsync(EventStoreErrorCode.InvalidRevision,
                () => store.ReadStreamAsync(stream, direction, -1, 10).CollectAsync());
            await AssertRefusedAsync(EventStoreErrorCode.InvalidRevision,
                () => store.ReadStreamAsync(stream, direction, -5, 10).CollectAsync());
            await AssertRefusedAsync(EventStoreErrorCode.InvalidCount,
                () => store.ReadStreamAsync(stream, direction, 0, 0).CollectAsync());
            await AssertRefusedAsync(EventStoreErrorCode.InvalidCount,
                () => store.ReadStreamAsync(stream, direction, 0, -1).CollectAsync());
        }
    }
}
