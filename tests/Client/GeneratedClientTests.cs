using System.Net;
using System.Net.Http.Headers;
using Gatehouse.Client;
using Gatehouse.Tests.Support;

namespace Gatehouse.Client.Tests;

/// <summary>A client generated from the live OpenAPI document, driving a real Gatehouse process.</summary>
public sealed class GeneratedClientTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TestIdentityProvider _idp = null!;
    private ApiProcess _api = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync("client");
        _idp = await TestIdentityProvider.StartAuth0Async();
        _api = await ApiProcess.StartAsync(TestApp.Environment(_db, _idp, null));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _idp.DisposeAsync();
    }

    private GatehouseClient ClientFor(string? token, Guid? workspace = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(_api.BaseUrl) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (workspace is not null) http.DefaultRequestHeaders.Add("X-Workspace-ID", workspace.ToString());
        return new GatehouseClient(http);
    }

    private string Token(string subject, string email, string name, params string[] permissions) =>
        _idp.Token(subject, Unique.Claims(email, name, true, permissions));

    [Fact]
    public async Task Config_and_logout_work_anonymously()
    {
        var client = ClientFor(null);
        var config = await client.ConfigAsync();
        config.Enabled.ShouldBeTrue();
        config.Providers.Single().Name.ShouldBe("auth0");
        (await client.LogoutUrlAsync("auth0", null)).Logout_url.ShouldContain("/v2/logout");
    }

    [Fact]
    public async Task Profile_workspaces_members_and_api_keys_round_trip()
    {
        var ownerEmail = Unique.Email();
        var ownerToken = Token(Unique.Subject(), ownerEmail, "Owner");
        var owner = ClientFor(ownerToken);

        var me = await owner.MeAsync();
        me.Auth_method.ShouldBe(AuthMethod.Auth0);
        me.Email.ShouldBe(ownerEmail);

        var updated = await owner.UpdateProfileAsync(new UpdateProfileRequest
        {
            Full_name = "Ada King", Avatar_url = "https://example.com/ada.png",
        });
        updated.Full_name.ShouldBe("Ada King");
        updated.Avatar_url.ShouldBe("https://example.com/ada.png");

        var renamedOnly = await owner.UpdateProfileAsync(new UpdateProfileRequest { Full_name = "Ada Lovelace" });
        renamedOnly.Avatar_url.ShouldBe("https://example.com/ada.png");

        // The generated client drops nulls (see GatehouseClientSettings), so the explicit null goes raw.
        using (var raw = new HttpClient { BaseAddress = new Uri(_api.BaseUrl) })
        {
            raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ownerToken);
            (await raw.PatchAsync("/api/v1/auth/me", HttpAssertions.Json("""{"avatar_url":null}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        (await owner.MeAsync()).Avatar_url.ShouldBeNull();

        var workspace = await owner.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "Engines" });
        workspace.Role.ShouldBe(WorkspaceRole.Owner);
        (await owner.ListWorkspacesAsync()).Select(w => w.Id).ShouldContain(workspace.Id);

        var memberEmail = Unique.Email();
        var member = ClientFor(Token(Unique.Subject(), memberEmail, "Member"));
        var memberProfile = await member.MeAsync();
        var added = await owner.AddMemberAsync(workspace.Id, new AddMemberRequest { Email = memberEmail, Role = WorkspaceRole.Member });
        added.User_id.ShouldBe(memberProfile.Id);
        (await owner.ChangeMemberRoleAsync(workspace.Id, memberProfile.Id, new ChangeMemberRoleRequest { Role = WorkspaceRole.Admin }))
            .Role.ShouldBe(WorkspaceRole.Admin);
        (await member.ListMembersAsync(workspace.Id)).Count.ShouldBe(2);
        await owner.RemoveMemberAsync(workspace.Id, memberProfile.Id);
        var notMember = await Should.ThrowAsync<ApiException>(() => member.ListMembersAsync(workspace.Id));
        notMember.StatusCode.ShouldBe(403);

        var created = await owner.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "ci", Expires_in_days = 7 });
        created.Key.ShouldStartWith("gh_");
        var keys = await owner.ListApiKeysAsync();
        keys.Select(k => k.Name).ShouldBe(["Default key", "ci"], ignoreOrder: true);
        var defaultKey = keys.Single(k => k.Revealable);
        var revealed = await owner.RevealApiKeyAsync(defaultKey.Id);
        revealed.Key.ShouldStartWith("gh_");
        (await Should.ThrowAsync<ApiException>(() => owner.RevealApiKeyAsync(defaultKey.Id))).StatusCode.ShouldBe(410);

        using var viaKey = new HttpClient { BaseAddress = new Uri(_api.BaseUrl) };
        viaKey.DefaultRequestHeaders.Add("X-API-Key", created.Key);
        (await new GatehouseClient(viaKey).MeAsync()).Auth_method.ShouldBe(AuthMethod.ApiKey);
        await owner.RevokeApiKeyAsync(created.Id);
        (await Should.ThrowAsync<ApiException>(() => new GatehouseClient(viaKey).MeAsync())).StatusCode.ShouldBe(401);
    }

    [Fact]
    public async Task Invitations_leaving_and_deleting_a_workspace_round_trip()
    {
        var owner = ClientFor(Token(Unique.Subject(), Unique.Email(), "Owner"));
        var workspace = await owner.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "Lifecycle" });

        var inviteeEmail = Unique.Email();
        var invitee = ClientFor(Token(Unique.Subject(), inviteeEmail, "Invitee"));
        var declined = await owner.CreateInvitationAsync(workspace.Id, new CreateInvitationRequest { Email = Unique.Email(), Role = WorkspaceRole.Admin });
        await owner.RevokeInvitationAsync(workspace.Id, declined.Id);
        var invitation = await owner.CreateInvitationAsync(workspace.Id, new CreateInvitationRequest { Email = inviteeEmail, Role = WorkspaceRole.Member });
        invitation.Workspace_id.ShouldBe(workspace.Id);
        (await owner.ListInvitationsAsync(workspace.Id)).Select(i => i.Id).ShouldBe([invitation.Id]);

        var mine = (await invitee.ListMyInvitationsAsync()).ShouldHaveSingleItem();
        mine.Workspace_name.ShouldBe("Lifecycle");
        var joined = await invitee.AcceptInvitationAsync(invitation.Id);
        joined.Id.ShouldBe(workspace.Id);
        joined.Role.ShouldBe(WorkspaceRole.Member);
        (await Should.ThrowAsync<ApiException>(() => invitee.DeclineInvitationAsync(invitation.Id))).StatusCode.ShouldBe(404);

        var inviteeId = (await invitee.MeAsync()).Id;
        await invitee.RemoveMemberAsync(workspace.Id, inviteeId);
        (await Should.ThrowAsync<ApiException>(() => invitee.ListMembersAsync(workspace.Id))).StatusCode.ShouldBe(403);

        var again = await owner.CreateInvitationAsync(workspace.Id, new CreateInvitationRequest { Email = inviteeEmail, Role = WorkspaceRole.Member });
        await invitee.DeclineInvitationAsync(again.Id);

        await owner.DeleteWorkspaceAsync(workspace.Id);
        (await owner.ListWorkspacesAsync()).Select(w => w.Id).ShouldNotContain(workspace.Id);
    }

    [Fact]
    public async Task The_admin_listing_pages_through_users()
    {
        var admin = ClientFor(Token(Unique.Subject(), Unique.Email(), "Admin", "admin:access"));
        await admin.MeAsync();
        var page = await admin.ListUsersAsync(1, null);
        page.Items.Count.ShouldBe(1);

        var plain = ClientFor(Token(Unique.Subject(), Unique.Email(), "Plain"));
        (await Should.ThrowAsync<ApiException>(() => plain.ListUsersAsync(1, null))).StatusCode.ShouldBe(403);
    }

    [Fact]
    public async Task The_audit_trail_pages_per_workspace_and_for_admins()
    {
        var admin = ClientFor(Token(Unique.Subject(), Unique.Email(), "Admin", "admin:access"));
        var me = await admin.MeAsync();
        var workspace = await admin.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "Audited" });

        var page = await admin.ListWorkspaceAuditAsync(workspace.Id, 10, null);
        page.Items.Select(e => e.Action).ShouldBe(["workspace.created"]);
        page.Next.ShouldBeNull();

        var mine = await admin.ListAllAuditAsync(1, null, null, me.Id);
        mine.Items.ShouldHaveSingleItem().Action.ShouldBe("workspace.created");
        mine.Next.ShouldNotBeNull();
        (await admin.ListAllAuditAsync(1, mine.Next, null, me.Id)).Items.ShouldHaveSingleItem().Action.ShouldBe("user.provisioned");

        var plain = ClientFor(Token(Unique.Subject(), Unique.Email(), "Plain"));
        (await Should.ThrowAsync<ApiException>(() => plain.ListAllAuditAsync(1, null, null, null))).StatusCode.ShouldBe(403);
        (await Should.ThrowAsync<ApiException>(() => plain.ListWorkspaceAuditAsync(workspace.Id, 1, null))).StatusCode.ShouldBe(403);
    }
}
