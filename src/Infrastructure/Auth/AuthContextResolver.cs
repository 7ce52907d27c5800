using Dapper;
using Npgsql;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>
/// Turns a verified identity into the request's <see cref="AuthContext"/>. The steady state (known
/// user, unchanged claims) is one indexed read that returns the user and the chosen membership
/// together, and no write. A subject seen for the first time is provisioned in one statement.
/// </summary>
public sealed class AuthContextResolver(NpgsqlDataSource dataSource, DefaultApiKeys defaultKeys, ILogger<AuthContextResolver> logger)
{
    public abstract record Outcome
    {
        public sealed record Resolved(AuthContext Context) : Outcome;
        public sealed record Refused(int Status, string Detail) : Outcome;
    }

    // The membership is the requested workspace when one is named, else the active workspace, else the oldest.
    private const string FindCallerSql = """
        select u.id as user_id, u.email, u.is_active, u.idp_email, u.idp_email_verified, u.idp_name,
               m.workspace_id, m.role
        from users u
        left join lateral (
            select wm.workspace_id, wm.role
            from workspace_members wm
            where wm.user_id = u.id
              and (@workspaceId::uuid is null or wm.workspace_id = @workspaceId)
            order by wm.workspace_id = u.active_workspace_id desc nulls last, wm.created_at, wm.workspace_id
            limit 1
        ) m on true
        where u.id = @userId or u.auth0_id = @auth0Id or u.authentik_user_id = @authentikId
        """;

    // Claims that were absent say nothing; only a claim that differs from the one last seen is written,
    // and the editable profile follows only the field the provider changed.
    private const string SyncClaimsSql = """
        update users set
            idp_email          = coalesce(@email, idp_email),
            idp_email_verified = case when @email is null then idp_email_verified else @emailVerified end,
            idp_name           = coalesce(@name, idp_name),
            email              = case when @email is not null and idp_email is distinct from @email then @email else email end,
            email_verified     = case when @email is not null
                                       and (idp_email is distinct from @email or idp_email_verified is distinct from @emailVerified)
                                      then @emailVerified else email_verified end,
            full_name          = case when @name is not null and idp_name is distinct from @name then @name else full_name end,
            updated_at         = now()
        where id = @userId
          and ((@email is not null and (idp_email is distinct from @email or idp_email_verified is distinct from @emailVerified))
               or (@name is not null and idp_name is distinct from @name))
        """;

    // Linking by email needs a verified address on both sides and an identity slot that is still free.
    private const string FindLinkCandidatesSql = """
        select id from users
        where lower(email) = lower(@email) and email_verified
          and case when @provider = 'auth0' then auth0_id is null else authentik_user_id is null end
        order by created_at
        limit 2
        """;

    private const string LinkIdentitySql = """
        update users set
            auth0_id           = case when @provider = 'auth0' then @subject else auth0_id end,
            authentik_user_id  = case when @provider = 'authentik' then @subject else authentik_user_id end,
            idp_email = @email, idp_email_verified = @emailVerified, idp_name = coalesce(@name, idp_name),
            updated_at = now()
        where id = @id
          and case when @provider = 'auth0' then auth0_id is null else authentik_user_id is null end
        """;

    // One statement, so one transaction: the user, the default workspace, the owner membership and the
    // default API key (sealed until revealed).
    // A concurrent first request of the same subject makes "on conflict do nothing" insert nothing,
    // and every later part of the statement follows suit.
    private const string ProvisionSql = """
        with new_user as (
            insert into users (id, email, email_verified, full_name, auth0_id, authentik_user_id,
                               idp_email, idp_email_verified, idp_name, active_workspace_id)
            values (@userId, @email, @emailVerified, @name, @auth0Id, @authentikId,
                    @email, @emailVerified, @name, @workspaceId)
            on conflict do nothing
            returning id
        ), new_workspace as (
            insert into workspaces (id, name, created_by)
            select @workspaceId, @workspaceName, id from new_user
            returning id, created_by
        ), membership as (
            insert into workspace_members (workspace_id, user_id, role)
            select id, created_by, 'owner' from new_workspace
        )
        insert into api_keys (workspace_id, user_id, name, prefix, key_hash, sealed_key, is_default)
        select id, created_by, @keyName, @keyPrefix, @keyHash, @sealedKey, true from new_workspace
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
            if (identity.Email is not null && identity.EmailVerified)
            {
                var candidates = (await connection.QueryAsync<Guid>(new CommandDefinition(FindLinkCandidatesSql,
                    new { email = identity.Email, provider }, cancellationToken: ct))).ToList();
                // Two verified users share the address: linking either would be a guess.
                if (candidates.Count == 1)
                {
                    var linked = await connection.ExecuteAsync(new CommandDefinition(LinkIdentitySql, new
                    {
                        id = candidates[0], provider, subject = identity.Subject,
                        email = identity.Email, emailVerified = identity.EmailVerified, name = identity.Name,
                    }, cancellationToken: ct));
                    if (linked == 1)
                    {
                        logger.LogInformation("Linked {Provider} identity to existing user {UserId} by verified email", provider, candidates[0]);
                        return;
                    }
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
        var name = $"{userName}'s workspace";
        return name.Length <= 100 ? name : name[..100];
    }
}
