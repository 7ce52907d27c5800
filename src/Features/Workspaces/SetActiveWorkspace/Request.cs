namespace Gatehouse.Features.Workspaces.SetActiveWorkspace;

internal sealed class Request
{
    public Guid WorkspaceId { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.WorkspaceId).NotEmpty().WithMessage("workspace_id is required.");
        }
    }

    internal static readonly Request Example = new() { WorkspaceId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f71") };
}
