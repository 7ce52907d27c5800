namespace Gatehouse.Features.Audit.ListAllAudit;

internal sealed class Request
{
    /// <summary>1 to 100; default 50.</summary>
    [QueryParam, BindFrom("limit")]
    public int? Limit { get; init; }

    /// <summary>The <c>next</c> of the previous page: events older than this id.</summary>
    [QueryParam, BindFrom("after")]
    public long? After { get; init; }

    /// <summary>Only events of this action, such as member.added.</summary>
    [QueryParam, BindFrom("action")]
    public string? Action { get; init; }

    /// <summary>Only events this user acted in.</summary>
    [QueryParam, BindFrom("actor_user_id")]
    public Guid? ActorUserId { get; init; }

    internal sealed class Validator : Validator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Limit).PageLimit();
            RuleFor(r => r.After).GreaterThan(0).WithMessage("after must be an event id (a positive integer).").When(r => r.After is not null);
            RuleFor(r => r.Action).Must(a => AuditAction.All.Contains(a!))
                .WithMessage($"action must be one of {string.Join(", ", AuditAction.All.Order(StringComparer.Ordinal))}.")
                .When(r => r.Action is not null);
        }
    }
}
