using System.Collections.Concurrent;
using Traceability.Api.Infrastructure;
using Traceability.EventStore;

namespace Traceability.Api.Security;

/// <summary>The keys in force, kept in memory from the <c>apikey</c> streams (the store is the only truth).</summary>
public sealed class ApiKeyRegistry
{
    private readonly ConcurrentDictionary<Guid, ApiKeyIssued> _keys = new();
    private readonly ConcurrentDictionary<Guid, bool> _revoked = new();
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task CaughtUp => _caughtUp.Task;

    public bool HasAdmin => _keys.Values.Any(k => k.Role == ApiRole.Admin);

    public ApiKeyIssued? Find(Guid keyId) => _keys.GetValueOrDefault(keyId);

    public void Apply(object? @event)
    {
        switch (@event)
        {
            // A revocation is final, even if the feed delivers the issue after this instance applied the revoke.
            case ApiKeyIssued issued when !_revoked.ContainsKey(issued.KeyId): _keys[issued.KeyId] = issued; break;
            case ApiKeyRevoked revoked:
                _revoked[revoked.KeyId] = true;
                _keys.TryRemove(revoked.KeyId, out _);
                break;
        }
    }

    internal void MarkCaughtUp() => _caughtUp.TrySetResult();
}

/// <summary>Fills the registry at start and follows new keys from every Api instance.</summary>
public sealed class ApiKeyRegistryFeed(IEventStore store, ApiKeyRegistry registry, AdminKeyBootstrap bootstrap, ILogger<ApiKeyRegistryFeed> logger)
    : BackgroundService
{
    private GlobalPosition _checkpoint = GlobalPosition.Start;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Catch up before the host serves requests, so a restart never refuses a valid key.
        await foreach (var e in store.ReadAllAsync(GlobalPosition.Start, cancellationToken: cancellationToken))
        {
            _checkpoint = e.Position;
            if (e.Category == "apikey") registry.Apply(EventCodec.Decode(e));
        }

        registry.MarkCaughtUp();
        await bootstrap.EnsureAdminKeyAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in store.SubscribeToAllAsync(_checkpoint, EventFilter.ForCategories("apikey"), stoppingToken))
                registry.Apply(EventCodec.Decode(e));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            logger.LogError(error, "The API key feed stopped; keys issued by other instances are not seen until restart.");
        }
    }
}
