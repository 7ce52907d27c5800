using Dapper;
using Gatehouse.Infrastructure.Auth.Tokens;
using Gatehouse.Infrastructure.Caching;
using Gatehouse.Infrastructure.Telemetry;
using Npgsql;

namespace Gatehouse.Infrastructure.Auth.Provisioning;

/// <summary>
/// Turns a verified identity into the request's <see cref="AuthContext"/>. A steady request (known
/// user, unchanged claims) is answered from <see cref="CallerCache"/> with no database work; otherwise
/// one indexed read loads the user with every membership. A subject seen for the first time is
/// provisioned in one statement; claims that changed are written once.
/// </summary>
public sealed class AuthContextResolver(
    NpgsqlDataSource dataSource, DefaultApiKeys defaultKeys, AuthSettings settings, CallerCache cache, GatehouseMetrics metrics,
    ILogger<AuthContextResolver> logger)
{
    public abstract record Outcome
    {
        public sealed record Resolved(AuthContext Context) : Outcome;
        public sealed record Refused(int Status, string Detail) : Outcome;
    }

    // The SQL lives in SECURITY DEFINER functions (migrations/functions/<name>.sql): before the context exists,
    // row-level security would show the runtime role nothing.
    private const string LoadCallerSql = "select * from load_caller(@userId, @auth0Id, @authentikId)";

    private const string SyncClaimsSql = "select sync_idp_claims(@userId, @email, @emailVerified, @name)";

    private const string LinkIdentitySql = "select link_identity_by_email(@provider, @subject, @email, @emailVerified, @name)";

    private const string ProvisionSql = """
        select provision_user(@userId, @email, @emailVerified, @name, @auth0Id, @authentikId,
                              @workspaceId, @workspaceName, @keyName, @keyPrefix, @keyHash, @sealedKey, @keyTtl)
        """;

    public async Task<Outcome> ResolveAsync(CallerIdentity identity, Guid? workspaceId, CancellationToken ct)
    {
        var caller = Remembered(identity) ?? await LoadAsync(identity, provision: true, ct);
        if (caller is null)
            return new Outcome.Refused(StatusCodes.Status401Unauthorized, "The credential's user no longer exists.");
        if (!caller.IsActive)
            return new Outcome.Refused(StatusCodes.Status403Forbidden, "This account is disabled.");

        if (identity.Subject is not null && ClaimsChanged(caller, identity))
        {
            await using (var connection = await dataSource.OpenConnectionAsync(ct))
                await connection.ExecuteAsync(new CommandDefinition(SyncClaimsSql,
                    new { userId = caller.UserId, email = identity.Email, emailVerified = identity.EmailVerified, name = identity.Name },
                    cancellationToken: ct));
            cache.Forget(CallerCache.UserPrefix + caller.UserId);
            caller = await LoadAsync(identity, provision: false, ct) ?? caller;
        }

        var chosen = workspaceId ?? caller.DefaultWorkspace();
        var role = chosen is { } id ? caller.RoleIn(id) : null;
        if (workspaceId is not null && role is null)
            return new Outcome.Refused(StatusCodes.Status403Forbidden, $"You are not a member of workspace {workspaceId}.");

        return new Outcome.Resolved(new AuthContext(caller.UserId, caller.Email, role is null ? null : chosen, role, identity.Method, identity.Permissions)
        {
            Profile = caller,
        });
    }

    private CallerSnapshot? Remembered(CallerIdentity identity) =>
        identity.UserId is { } userId ? cache.FindUser(userId)
        : identity.Subject is { } subject ? cache.FindSubject(ProviderName(identity), subject)
        : null;

    private async Task<CallerSnapshot?> LoadAsync(CallerIdentity identity, bool provision, CancellationToken ct)
    {
        var version = cache.Version;
        var lookup = new
        {
            userId = identity.UserId,
            auth0Id = identity.Method == AuthMethod.Auth0 ? identity.Subject : null,
            authentikId = identity.Method == AuthMethod.Authentik ? identity.Subject : null,
        };
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var caller = await FindAsync(connection, lookup, ct);
        for (var attempt = 0; provision && caller is null && identity.Subject is not null && attempt < 3; attempt++)
        {
            await ProvisionAsync(connection, identity, ct);
            caller = await FindAsync(connection, lookup, ct);
        }
        if (caller is not null)
            cache.Store(caller, identity.Subject is null ? null : ProviderName(identity), identity.Subject, version);
        return caller;
    }

    private static string ProviderName(CallerIdentity identity) => identity.Method == AuthMethod.Auth0 ? "auth0" : "authentik";

    private static bool ClaimsChanged(CallerSnapshot caller, CallerIdentity identity) =>
        (identity.Email is not null && (identity.Email != caller.IdpEmail || identity.EmailVerified != caller.IdpEmailVerified))
        || (identity.Name is not null && identity.Name != caller.IdpName);

    private static Task<CallerSnapshot?> FindAsync(NpgsqlConnection connection, object lookup, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<CallerSnapshot>(new CommandDefinition(LoadCallerSql, lookup, cancellationToken: ct));

    private async Task ProvisionAsync(NpgsqlConnection connection, CallerIdentity identity, CancellationToken ct)
    {
        var provider = identity.Method == AuthMethod.Auth0 ? "auth0" : "authentik";
        try
        {
            if (settings.AccountLinking == AccountLinking.VerifiedEmail && identity.Email is not null && identity.EmailVerified)
            {
                var linked = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(LinkIdentitySql, new
                {
                    provider, subject = identity.Subject, email = identity.Email, emailVerified = identity.EmailVerified, name = identity.Name,
                }, cancellationToken: ct));
                if (linked is not null)
                {
                    logger.LogInformation("Linked {Provider} identity to existing user {UserId} by verified email", provider, linked);
                    return;
                }
            }

            var userId = Guid.CreateVersion7();
            var key = defaultKeys.Create();
            await connection.ExecuteAsync(new CommandDefinition(ProvisionSql, new
            {
                userId,
                email = identity.Email,
                emailVerified = identity.EmailVerified,
                name = identity.Name,
                auth0Id = identity.Method == AuthMethod.Auth0 ? identity.Subject : null,
                authentikId = identity.Method == AuthMethod.Authentik ? identity.Subject : null,
                workspaceId = Guid.CreateVersion7(),
                workspaceName = DefaultWorkspaceName(identity.Name),
                keyName = DefaultApiKeys.Name,
                keyPrefix = key.DisplayPrefix,
                keyHash = key.Hash,
                sealedKey = key.SealedKey,
                keyTtl = defaultKeys.Ttl,
            }, cancellationToken: ct));
            metrics.UserProvisioned(provider);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another request provisioned or linked this subject first; the caller reads it back.
        }
    }

    public static string DefaultWorkspaceName(string? userName)
    {
        if (string.IsNullOrWhiteSpace(userName))
            return "Personal workspace";
        return ClaimsReader.Truncate($"{userName}'s workspace", 100);
    }
}
