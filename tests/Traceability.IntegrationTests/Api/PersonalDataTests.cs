using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.PersonalData;
using Traceability.Domain.Shared;
using Traceability.EventStore;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Api;

/// <summary>Contact persons are personal data (Decree 13/2023): kept apart from the hash-chained record, readable only by their cooperative, erasable.</summary>
public sealed class PersonalDataTests
{
    private const string Name = "Nguyễn Thị Hồng Nhung";
    private const string Phone = "+84 909 876 543";

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task A_contact_never_enters_the_event_log_is_private_to_its_cooperative_and_can_be_erased(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var contactsUrl = $"/api/cooperatives/{p.CooperativeId}/contacts";

        var created = await p.Cooperative.PostJson(contactsUrl, new ContactRequest(Name, Phone, "Thủ kho"));
        var contact = await created.Read<Contact>();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(new Contact(contact.ContactId, p.CooperativeId, Name, Phone, "Thủ kho"), contact);
        var url = $"{contactsUrl}/{contact.ContactId}";
        Assert.Equal(url, created.Headers.Location?.OriginalString);

        // The cooperative goes on working meanwhile: batches, steps, notes, a shipment.
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-PD-01");
        await StepAsync(p.Cooperative, id, "notes", new NoteRequest(clock.Next(), "Thủ kho đã kiểm tra nhiệt độ"), 1, "batch.note_added.v1");
        await ShipAndConfirmAsync(p.Cooperative, p.Distributor, PartyKind.Buyer, p.DistributorId, id, clock);

        // Readable by its cooperative and by admins, in full.
        Assert.Equal(contact, await (await p.Cooperative.GetAsync(url)).Read<Contact>());
        Assert.Equal(contact, await (await p.Admin.GetAsync(url)).Read<Contact>());

        // Nobody else: not another cooperative, not a buyer, not the public.
        await (await p.OtherCooperative.GetAsync(url)).Problem(403);
        await (await p.Distributor.GetAsync(url)).Problem(403);
        await (await p.Anonymous.GetAsync(url)).Problem(401);
        // Another cooperative cannot reach it through its own route either.
        await (await p.OtherCooperative.GetAsync($"/api/cooperatives/{p.OtherCooperativeId}/contacts/{contact.ContactId}")).Problem(404);
        await (await p.OtherCooperative.DeleteAsync(url)).Problem(403);

        // Not in any event: data, metadata, type or stream, in any spelling JSON could give it.
        await AssertNowhereInTheLog(api);
        var profile = await p.Anonymous.GetStringAsync($"/api/cooperatives/{p.CooperativeId}");
        Assert.DoesNotContain(Name, profile, StringComparison.Ordinal);
        Assert.DoesNotContain(Phone, profile, StringComparison.Ordinal);

        // Erased: gone for everyone, and erasing again finds nothing.
        var erased = await p.Cooperative.DeleteAsync(url);
        Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        Assert.Equal("contact.not_found", CodeOf(await (await p.Cooperative.GetAsync(url)).Problem(404)));
        Assert.Equal("contact.not_found", CodeOf(await (await p.Admin.GetAsync(url)).Problem(404)));
        Assert.Equal("contact.not_found", CodeOf(await (await p.Cooperative.DeleteAsync(url)).Problem(404)));

        // The record it lived beside is untouched and intact.
        await AssertNowhereInTheLog(api);
        Assert.True((await api.Store.VerifyAllAsync()).IsIntact);
        Assert.True((await (await p.Anonymous.GetAsync($"/api/batches/{id}/verify")).Read<VerificationResponse>()).Intact);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Erasing_one_contact_leaves_the_others(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var contactsUrl = $"/api/cooperatives/{p.CooperativeId}/contacts";
        var first = await (await p.Cooperative.PostJson(contactsUrl, new ContactRequest(Name, Phone, null))).Read<Contact>();
        var second = await (await p.Cooperative.PostJson(contactsUrl, new ContactRequest("Lê Văn Tám", null, "Tổ trưởng tổ phơi"))).Read<Contact>();
        var ofOther = await (await p.OtherCooperative.PostJson($"/api/cooperatives/{p.OtherCooperativeId}/contacts",
            new ContactRequest("Phạm Thị Hoa", "0283 874 1234", null))).Read<Contact>();

        Assert.Equal(HttpStatusCode.NoContent, (await p.Cooperative.DeleteAsync($"{contactsUrl}/{first.ContactId}")).StatusCode);

        Assert.Equal(second, await (await p.Cooperative.GetAsync($"{contactsUrl}/{second.ContactId}")).Read<Contact>());
        Assert.Equal(ofOther, await (await p.OtherCooperative.GetAsync($"/api/cooperatives/{p.OtherCooperativeId}/contacts/{ofOther.ContactId}"))
            .Read<Contact>());
        await (await p.Cooperative.GetAsync($"{contactsUrl}/{first.ContactId}")).Problem(404);

        // A phone number that is not one is refused, and nothing is stored.
        var badPhone = await p.Cooperative.PostJson(contactsUrl, new ContactRequest("Võ Văn Kiệt", "gọi-tôi", null));
        Assert.Equal("request.invalid_field", CodeOf(await badPhone.Problem(400)));
    }

    private static async Task AssertNowhereInTheLog(ApiFactory api)
    {
        var needles = new[] { Name, Phone, Phone.Replace(" ", "", StringComparison.Ordinal), "Hồng Nhung" }
            .SelectMany(text => new[]
            {
                text,
                JsonEncodedText.Encode(text).Value,
                JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value,
                text.Normalize(NormalizationForm.FormD),
            })
            .Distinct()
            .Select(Encoding.UTF8.GetBytes)
            .ToList();
        var events = await AllEventsAsync(api);
        Assert.NotEmpty(events);
        foreach (var e in events)
        foreach (var needle in needles)
        {
            Assert.True(e.Data.Span.IndexOf(needle) < 0, $"{e.Stream}@{e.Revision} ({e.Type}) holds personal data in its data");
            Assert.True(e.Metadata.Span.IndexOf(needle) < 0, $"{e.Stream}@{e.Revision} ({e.Type}) holds personal data in its metadata");
            Assert.DoesNotContain(Encoding.UTF8.GetString(needle), e.Stream, StringComparison.Ordinal);
        }

        Assert.Contains(events, e => e.Category == "batch");
    }
}
