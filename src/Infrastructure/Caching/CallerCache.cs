using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Telemetry;
using Microsoft.Extensions.Caching.Memory;

namespace Gatehouse.Infrastructure.Caching;

/// <summary>
/// What a steady request needs about its caller, held in memory: the user behind a provider subject,
/// their profile, claims last seen, active flag and memberships (<see cref="CallerSnapshot"/>), and
/// each live API key by the SHA-256 of its secret (<see cref="ApiKeySnapshot"/>).
/// <list type="bullet">
/// <item>Invalidated by row: <see cref="ChangeListener"/> hears every committed change to users,
/// memberships and keys from PostgreSQL (migrations/0005) and calls <see cref="Forget"/>; the instance
/// that commits forgets its own entries before it answers (<see cref="Database.DbSession.CommitAsync"/>).</item>
/// <item>Fails safe: while the listener is not connected, or has not been heard from within
/// <see cref="MaxSilence"/>, nothing is answered from or written to memory, and everything is flushed
/// when it connects again (it may have missed changes meanwhile).</item>
/// <item>No entry lives longer than <see cref="MaxAge"/>: the last line of defence, not the mechanism.</item>
/// <item>A read that raced a change is not stored (<see cref="Version"/>), so a stale row never lands
/// after the change that made it stale was heard.</item>
/// </list>
/// </summary>
public sealed class CallerCache : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MaxSilence = TimeSpan.FromSeconds(1);
    public const string UserPrefix = "user:";
    public const string KeyPrefix = "key:";

    private readonly TimeProvider _time;
    private readonly GatehouseMetrics _metrics;
    private readonly MemoryCache _entries;
    private readonly long _maxEntries;
    private long _version;
    private long _lastHeard;
    private volatile bool _listening;

    public CallerCache(CacheSettings settings, TimeProvider time, GatehouseMetrics metrics)
    {
        _time = time;
        _metrics = metrics;
        _maxEntries = settings.CallerCacheMaxEntries;
        _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(_maxEntries, 1) });
    }

    /// <summary>True while memory may answer: the listener is connected and was heard from recently.</summary>
    public bool IsCoherent =>
        _maxEntries > 0 && _listening && _time.GetElapsedTime(Interlocked.Read(ref _lastHeard)) < MaxSilence;

    /// <summary>Take before a database read; pass to Store afterwards.</summary>
    public long Version => Interlocked.Read(ref _version);

    public CallerSnapshot? FindUser(Guid userId) => Find<CallerSnapshot>(UserPrefix + userId.ToString(), "caller");

    public CallerSnapshot? FindSubject(string provider, string subject) =>
        Find<Guid>(SubjectKey(provider, subject), null) is { } userId && userId != Guid.Empty
            ? FindUser(userId)
            : Miss("caller");

    public ApiKeySnapshot? FindApiKey(string hashHex) => Find<ApiKeySnapshot>(KeyPrefix + hashHex, "api_key");

    public void Store(CallerSnapshot caller, string? provider, string? subject, long version)
    {
        if (!MayStore(version)) return;
        _entries.Set(UserPrefix + caller.UserId.ToString(), caller, Options());
        if (provider is not null && subject is not null)
            _entries.Set(SubjectKey(provider, subject), (object)caller.UserId, Options());
        // A change heard while storing may have been missed by the lines above: take them back.
        if (Version != version) Forget(UserPrefix + caller.UserId.ToString());
    }

    public void Store(string hashHex, ApiKeySnapshot key, long version)
    {
        if (!MayStore(version)) return;
        _entries.Set(KeyPrefix + hashHex, key, Options());
        if (Version != version) Forget(KeyPrefix + hashHex);
    }

    /// <summary>One changed row, as named by the notification: <c>user:&lt;id&gt;</c> or <c>key:&lt;hex&gt;</c>.</summary>
    public void Forget(string item)
    {
        Interlocked.Increment(ref _version);
        _entries.Remove(item);
        LastItem = item;
    }

    /// <summary>The last item forgotten: lets a test wait until a change it made elsewhere was heard.</summary>
    public string? LastItem { get; private set; }

    /// <summary>The listener is connected and listening: start from empty, since changes may have been missed.</summary>
    public void Connected()
    {
        Flush();
        Heard();
        _listening = true;
    }

    public void Disconnected()
    {
        _listening = false;
        Flush();
    }

    public void Heard() => Interlocked.Exchange(ref _lastHeard, _time.GetTimestamp());

    private void Flush()
    {
        Interlocked.Increment(ref _version);
        _entries.Clear();
    }

    private bool MayStore(long version) => IsCoherent && Version == version;

    private T? Find<T>(string key, string? metric)
    {
        if (IsCoherent && _entries.TryGetValue(key, out var value) && value is T found)
        {
            if (metric is not null) _metrics.CacheLookup(metric, hit: true);
            return found;
        }
        if (metric is not null) _metrics.CacheLookup(metric, hit: false);
        return default;
    }

    private CallerSnapshot? Miss(string metric)
    {
        _metrics.CacheLookup(metric, hit: false);
        return null;
    }

    private static string SubjectKey(string provider, string subject) => $"sub:{provider}:{subject}";

    private static MemoryCacheEntryOptions Options() => new() { Size = 1, AbsoluteExpirationRelativeToNow = MaxAge };

    public void Dispose() => _entries.Dispose();
}

/// <summary>A user as the request path needs them; immutable, replaced whole when the row changes.</summary>
public sealed class CallerSnapshot
{
    public Guid UserId { get; init; }
    public string? Email { get; init; }
    public string? FullName { get; init; }
    public string? AvatarUrl { get; init; }
    public string Preferences { get; init; } = "{}";
    public bool IsActive { get; init; }
    public string? IdpEmail { get; init; }
    public bool? IdpEmailVerified { get; init; }
    public string? IdpName { get; init; }
    public Guid? ActiveWorkspaceId { get; init; }
    /// <summary>Memberships, oldest first, with <see cref="Roles"/> at the same index.</summary>
    public Guid[] WorkspaceIds { get; init; } = [];
    public string[] Roles { get; init; } = [];

    /// <summary>The caller's role there; null when they are not a member.</summary>
    public WorkspaceRole? RoleIn(Guid workspaceId)
    {
        var i = Array.IndexOf(WorkspaceIds, workspaceId);
        return i < 0 ? null : WorkspaceRoles.FromDatabase(Roles[i]);
    }

    /// <summary>The workspace of a request that names none: the active one while a member, else the oldest membership.</summary>
    public Guid? DefaultWorkspace() =>
        ActiveWorkspaceId is { } active && RoleIn(active) is not null ? active
        : WorkspaceIds.Length > 0 ? WorkspaceIds[0]
        : null;
}

/// <summary>A key that is not revoked; expiry and the user's active flag are decided per request.</summary>
public sealed class ApiKeySnapshot
{
    public Guid Id { get; init; }
    public Guid UserId { get; init; }
    public Guid WorkspaceId { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Moves forward in memory when this instance touches the key, so it writes once a minute, not once a request.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }
}
