namespace Gatehouse.Infrastructure.Web;

/// <summary>The contract's page size for every keyset listing: <c>limit</c> 1 to 100, 50 when absent.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    // InclusiveBetween (not Must): FastEndpoints turns it into the parameter's minimum and maximum in the
    // OpenAPI document. FluentValidation's comparison rules pass a null, so an absent limit is valid.
    public static IRuleBuilderOptions<T, int?> PageLimit<T>(this IRuleBuilder<T, int?> rule) =>
        rule.InclusiveBetween(1, MaxLimit).WithMessage($"limit must be from 1 to {MaxLimit}.");
}
