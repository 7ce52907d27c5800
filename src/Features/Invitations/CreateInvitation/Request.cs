namespace Gatehouse.Features.Invitations.CreateInvitation;

internal sealed class Request
{
    /// <summary>The address to invite; whoever signs in with it verified can accept.</summary>
    public string Email { get; init; } = "";

    /// <summary><c>admin</c> or <c>member</c>; ownership is granted through ChangeMemberRole.</summary>
    public WorkspaceRole? Role { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Email)
                .Must(e => !string.IsNullOrWhiteSpace(e)).WithMessage("email is required.")
                .Must(e => e is null || e.Trim().Length <= 320).WithMessage("email must be at most 320 characters.")
                .EmailAddress().WithMessage("email must be an email address.");
            RuleFor(r => r.Role)
                .NotNull().WithMessage("role is required: admin or member.")
                .Must(r => r is null or WorkspaceRole.Admin or WorkspaceRole.Member).WithMessage("role must be admin or member.");
        }
    }

    internal static readonly object Example = new { email = "charles@example.com", role = "member" };
}
