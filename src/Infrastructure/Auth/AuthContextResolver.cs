using Dapper;
using Npgsql;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>
/// Turns a verified identity into the request's <see cref="AuthContext"/>. The steady state (known
/// user, unchanged claims) is one indexed read that returns the user and the chosen membership
/// together, and no write. A subject seen for the first time is provisioned in one statement.
/// </summary>
public sealed class AuthContextResolver(
    NpgsqlDataSource dataSource, DefaultApiKeys defaultKeys, AuthSettings settings, ILogger<AuthContextResolver> logger)
{
    public abstract record Outcome
    {
        public sealed record Resolved(AuthContext Context) : Outcome;
        public sealed record Refused(int Status, string Detail) : Outcome;
    }

    // The SQL lives in SECURITY DEFINER functions (migrations/0003): before the context exists,
    // row-level security would show the runtime role nothing.
    private const string FindCallerSql = "select * from find_caller(@userId, @auth0Id, @authentikId, @workspaceId)";

    private const string SyncClaimsSql = "select sync_idp_claims(@userId, @email, @emailVerified, @name)";

    private const string LinkIdentitySql = "select link_identity_by_email(@provider, @subject, @email, @emailVerified, @name)";

    private const string ProvisionSql = """
        select provision_user(@userId, @email, @emailVerified, @name, @auth0Id, @authentikId,
                              @workspaceId, @workspaceName, @keyName, @keyPrefix, @keyHash, @sealedKey)
        """;

    private sealed record CallerRow
    {
        public Guid UserId { get; init; }
        public string? Email { get; init; }
        public bool IsActive { get; init; }
        public string? IdpEmail { get; init; }
        public bool? IdpEmailVerified { get; init; }
        public string? IdpName { get; init; }
        public Guid? WorkspaceId { get; init; }
        public string? Role { get; init; }
    }

    public async Task<Outcome> ResolveAsync(CallerIdentity identity, Guid? workspaceId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var lookup = new
        {
            workspaceId,
            userId = identity.UserId,
            auth0Id = identity.Method == AuthMethod.Auth0 ? identity.Subject : null,
            authentikId = identity.Method == AuthMethod.Authentik ? identity.Subject : null,
        };

        var row = await FindAsync(connection, lookup, ct);
        for (var attempt = 0; row is null && identity.Subject is not null && attempt < 3; attempt++)
        {
            await ProvisionAsync(connection, identity, ct);
            row = await FindAsync(connection, lookup, ct);
        }

        if (row is null)
            return new Outcome.Refused(StatusCodes.Status401Unauthorized, "The credential's user no longer exists.");
        if (!row.IsActive)
            return new Outcome.Refused(StatusCodes.Status403Forbidden, "This account is disabled.");
        if (workspaceId is not null && row.WorkspaceId is null)
            return new Outcome.Refused(StatusCodes.Status403Forbidden, $"You are not a member of workspace {workspaceId}.");

        var email = row.Email;
        if (identity.Subject is not null && ClaimsChanged(row, identity))
        {
            await connection.ExecuteAsync(new CommandDefinition(SyncClaimsSql,
                new { userId = row.UserId, email = identity.Email, emailVerified = identity.EmailVerified, name = identity.Name },
                cancellationToken: ct));
            email = identity.Email ?? email;
        }

        return new Outcome.Resolved(new AuthContext(row.UserId, email, row.WorkspaceId, row.Role, identity.Method, identity.Permissions));
    }

    private static bool ClaimsChanged(CallerRow row, CallerIdentity identity) =>
        (identity.Email is not null && (identity.Email != row.IdpEmail || identity.EmailVerified != row.IdpEmailVerified))
        || (identity.Name is not null && identity.Name != row.IdpName);

    private static Task<CallerRow?> FindAsync(NpgsqlConnection connection, object lookup, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<CallerRow>(new CommandDefinition(FindCallerSql, lookup, cancellationToken: ct));

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
            }, cancellationToken: ct));
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
