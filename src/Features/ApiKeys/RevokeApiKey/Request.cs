namespace Gatehouse.Features.ApiKeys.RevokeApiKey;

internal sealed class Request
{
    [RouteParam, BindFrom("id")]
    public Guid Id { get; init; }
}
