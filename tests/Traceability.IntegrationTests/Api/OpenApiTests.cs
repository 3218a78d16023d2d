using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Api;

/// <summary>The OpenAPI document describes the Api that is actually mapped: every route, its body, and the problems it can answer.</summary>
public sealed partial class OpenApiTests(SharedApis apis) : IClassFixture<SharedApis>
{
    private static readonly int[] CommandProblems = [400, 401, 403, 409, 412, 422, 429];

    private sealed record Documented(string Method, string Path, RouteEndpoint Endpoint)
    {
        public override string ToString() => $"{Method.ToUpperInvariant()} {Path}";
    }

    private async Task<(ApiFactory Api, JsonElement Document, List<Documented> Endpoints)> LoadAsync(Backend backend)
    {
        var api = await apis.GetAsync(backend);
        var response = await api.ClientFor(null).GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => new Documented(m.ToLowerInvariant(), PathOf(e), e)))
            .ToList();
        Assert.NotEmpty(endpoints);
        return (api, document, endpoints);
    }

    /// <summary><c>/api/batches/{batchId:guid}/</c> as OpenAPI writes it: <c>/api/batches/{batchId}</c>.</summary>
    private static string PathOf(RouteEndpoint endpoint)
    {
        var path = RouteParameter().Replace("/" + endpoint.RoutePattern.RawText!.TrimStart('/'), "{$1}");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z0-9_]+)(?::[^}?]*)?\??\}")]
    private static partial Regex RouteParameter();

    private static JsonElement? Operation(JsonElement document, Documented endpoint) =>
        document.GetProperty("paths").TryGetProperty(endpoint.Path, out var path) && path.TryGetProperty(endpoint.Method, out var operation)
            ? operation
            : null;

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var parts = reference.GetString()!.TrimStart('#', '/').Split('/');
            schema = parts.Aggregate(document, (node, part) => node.GetProperty(part));
        }

        return schema;
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task The_document_is_valid_JSON_listing_every_mapped_route(Backend backend)
    {
        var (_, document, endpoints) = await LoadAsync(backend);
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        Assert.Equal("Traceability API", document.GetProperty("info").GetProperty("title").GetString());

        var missing = endpoints.Where(e => Operation(document, e) is null).Select(e => e.ToString()).ToList();
        Assert.True(missing.Count == 0, "Mapped but not documented: " + string.Join(", ", missing));

        var mapped = endpoints.Select(e => e.ToString()).ToHashSet();
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {path.Name}")).ToList();
        Assert.Empty(documented.Except(mapped));
        Assert.Equal(mapped.Count, documented.Count);

        // Every route parameter is documented as a path parameter.
        foreach (var endpoint in endpoints)
        {
            var operation = Operation(document, endpoint)!.Value;
            var pathParameters = operation.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()).ToHashSet()
                : [];
            foreach (var parameter in endpoint.Endpoint.RoutePattern.Parameters)
                Assert.True(pathParameters.Contains(parameter.Name), $"{endpoint} does not document its path parameter {parameter.Name}");
        }

        // The write endpoints the authorization matrix knows are all here.
        Assert.Contains("POST /api/batches/{batchId}/receipts", mapped);
        Assert.Contains("DELETE /api/cooperatives/{cooperativeId}/contacts/{contactId}", mapped);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Every_endpoint_that_reads_a_body_documents_its_schema(Backend backend)
    {
        var (_, document, endpoints) = await LoadAsync(backend);
        var withBody = 0;
        foreach (var endpoint in endpoints)
        {
            var operation = Operation(document, endpoint)!.Value;
            var accepts = endpoint.Endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
            if (accepts?.RequestType is not { } requestType)
            {
                Assert.False(operation.TryGetProperty("requestBody", out _), $"{endpoint} reads no body but documents one");
                continue;
            }

            withBody++;
            Assert.True(operation.TryGetProperty("requestBody", out var requestBody), $"{endpoint} reads a {requestType.Name} but documents no body");
            Assert.True(requestBody.GetProperty("required").GetBoolean(), $"{endpoint}: the body is required");
            var schema = Resolve(document, requestBody.GetProperty("content").GetProperty("application/json").GetProperty("schema"));
            Assert.Equal("object", schema.GetProperty("type").GetString());
            var documented = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
            var expected = requestType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToHashSet();
            Assert.True(expected.SetEquals(documented),
                $"{endpoint}: {requestType.Name} has [{string.Join(", ", expected)}], the schema documents [{string.Join(", ", documented)}]");
        }

        Assert.True(withBody >= 20, $"only {withBody} endpoints read a body");
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Every_command_documents_its_problem_responses(Backend backend)
    {
        var (_, document, endpoints) = await LoadAsync(backend);
        var commands = endpoints.Where(e => e.Method is "post" or "put" or "patch").ToList();
        Assert.True(commands.Count >= 20, $"only {commands.Count} commands");
        var missing = commands.SelectMany(e => CommandProblems.Where(status => !DocumentsProblem(document, e, status)).Select(status => $"{e} → {status}")).ToList();
        Assert.True(missing.Count == 0, "Undocumented problem responses: " + string.Join("; ", missing));
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Every_endpoint_that_needs_a_key_documents_401_and_403(Backend backend)
    {
        var (_, document, endpoints) = await LoadAsync(backend);
        var protectedEndpoints = endpoints.Where(e => e.Endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null &&
                                                      e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null).ToList();
        Assert.True(protectedEndpoints.Count >= 25, $"only {protectedEndpoints.Count} protected endpoints");
        var missing = protectedEndpoints.SelectMany(e => new[] { 401, 403 }.Where(status => !DocumentsProblem(document, e, status)).Select(status => $"{e} → {status}"))
            .ToList();
        Assert.True(missing.Count == 0, "Undocumented problem responses: " + string.Join("; ", missing));
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Every_rate_limited_endpoint_documents_429(Backend backend)
    {
        var (_, document, endpoints) = await LoadAsync(backend);
        var limited = endpoints.Where(e => e.Endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null &&
                                           e.Endpoint.Metadata.GetMetadata<DisableRateLimitingAttribute>() is null).ToList();
        Assert.True(limited.Count >= 25, $"only {limited.Count} rate-limited endpoints");
        var missing = limited.Where(e => !DocumentsProblem(document, e, 429)).Select(e => e.ToString()).ToList();
        Assert.True(missing.Count == 0, "Rate limited, but 429 is not documented: " + string.Join("; ", missing));
    }

    /// <summary>What a client validates a refusal against must admit what the Api sends: <c>code</c> (which clients match on) and <c>detailVi</c>.</summary>
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Actual_problem_bodies_conform_to_the_documented_problem_schema(Backend backend)
    {
        var (api, document, endpoints) = await LoadAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        await RegisterRawBatchAsync(p.Cooperative, clock, "CG-OAS-01");
        var refused = await p.Cooperative.PostJson("/api/batches", RawBatch(clock, "CG-OAS-01"));
        var problem = await refused.Problem(422);
        Assert.Equal("batch.lot_taken", CodeOf(problem));

        var register = endpoints.Single(e => e.ToString() == "POST /api/batches");
        var schema = Resolve(document, Operation(document, register)!.Value.GetProperty("responses").GetProperty("422").GetProperty("content")
            .GetProperty("application/problem+json").GetProperty("schema"));
        var properties = schema.GetProperty("properties").EnumerateObject().Select(x => x.Name).ToHashSet();
        var closed = schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False;
        var undocumented = problem.EnumerateObject().Select(x => x.Name).Where(name => !properties.Contains(name)).ToList();
        Assert.True(!closed || undocumented.Count == 0,
            $"The 422 schema forbids additional properties, yet the Api sends [{string.Join(", ", undocumented)}]: {problem}");
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task The_docs_page_is_the_Scalar_reference_for_this_document(Backend backend)
    {
        var api = await apis.GetAsync(backend);
        var response = await api.ClientFor(null).GetAsync("/docs");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Scalar", html, StringComparison.Ordinal);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        var script = await api.ClientFor(null).GetAsync("/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    private static bool DocumentsProblem(JsonElement document, Documented endpoint, int status) =>
        Operation(document, endpoint) is { } operation &&
        operation.GetProperty("responses").TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) &&
        response.TryGetProperty("content", out var content) &&
        content.TryGetProperty("application/problem+json", out var media) &&
        media.TryGetProperty("schema", out _);
}
