namespace Gatehouse.Features.Admin.SetUserActive;

internal sealed class Request
{
    /// <summary>The user to disable or enable.</summary>
    [RouteParam, BindFrom("id")]
    public Guid Id { get; init; }

    /// <summary>false disables the user: their tokens and API keys are refused (403); true enables them again.</summary>
    public bool? IsActive { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.IsActive).NotNull().WithMessage("is_active is required: true or false.");
        }
    }

    internal static readonly object Example = new { is_active = false };
}
