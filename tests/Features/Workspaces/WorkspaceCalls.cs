using Gatehouse.Tests.Support;

namespace Gatehouse.Tests.Features.Workspaces;

/// <summary>What tests of leaving and of deleting a workspace compare.</summary>
public static class WorkspaceCalls
{
    /// <summary>A workspace's members and roles, whether it exists and how many keys it has, as one comparable string.</summary>
    public static Task<string> WorkspaceStateAsync(this TestApp app, Guid workspace) => app.ScalarAsync<string>("""
        select coalesce((select string_agg(user_id::text || ':' || role, ',' order by user_id) from workspace_members where workspace_id = @workspace), '')
            || '|' || (select count(*) from workspaces where id = @workspace)::text
            || '|' || (select count(*) from api_keys where workspace_id = @workspace)::text
        """, new { workspace });
}
