namespace Gatehouse.Features.Workspaces.AddMember;

internal sealed class Request
{
    /// <summary>The verified email of an existing Gatehouse user.</summary>
    public string Email { get; init; } = "";

    /// <summary><c>admin</c> or <c>member</c>; ownership is granted through ChangeMemberRole.</summary>
    public WorkspaceRole Role { get; init; } = WorkspaceRole.Member;

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Email)
                .NotEmpty().WithMessage("email is required.")
                .MaximumLength(320).WithMessage("email must be at most 320 characters.")
                .EmailAddress().WithMessage("email must be an email address.");
            RuleFor(r => r.Role)
                .Must(r => r is WorkspaceRole.Admin or WorkspaceRole.Member).WithMessage("role must be admin or member.");
        }
    }

    internal static readonly Request Example = new() { Email = "charles@example.com", Role = WorkspaceRole.Admin };
}
