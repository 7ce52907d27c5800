using System.Text.Json;

namespace Gatehouse.Tests.Support;

/// <summary>An audit_events row as a superuser reads it.</summary>
public sealed record AuditRow
{
    public long Id { get; init; }
    public string Action { get; init; } = "";
    public Guid? ActorUserId { get; init; }
    public string ActorMethod { get; init; } = "";
    public Guid? ActorApiKeyId { get; init; }
    public Guid? WorkspaceId { get; init; }
    public string TargetType { get; init; } = "";
    public string TargetId { get; init; } = "";
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    public string? RequestId { get; init; }
    public string Details { get; init; } = "{}";

    public JsonElement DetailsJson => JsonDocument.Parse(Details).RootElement;
}

public static class AuditRows
{
    private const string Columns = """
        id, action, actor_user_id, actor_method, actor_api_key_id, workspace_id, target_type, target_id,
        host(ip) as ip, user_agent, request_id, details::text as details
        """;

    /// <summary>Every event about a target, oldest first.</summary>
    public static Task<List<AuditRow>> EventsAboutAsync(this TestApp app, string targetId) =>
        app.QueryAsync<AuditRow>($"select {Columns} from audit_events where target_id = @targetId order by id", new { targetId });

    public static Task<List<AuditRow>> EventsAboutAsync(this TestApp app, Guid targetId) => app.EventsAboutAsync(targetId.ToString());

    /// <summary>Every event a user acted in, oldest first.</summary>
    public static Task<List<AuditRow>> EventsByAsync(this TestApp app, Guid actorUserId) =>
        app.QueryAsync<AuditRow>($"select {Columns} from audit_events where actor_user_id = @actorUserId order by id", new { actorUserId });
}

public static class AuditAssertions
{
    /// <summary>The event's action, actor, target and workspace, and that it names its request.</summary>
    public static void ShouldBeBy(this AuditRow e, string action, Guid actor, string targetType, string targetId, Guid? workspace,
        string method = "auth0")
    {
        e.Action.ShouldBe(action);
        e.ActorUserId.ShouldBe(actor);
        e.ActorMethod.ShouldBe(method);
        e.TargetType.ShouldBe(targetType);
        e.TargetId.ShouldBe(targetId);
        e.WorkspaceId.ShouldBe(workspace);
        e.RequestId.ShouldNotBeNullOrWhiteSpace();
    }
}
