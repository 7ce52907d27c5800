using FastEndpoints;

namespace Gatehouse.Features.Invitations.DeclineInvitation;

internal sealed class Request
{
    /// <summary>One of the caller's pending invitations.</summary>
    [RouteParam, BindFrom("invitation_id")]
    public Guid InvitationId { get; init; }
}
