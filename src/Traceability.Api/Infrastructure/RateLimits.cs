using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Traceability.Api.Security;

namespace Traceability.Api.Infrastructure;

/// <summary>Writes are limited per API key, anonymous reads per client address; both configurable (<c>RateLimits:*</c>).</summary>
public static class RateLimits
{
    public const string Writes = "writes";
    public const string Reads = "reads";

    public static IServiceCollection AddTraceabilityRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var writesPerMinute = configuration.GetValue("RateLimits:WritesPerMinute", 600);
        var readsPerMinute = configuration.GetValue("RateLimits:ReadsPerMinute", 1200);
        if (writesPerMinute <= 0 || readsPerMinute <= 0)
            throw new InvalidOperationException("RateLimits:WritesPerMinute and RateLimits:ReadsPerMinute must be positive.");
        return services.AddRateLimiter(options =>
        {
            options.AddPolicy(Writes, http => RateLimitPartition.GetTokenBucketLimiter(
                http.User.KeyId()?.ToString() ?? "anonymous:" + http.Connection.RemoteIpAddress,
                _ => Bucket(writesPerMinute)));
            options.AddPolicy(Reads, http => RateLimitPartition.GetTokenBucketLimiter(
                http.User.KeyId()?.ToString() ?? "anonymous:" + http.Connection.RemoteIpAddress,
                _ => Bucket(readsPerMinute)));
            options.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await Problems.Status(StatusCodes.Status429TooManyRequests, "request.rate_limited",
                    "Too many requests: wait a minute and try again.", "Quá nhiều yêu cầu: hãy chờ một phút rồi thử lại.")
                    .ExecuteAsync(context.HttpContext);
            };
        });
    }

    private static TokenBucketRateLimiterOptions Bucket(int perMinute) => new()
    {
        TokenLimit = perMinute,
        TokensPerPeriod = Math.Max(1, perMinute / 6),
        ReplenishmentPeriod = TimeSpan.FromSeconds(10),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
