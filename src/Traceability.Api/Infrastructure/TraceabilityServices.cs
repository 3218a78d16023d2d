using Traceability.Api.Features.CooperativePages;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.FileProviders;
using Traceability.Api.Features.PersonalData;
using Traceability.Api.Security;
using Traceability.EventStore;
using Traceability.Projections.Hosting;
using Traceability.Projections.Provenance;

namespace Traceability.Api.Infrastructure;

/// <summary>What the host registers and the order of its middleware; Program.cs only calls these.</summary>
public static class TraceabilityServices
{
    /// <summary>Commands are small JSON documents: 256 KiB is generous and keeps a phone's mistakes cheap.</summary>
    public const long MaxRequestBytes = 256 * 1024;

    public static async Task AddTraceabilityAsync(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("EventStore");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                "ConnectionStrings:EventStore is empty: set it to 'Data Source=path/to/traceability.db' (SQLite) or an Npgsql connection string.");
        connectionString = AnchorSqlitePath(connectionString, builder.Environment.ContentRootPath);
        var store = await EventStoreFactory.OpenAsync(connectionString);
        var personalData = await PersonalDataStore.OpenAsync(connectionString, CancellationToken.None);
        var readModels = await ReadModelDatabase.OpenAsync(connectionString);

        var services = builder.Services;
        services.AddSingleton<IEventStore>(_ => store); // created by a factory, so the container disposes it
        services.AddSingleton(personalData);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AggregateReader>();
        services.AddSingleton<CommandPipeline>();
        services.AddSingleton<Features.Batches.BatchCommands>();
        services.AddSingleton<ApiKeyRegistry>();
        services.AddSingleton<AdminKeyBootstrap>();
        services.AddHostedService<ApiKeyRegistryFeed>();

        // Read models. Embedded mode runs the projector in this process; an Api instance in production mode sets
        // Projections:RunInProcess=false and leaves it to the projector process (same code).
        services.AddSingleton(_ => readModels);
        // Every projection in the Projections assembly runs: adding a read model is adding its class.
        foreach (var type in typeof(ProvenanceProjection).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IProjection).IsAssignableFrom(t)))
            services.AddSingleton(typeof(IProjection), type);
        services.AddSingleton<Projector>();
        if (builder.Configuration.GetValue("Projections:RunInProcess", true)) services.AddHostedService<ProjectorService>();

        services.ConfigureHttpJsonOptions(options => Json.Configure(options.SerializerOptions));
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<FormOptions>(options => options.MultipartBodyLengthLimit = MaxRequestBytes);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBytes);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.FillInFrameworkProblem);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Traceability API";
                document.Info.Description = "Truy xuất nguồn gốc cho hợp tác xã: commands and audit reads over an event store. " +
                                            "Authenticate with 'Authorization: Bearer trc_…'. Errors are RFC 9457 problem details.";
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer(OpenApiSchemas.Describe);
        });

        services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddSingleton<IAuthorizationHandler, Features.Batches.BatchAuditRequirement>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Party.Policies.Admin, p => p.RequireRole(Party.Roles.Admin))
            .AddPolicy(Party.Policies.Cooperative, p => p.RequireRole(Party.Roles.Cooperative))
            .AddPolicy(Party.Policies.Holder, p => p.RequireRole(Party.Roles.Cooperative, Party.Roles.Buyer))
            .AddPolicy(Party.Policies.OwnCooperative, p => p.RequireAssertion(context =>
                context.User.IsAdmin() ||
                (context.User.IsInRole(Party.Roles.Cooperative) && context.Resource is HttpContext http &&
                 Guid.TryParse(http.GetRouteValue("cooperativeId")?.ToString(), out var id) && id == context.User.PartyId())));
        services.AddTraceabilityRateLimits(builder.Configuration);
        services.AddTraceabilityMessaging(builder.Configuration);
        // Pages are in Vietnamese: encode what HTML needs encoded (< > & " ') and leave letters such as "ữ" as they are,
        // instead of the default encoder's numeric entities (which make a page half again as big and unreadable as source).
        services.AddSingleton(System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All));
        // The server-rendered pages: the public provenance page and resolver, and the cooperative pages.
        services.AddSingleton<Features.PublicPage.PageHtml>();
        services.AddSingleton<Features.Labels.BatchIdentities>();
        services.AddSingleton<Features.PublicPage.PageRenderer>();
        services.AddCooperativePortal();
        services.AddSingleton<Features.Demo.DemoSeed>();
        if (Features.Demo.DemoStartup.IsEnabled(builder.Configuration, embedded: readModels.Dialect == SqlDialect.Sqlite))
            services.AddHostedService<Features.Demo.DemoStartup>();
    }

    /// <summary>A relative SQLite path means "beside the app", wherever the process was started from.</summary>
    private static string AnchorSqlitePath(string connectionString, string contentRoot)
    {
        if (EventStoreFactory.IsPostgres(connectionString)) return connectionString;
        var sqlite = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(
            connectionString.Contains('=', StringComparison.Ordinal) ? connectionString : $"Data Source={connectionString}");
        if (!Path.IsPathRooted(sqlite.DataSource)) sqlite.DataSource = Path.Combine(contentRoot, sqlite.DataSource);
        return sqlite.ToString();
    }

    public static void UseTraceability(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        UsePublicFiles(app);
        app.Use(RefuseOversizedBodies);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        // A command with an Idempotency-Key is hashed after binding, so its body must be readable twice.
        app.Use((http, next) =>
        {
            if (http.Request.Headers.ContainsKey(CommandPipeline.IdempotencyHeader)) http.Request.EnableBuffering();
            return next(http);
        });
    }

    /// <summary>
    /// Files under the web root (<c>wwwroot</c> beside the app, or the <c>webroot</c> setting) are the same for everyone, so
    /// they are answered before authentication and the rate limiter. They are not fingerprinted: browsers may keep them an
    /// hour, then revalidate (ETag, Last-Modified). No web root, no middleware, and no start-up warning about a missing one.
    /// </summary>
    private static void UsePublicFiles(WebApplication app)
    {
        if (app.Environment.WebRootFileProvider is NullFileProvider) return;
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file =>
            {
                file.Context.Response.Headers.CacheControl = "public, max-age=3600";
                file.Context.Response.Headers.XContentTypeOptions = "nosniff";
            },
        });
    }

    /// <summary>413 before reading a byte, whatever the server (Kestrel enforces it too; the test host does not).</summary>
    private static async Task RefuseOversizedBodies(HttpContext http, Func<Task> next)
    {
        if (http.Request.ContentLength > MaxRequestBytes)
        {
            await Problems.Status(StatusCodes.Status413PayloadTooLarge, "request.too_large",
                $"The request body is larger than {MaxRequestBytes} bytes.", $"Nội dung yêu cầu lớn hơn {MaxRequestBytes} byte.").ExecuteAsync(http);
            return;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxRequestBytes;
        await next();
    }
}
