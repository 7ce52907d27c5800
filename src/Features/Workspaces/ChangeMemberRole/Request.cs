namespace Gatehouse.Features.Workspaces.ChangeMemberRole;

internal sealed class Request
{
    /// <summary>The member whose role changes.</summary>
    [RouteParam, BindFrom("user_id")]
    public Guid UserId { get; init; }

    public WorkspaceRole? Role { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Role).NotNull().WithMessage("role is required: owner, admin or member.");
        }
    }

    internal static readonly object Example = new { role = "admin" };
}
