using FastEndpoints;

namespace Gatehouse.Features.ApiKeys.RevealApiKey;

internal sealed class Request
{
    [RouteParam, BindFrom("id")]
    public Guid Id { get; init; }
}
