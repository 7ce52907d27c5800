using System.Net;
using Gatehouse.Tests.Support;
using CreateInvitation = Gatehouse.Features.Invitations.CreateInvitation;

namespace Gatehouse.Tests.Features.Invitations;

/// <summary>Set-up and state that the invitation slices' tests share.</summary>
public static class InvitationCalls
{
    /// <summary>A workspace's members and its invitations with their state, as one comparable string: "changes nothing" is equality.</summary>
    public static Task<string> InvitationStateAsync(this TestApp app, Guid workspace) => app.ScalarAsync<string>("""
        select coalesce((select string_agg(user_id::text || ':' || role, ',' order by user_id) from workspace_members where workspace_id = @workspace), '')
            || '|' || coalesce((select string_agg(id::text || ':' || email || ':' || role || ':' || (accepted_at is null)::text
                                                  || (declined_at is null)::text || (revoked_at is null)::text, ',' order by id)
                                from invitations where workspace_id = @workspace), '')
        """, new { workspace });

    /// <summary>Invites <paramref name="email"/> into the manager's default workspace, or the one given; the invitation's id.</summary>
    public static async Task<Guid> InviteAsync(this TestUser manager, string email, string role = "member", Guid? workspace = null)
    {
        var route = Route.To<CreateInvitation.Endpoint>(new { workspace_id = workspace ?? manager.WorkspaceId });
        var created = await (await manager.PostAsync(route, new { email, role })).ShouldBeOkJsonAsync(HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    /// <summary>A client for the person an invitation is addressed to (provisioned on its first request).</summary>
    public static HttpClient Invitee(this TestApp app, string email, bool verified = true, string? subject = null) =>
        app.Client(app.Auth0.Token(subject ?? Unique.Subject(), Unique.Claims(email, "Invitee Person", verified)));
}
