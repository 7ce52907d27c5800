namespace Gatehouse.Features.Workspaces.CreateWorkspace;

internal sealed class Request
{
    /// <summary>1 to 100 characters.</summary>
    public string Name { get; init; } = "";

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Name)
                .Must(n => n is not null && n.Trim().Length is >= 1 and <= 100).WithMessage("name must be 1 to 100 characters.");
        }
    }

    internal static readonly Request Example = new() { Name = "Analytical Engines" };
}
