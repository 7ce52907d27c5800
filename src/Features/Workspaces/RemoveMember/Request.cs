namespace Gatehouse.Features.Workspaces.RemoveMember;

internal sealed class Request
{
    /// <summary>The member to remove.</summary>
    [RouteParam, BindFrom("user_id")]
    public Guid UserId { get; init; }
}
