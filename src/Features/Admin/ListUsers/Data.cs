namespace Gatehouse.Features.Admin.ListUsers;

internal static class Data
{
    // Keyset pagination on the primary key (UUIDv7, so roughly creation order), through a SECURITY
    // DEFINER function (migrations/functions/admin_list_users.sql) since the listing crosses workspaces: one extra row tells whether a next page exists.
    private const string ListUsersSql = "select * from admin_list_users(@after, @limit + 1)";

    public static async Task<Response> ListAsync(Db db, AuthContext auth, int limit, Guid? after, CancellationToken ct)
    {
        var rows = await db.QueryAsync<Response.User>(auth, ListUsersSql, new { limit, after }, ct);
        var page = rows.Take(limit).ToList();
        return new Response { Items = page, Next = rows.Count > limit ? page[^1].Id : null };
    }
}
