namespace Gatehouse.Features.Admin.ListUsers;

internal sealed class Request
{
    /// <summary>1 to 100; default 50.</summary>
    [QueryParam, BindFrom("limit")]
    public int? Limit { get; init; }

    /// <summary>The <c>next</c> of the previous page.</summary>
    [QueryParam, BindFrom("after")]
    public Guid? After { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Limit).PageLimit();
        }
    }
}
