namespace Gatehouse.Features.Invitations.RevokeInvitation;

internal sealed class Request
{
    /// <summary>The pending invitation to revoke.</summary>
    [RouteParam, BindFrom("invitation_id")]
    public Guid InvitationId { get; init; }
}
