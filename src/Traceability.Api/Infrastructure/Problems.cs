using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Infrastructure;

/// <summary>RFC 9457 problem details for every way a request can be refused; one place decides the status codes.</summary>
public static partial class Problems
{
    public static ProblemHttpResult Field(string field, string messageEn, string messageVi) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [messageEn] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request has an invalid field.",
            Detail = messageEn,
            Extensions = { ["code"] = "request.invalid_field", ["detailVi"] = messageVi },
        });

    public static ProblemHttpResult Status(int status, string code, string detailEn, string detailVi, IDictionary<string, object?>? extra = null)
    {
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = TitleFor(status),
            Detail = detailEn,
            Extensions = { ["code"] = code, ["detailVi"] = detailVi },
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>()) problem.Extensions[key] = value;
        return TypedResults.Problem(problem);
    }

    /// <summary>A broken business rule: 404 for a missing thing, 403 for custody, 422 for the rest.</summary>
    public static ProblemHttpResult Rule(DomainException error) => Status(
        error.Code.EndsWith(".not_found", StringComparison.Ordinal) ? StatusCodes.Status404NotFound
        : error.Code == "batch.not_custodian" ? StatusCodes.Status403Forbidden
        : StatusCodes.Status422UnprocessableEntity,
        error.Code, error.MessageEn, error.MessageVi);

    public static ProblemHttpResult Concurrency(WrongExpectedRevisionException error, bool ifMatchGiven) => Status(
        ifMatchGiven ? StatusCodes.Status412PreconditionFailed : StatusCodes.Status409Conflict,
        ifMatchGiven ? "request.precondition_failed" : "request.concurrency_conflict",
        $"The record changed meanwhile: it is at revision {error.ActualRevision}. Reload it and try again.",
        $"Dữ liệu vừa được người khác thay đổi (phiên bản {error.ActualRevision}). Hãy tải lại và thử lại.",
        new Dictionary<string, object?> { ["actualRevision"] = error.ActualRevision });

    public static ProblemHttpResult From(Exception error) => error switch
    {
        DomainException e => Rule(e),
        InvalidFieldException e => Field(e.Field, e.MessageEn, e.MessageVi),
        EventStoreArgumentException e => Status(StatusCodes.Status400BadRequest, "store." + e.Code, e.Message, "Dữ liệu không hợp lệ."),
        WrongExpectedRevisionException e => Concurrency(e, ifMatchGiven: false),
        BadHttpRequestException e => Status(e.StatusCode, e.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "request.too_large",
                StatusCodes.Status415UnsupportedMediaType => "request.unsupported_media_type",
                _ => "request.malformed",
            },
            Describe(e), "Yêu cầu không hợp lệ: " + Describe(e)),
        _ => Status(StatusCodes.Status500InternalServerError, "server.error", "An unexpected error occurred.", "Lỗi hệ thống."),
    };

    private static string Describe(BadHttpRequestException error) =>
        error.InnerException is System.Text.Json.JsonException json
            ? $"The JSON body is invalid at {json.Path ?? "$"}: {ClrNames().Replace(json.Message.Split(" Path: ")[0], "the request")}"
            : error.Message;

    /// <summary>Serializer messages name CLR types; a client needs the JSON path, not our namespaces.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"'?(Traceability|System)\.[\w.`\[\]]+'?")]
    private static partial System.Text.RegularExpressions.Regex ClrNames();

    /// <summary>
    /// Problems the framework makes itself (authentication, authorization, routing, content negotiation) get the
    /// same shape as ours: a detail in English and Vietnamese and a stable code.
    /// </summary>
    public static void FillInFrameworkProblem(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code")) return;
        var (code, en, vi) = problem.Status switch
        {
            401 => ("auth.required", "Authentication required: send 'Authorization: Bearer trc_…' with a valid API key.",
                "Cần xác thực: gửi 'Authorization: Bearer trc_…' với khóa API hợp lệ."),
            403 => ("auth.forbidden", "This API key's role or party may not do this.", "Khóa API này không có quyền thực hiện thao tác này."),
            404 => ("request.not_found", "No such resource: check the address and the id.", "Không tìm thấy: hãy kiểm tra địa chỉ và mã."),
            405 => ("request.method_not_allowed", "This method is not allowed here.", "Phương thức này không được phép."),
            415 => ("request.unsupported_media_type", "Send the body as application/json.", "Hãy gửi nội dung dạng application/json."),
            _ => ("request.error", problem.Title ?? "The request failed.", "Yêu cầu không thành công."),
        };
        problem.Detail ??= en;
        problem.Extensions["code"] = code;
        problem.Extensions["detailVi"] = vi;
    }

    private static string TitleFor(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        412 => "Precondition failed",
        413 => "Payload too large",
        415 => "Unsupported media type",
        422 => "Business rule violated",
        429 => "Too many requests",
        _ => "Error",
    };
}

/// <summary>Turns any exception that reaches the pipeline into problem details (domain errors included).</summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var result = Problems.From(exception);
        if (result.StatusCode >= 500) logger.LogError(exception, "Unhandled error on {Path}", context.Request.Path);
        await result.ExecuteAsync(context);
        return true;
    }
}
