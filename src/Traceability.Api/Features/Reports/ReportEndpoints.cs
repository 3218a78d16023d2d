namespace Traceability.Api.Features.Reports;

/// <summary>The alliance report (Liên minh HTX): per commune/ward and period, JSON and CSV. (Being built: issue 4.)</summary>
public static class ReportEndpoints
{
    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder routes) => routes;
}
