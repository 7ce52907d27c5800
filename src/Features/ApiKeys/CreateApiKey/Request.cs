namespace Gatehouse.Features.ApiKeys.CreateApiKey;

internal sealed class Request
{
    /// <summary>1 to 100 characters, to recognise the key by.</summary>
    public string Name { get; init; } = "";

    /// <summary>1 to 365; without it the key does not expire.</summary>
    public int? ExpiresInDays { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Name)
                .Must(n => n is not null && n.Trim().Length is >= 1 and <= 100).WithMessage("name must be 1 to 100 characters.");
            RuleFor(r => r.ExpiresInDays)
                .InclusiveBetween(1, 365).WithMessage("expires_in_days must be from 1 to 365.")
                .When(r => r.ExpiresInDays is not null);
        }
    }

    internal static readonly Request Example = new() { Name = "CI deploys", ExpiresInDays = 90 };
}
