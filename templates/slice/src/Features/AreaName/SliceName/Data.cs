using Gatehouse.Infrastructure.Auth;
using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Features.AreaName.SliceName;

internal static class Data
{
    // Row-level security shows only the request's workspace: no "and the caller is a member" here.
    private const string WorkspaceNameSql = "select name from workspaces where id = @workspaceId";

    /// <returns>Null when the request runs in no workspace (a user left with no membership).</returns>
    public static async Task<Response?> RunAsync(Db db, AuthContext auth, Request request, CancellationToken ct)
    {
        // The session sets the request's user and workspace first; every statement runs inside it.
        await using var session = await db.BeginAsync(auth, ct);
        var workspaceName = await session.QuerySingleOrDefaultAsync<string>(WorkspaceNameSql, new { workspaceId = auth.WorkspaceId }, ct);
        await session.CommitAsync(ct);
        return workspaceName is null || auth.WorkspaceId is not { } workspaceId
            ? null
            : new Response { Name = request.Name.Trim(), WorkspaceId = workspaceId, WorkspaceName = workspaceName };
    }
}
