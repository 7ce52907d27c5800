namespace Gatehouse.Features.AreaName.SliceName;

internal static class Data
{
    // Row-level security shows only the request's workspace: no "and the caller is a member" here.
    private const string FindMemberSql = """
        select user_id, role from workspace_members
        where workspace_id = @workspaceId and user_id = @userId
        """;

    /// <summary>What the data layer found: one record per answer the endpoint gives.</summary>
    public abstract record Outcome
    {
        public sealed record Found(Response Member) : Outcome;
        public sealed record NotAMember : Outcome;
    }

    public static async Task<Outcome> FindAsync(Db db, AuthContext auth, Guid userId, CancellationToken ct)
    {
        // The session's Query…/Execute… methods are the only way to run SQL, and its first statement
        // carries the request's user and workspace. A write ends with `await session.CommitAsync(ct)`
        // (after session.Audit(…) for an audited action); without it the session rolls back.
        await using var session = await db.BeginAsync(auth, ct);
        var member = await session.QuerySingleOrDefaultAsync<Response>(FindMemberSql, new { workspaceId = auth.WorkspaceId, userId }, ct);
        return member is null ? new Outcome.NotAMember() : new Outcome.Found(member);
    }
}
