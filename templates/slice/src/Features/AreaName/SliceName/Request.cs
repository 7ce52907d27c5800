namespace Gatehouse.Features.AreaName.SliceName;

internal sealed class Request
{
    /// <summary>The user to look up.</summary>
    public Guid UserId { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            // One rule per contract limit; the message names the field as the client writes it.
            RuleFor(r => r.UserId).NotEmpty().WithMessage("user_id is required.");
        }
    }

    internal static readonly Request Example = new() { UserId = Guid.Parse("0193a5c2-7d1e-7c4a-9f10-2b3c4d5e6f72") };
}
