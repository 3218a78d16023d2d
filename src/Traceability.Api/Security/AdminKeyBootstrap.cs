using Traceability.Api.Infrastructure;
using Traceability.EventStore;

namespace Traceability.Api.Security;

/// <summary>
/// The first start of an installation with no admin key issues one and prints it once: without it nobody could
/// register the first cooperative. <c>Auth:AdminKey</c> supplies the key instead (tests, scripted set-ups).
/// </summary>
public sealed class AdminKeyBootstrap(IEventStore store, ApiKeyRegistry registry, IConfiguration configuration, TimeProvider time,
    ILogger<AdminKeyBootstrap> logger)
{
    public async Task EnsureAdminKeyAsync(CancellationToken cancellationToken)
    {
        if (registry.HasAdmin) return;
        var configured = configuration["Auth:AdminKey"];
        string key, hash;
        Guid keyId;
        if (!string.IsNullOrEmpty(configured))
        {
            if (!ApiKeys.TryParse(configured, out keyId, out var secret))
                throw new InvalidOperationException("Auth:AdminKey is not a key of the form trc_{32 hex}_{43 base64url characters}.");
            (key, hash) = (configured, ApiKeys.Hash(secret));
        }
        else
        {
            (keyId, key, hash) = ApiKeys.Create(Guid.CreateVersion7());
        }

        var issued = new ApiKeyIssued(keyId, hash, ApiRole.Admin, null, "admin", time.GetUtcNow());
        var metadata = new EventMetadata("system", null, Guid.CreateVersion7(), Guid.CreateVersion7(), null, null);
        try
        {
            await store.AppendAsync(StreamNames.ApiKey(keyId), ExpectedRevision.NoStream, [EventCodec.Encode(issued, metadata)], cancellationToken);
        }
        catch (WrongExpectedRevisionException)
        {
            // Another instance issued the same configured key first.
        }

        registry.Apply(issued);
        if (string.IsNullOrEmpty(configured))
            logger.LogWarning("First start: an admin API key was created. It is shown only this once; keep it safe:\n    {AdminKey}", key);
    }
}
