using System.Text;
using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>What is stored comes back exactly: text byte for byte, recorded time to the microsecond.</summary>
public abstract partial class EventStoreConformanceTests
{
    [Fact]
    public async Task Vietnamese_text_round_trips_byte_for_byte_in_both_normalization_forms()
    {
        const string text = "Khô cá dứa một nắng — Cần Giờ";
        var nfc = text.Normalize(NormalizationForm.FormC);
        var nfd = text.Normalize(NormalizationForm.FormD);
        Assert.NotEqual(nfc, nfd);
        var nfcBytes = Encoding.UTF8.GetBytes(nfc);
        var nfdBytes = Encoding.UTF8.GetBytes(nfd);
        Assert.NotEqual(nfcBytes, nfdBytes);

        static byte[] Json(string key, string value) => Encoding.UTF8.GetBytes($"{{\"{key}\":\"{value}\",\"kg\":12.5}}");
        var precomposed = Ev.Raw(Json("product", nfc), Json("origin", nfc), "product.named.v1");
        var combining = Ev.Raw(Json("product", nfd), Json("origin", nfd), "product.named.v1");
        var escaped = Ev.Raw("{\"product\":\"Kh\\u00f4 c\\u00e1\"}"u8.ToArray(), "{\"origin\":\"C\\u1ea7n Gi\\u1edd\"}"u8.ToArray(), "product.named.v1");
        var stream = Ev.Stream("product");

        var store = await OpenStoreAsync();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, [precomposed, combining, escaped]).Bounded();

        foreach (var reopen in new[] { false, true })
        {
            if (reopen) store = await ReopenAsync(store);
            var stored = await ReadStreamAsync(store, stream);
            Assert.Equal(3, stored.Count);
            for (var i = 0; i < 3; i++)
            {
                var appended = new[] { precomposed, combining, escaped }[i];
                Assert.Equal(appended.Data.ToArray(), stored[i].Data.ToArray());
                Assert.Equal(appended.Metadata.ToArray(), stored[i].Metadata.ToArray());
            }
            Assert.NotEqual(stored[0].Data.ToArray(), stored[1].Data.ToArray());
            Assert.NotEqual(stored[0].Metadata.ToArray(), stored[1].Metadata.ToArray());
            Assert.Equal(nfc, Encoding.UTF8.GetString(stored[0].Data.Span)[12..(12 + nfc.Length)]);
            Assert.Equal(nfd, Encoding.UTF8.GetString(stored[1].Metadata.Span)[11..(11 + nfd.Length)]);

            var fromAll = await ReadAllAsync(store);
            Assert.Equal(nfdBytes, fromAll[1].Data.ToArray()[12..(12 + nfdBytes.Length)]);
            Assert.True((await store.VerifyStreamAsync(stream).Bounded()).IsIntact);
        }
    }

    [Fact]
    public async Task Recorded_time_comes_from_the_configured_clock_to_the_microsecond()
    {
        var first = new DateTimeOffset(2025, 3, 14, 6, 30, 15, TimeSpan.Zero).AddTicks(1_234_560); // .123456
        var clock = new FixedClock(first);
        var store = await OpenStoreAsync(new EventStoreOptions { Time = clock });
        var stream = Ev.Stream();

        await store.AppendAsync(stream, ExpectedRevision.NoStream, Ev.Many(2)).Bounded();
        var second = new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.FromHours(7)).AddTicks(9_999_990); // .999999, UTC+7
        clock.Now = second;
        await store.AppendAsync(stream, ExpectedRevision.Exact(1), Ev.Many(1)).Bounded();

        foreach (var reopen in new[] { false, true })
        {
            if (reopen) store = await ReopenAsync(store);
            var stored = await ReadStreamAsync(store, stream);
            Assert.Equal(new[] { first, first, second }, stored.Select(e => e.Recorded));
            Assert.Equal(new[] { first.UtcTicks, first.UtcTicks, second.UtcTicks }, stored.Select(e => e.Recorded.UtcTicks));
            Assert.Equal(second.UtcTicks, (await ReadAllAsync(store))[^1].Recorded.UtcTicks);
            Assert.True((await store.VerifyStreamAsync(stream).Bounded()).IsIntact);
        }
    }
}
