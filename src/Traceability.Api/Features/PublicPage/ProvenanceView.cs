using System.Globalization;
using System.Text.Json;
using Traceability.Api.Features.Provenance;
using Traceability.Projections.Hosting;

namespace Traceability.Api.Features.PublicPage;

/// <summary>A batch another was made from, with the link to its own page.</summary>
public sealed record InputLink(string Name, string? PublicCode, decimal? Amount, string? Unit);

/// <summary>What the public page shows of one batch: the read model, checked against the hash chain.</summary>
/// <param name="Intact">The batch stream's hash chain recomputed at render time.</param>
/// <param name="FirstBadEvent">The 1-based number of the first event whose hash does not match, when not intact.</param>
/// <param name="LastRecorded">When the batch's last event was recorded: the record is unchanged since.</param>
public sealed record ProvenanceView(ProvenanceResponse Batch, bool Intact, long? FirstBadEvent, long EventCount, string? LastRecorded,
    IReadOnlyList<InputLink> Inputs)
{
    public bool Recalled => Batch.Status == "recalled";

    public string ProductName(PageLanguage language) =>
        language.Code == "en" && Batch.Product.Text("nameEn") is { Length: > 0 } english ? english : Batch.Product.Text("nameVi") ?? "";

    /// <summary>The other language's name, shown small under the main one.</summary>
    public string? SecondaryName(PageLanguage language) =>
        language.Code == "en" ? Batch.Product.Text("nameVi") : Batch.Product.Text("nameEn");

    public string ProducerName => Batch.Producer.Text("name") ?? "";

    /// <summary>Street, commune/ward, province/city (since July 2025), then the former district in brackets where recorded.</summary>
    public string ProducerAddress
    {
        get
        {
            var address = Batch.Producer.Get("address");
            var parts = new[] { address?.Text("street"), address?.Text("communeWard"), address?.Text("provinceCity") }
                .Where(p => !string.IsNullOrWhiteSpace(p));
            var text = string.Join(", ", parts);
            return address?.Text("legacyDistrict") is { Length: > 0 } district ? $"{text} ({district})" : text;
        }
    }

    public string Quantity(PageLanguage language) => Amount(language, Batch.Quantity);

    public string? Recall(string field) => Batch.Recall?.Text(field);

    public string? RecalledAt => Batch.Recall?.Get("step")?.Text("occurredAt");

    /// <summary>From the cooperative to whoever holds the batch now: each confirmed receipt moved custody one step on.</summary>
    public IReadOnlyList<string> Chain()
    {
        var chain = new List<string> { ProducerName };
        foreach (var step in Batch.Timeline.Where(s => s.Type == "batch.receipt_confirmed.v1"))
            if (step.Organisation is { Length: > 0 } receiver && chain[^1] != receiver) chain.Add(receiver);
        return chain;
    }

    public string? InTransitTo => Batch.Status == "in_transit"
        ? Batch.Timeline.LastOrDefault(s => s.Type == "batch.shipped.v1")?.Details.Get("to")?.Text("name")
        : null;

    /// <summary>A step's title: drying says whether in the sun or in an oven.</summary>
    public static string StepTitle(ProvenanceStep step, PageLanguage language) =>
        step.Type == "batch.dried.v1"
            ? language.Texts.Step($"batch.dried.v1.{step.Details.Text("method") ?? "sun"}")
            : language.Texts.Step(step.Type);

    /// <summary>The facts of a step worth showing a consumer, in their language (never a person's name).</summary>
    public static IReadOnlyList<string> StepFacts(ProvenanceStep step, PageLanguage language)
    {
        var d = step.Details;
        var w = language.Texts;
        var facts = new List<string>();
        switch (step.Type)
        {
            case "batch.received.v1":
                facts.Add(Amount(language, d.Get("quantity")));
                break;
            case "batch.washed.v1":
                if (d.Text("method") is { Length: > 0 } method) facts.Add(method);
                break;
            case "batch.salted.v1":
                facts.Add($"{w.Word("salt")} {Number(language, d.Get("saltPercent"))} %, {Number(language, d.Get("durationHours"))} {w.Word("hours")}");
                break;
            case "batch.dried.v1":
                facts.Add($"{language.DateTime(d.Text("startedAt"))} → {language.DateTime(d.Text("endedAt"))}");
                if (d.Get("finalMoisturePercent") is { ValueKind: JsonValueKind.Number } moisture)
                    facts.Add($"{w.Word("moisture")} {Number(language, moisture)} %");
                if (d.Get("output") is { ValueKind: JsonValueKind.Object } output) facts.Add(Amount(language, output));
                break;
            case "batch.inspected.v1":
                facts.Add(w.Word(d.Text("result") ?? ""));
                if (d.Get("measurements") is { ValueKind: JsonValueKind.Array } measurements)
                    foreach (var m in measurements.EnumerateArray())
                        facts.Add($"{m.Text("name")}: {Number(language, m.Get("value"))} {m.Text("unit")}");
                if (d.Text("documentRef") is { Length: > 0 } document) facts.Add($"{w.Word("document")} {document}");
                break;
            case "batch.packed.v1":
                facts.Add($"{d.Get("packCount")?.ToString()} {w.Word("packs")} × {Amount(language, d.Get("packSize"))}");
                if (d.Text("bestBefore") is { } bestBefore) facts.Add($"{w.BestBefore}: {language.Date(bestBefore)}");
                break;
            case "batch.stored.v1":
                if (d.Text("conditions") is { Length: > 0 } conditions) facts.Add(conditions);
                if (d.Get("temperatureC") is { ValueKind: JsonValueKind.Number } temperature)
                    facts.Add($"{w.Word("temperature")} {Number(language, temperature)} °C");
                break;
            case "batch.shipped.v1":
                facts.Add($"{w.Word("to")} {d.Get("to")?.Text("name")}: {Amount(language, d.Get("quantity"))}");
                if (d.Text("transport") is { Length: > 0 } transport) facts.Add($"{w.Word("transport")}: {transport}");
                break;
            case "batch.receipt_confirmed.v1":
                facts.Add($"{Amount(language, d.Get("quantity"))}, {w.Word(d.Text("condition") ?? "")}");
                break;
            case "batch.recalled.v1":
                facts.Add(d.Text("reason") ?? "");
                break;
            case "batch.corrected.v1":
                facts.Add($"{d.Text("field")} → {d.Text("correctValue")} ({w.Word("because")}: {d.Text("reason")})");
                break;
            case "batch.consumed.v1":
                facts.Add(Amount(language, d.Get("quantity")));
                break;
        }

        if (d.Get("step")?.Text("note") is { Length: > 0 } note) facts.Add(note);
        return facts.Where(f => f.Length > 0).ToList();
    }

    public static string Amount(PageLanguage language, JsonElement? quantity) =>
        quantity is { ValueKind: JsonValueKind.Object } q
            ? $"{Number(language, q.Get("amount"))} {language.Texts.Word(q.Text("unit") ?? "")}"
            : "";

    private static string Number(PageLanguage language, JsonElement? value) =>
        value is { } v && decimal.TryParse(v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText(), NumberStyles.Number,
            CultureInfo.InvariantCulture, out var number)
            ? language.Number(number)
            : "";
}
