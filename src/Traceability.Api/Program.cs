using Traceability.Api.Features.Health;
using Traceability.EventStore;

var builder = WebApplication.CreateBuilder(args);

// Embedded default: one SQLite file beside the app's working directory. Production: an Npgsql connection string.
var connectionString = builder.Configuration.GetConnectionString("EventStore");
if (string.IsNullOrWhiteSpace(connectionString))
    throw new InvalidOperationException(
        "ConnectionStrings:EventStore is empty: set it to 'Data Source=path/to/traceability.db' (SQLite) or an Npgsql connection string.");
var store = await EventStoreFactory.OpenAsync(connectionString);
builder.Services.AddSingleton<IEventStore>(_ => store); // created by a factory, so the container disposes it
builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapHealthEndpoints();
app.Run();
