using Scalar.AspNetCore;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Buyers;
using Traceability.Api.Features.Catalogue;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Features.Health;
using Traceability.Api.Features.Keys;
using Traceability.Api.Features.Labels;
using Traceability.Api.Features.PersonalData;
using Traceability.Api.Features.Projections;
using Traceability.Api.Features.Provenance;
using Traceability.Api.Features.Reports;
using Traceability.Api.Features.ValueChain;
using Traceability.Api.Features.Webhooks;
using Traceability.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
await builder.AddTraceabilityAsync();

var app = builder.Build();
app.UseTraceability();
app.MapOpenApi();
app.MapScalarApiReference("/docs");
app.MapHealthEndpoints();
app.MapKeyEndpoints();
app.MapCooperativeEndpoints();
app.MapBuyerEndpoints();
app.MapBatchEndpoints();
app.MapContactEndpoints();
app.MapProvenanceEndpoints();
app.MapProjectionEndpoints();
app.MapValueChainEndpoints();
app.MapCatalogueEndpoints();
app.MapReportEndpoints();
app.MapWebhookEndpoints();
app.MapLabelEndpoints();
// RunAsync, not Run: Run would block a thread-pool thread for the host's whole life (this Main is async).
await app.RunAsync();
