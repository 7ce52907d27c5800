namespace Gatehouse.Features.Audit.ListWorkspaceAudit;

internal sealed class Request
{
    /// <summary>1 to 100; default 50.</summary>
    [QueryParam, BindFrom("limit")]
    public int? Limit { get; init; }

    /// <summary>The <c>next</c> of the previous page: events older than this id.</summary>
    [QueryParam, BindFrom("after")]
    public long? After { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Limit).PageLimit();
            RuleFor(r => r.After).GreaterThan(0).WithMessage("after must be an event id (a positive integer).").When(r => r.After is not null);
        }
    }
}
