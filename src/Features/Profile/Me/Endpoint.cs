namespace Gatehouse.Features.Profile.Me;

internal sealed class Endpoint : EndpointWithoutRequest<ProfileResponse>
{
    public override void Configure()
    {
        Get("auth/me");
        Description(b => b.ProducesProblem(403));
        Summary(s =>
        {
            s.Summary = "The caller's profile and auth context";
            s.Description = "Who is calling (provisioned on the first request), how they authenticated, the request's workspace and their permissions.";
            s.ResponseExamples[200] = OpenApiExample.Of(ProfileResponse.Example);
            s.Responses[200] = "The caller's profile.";
            s.Responses[401] = "No valid credential.";
            s.Responses[403] = "The account is disabled, or the requested workspace is not one of the caller's.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        // The pre-processor read the caller (from memory on a steady request): nothing to load here.
        var auth = HttpContext.Auth();
        await Send.OkAsync(ProfileResponse.From(auth.Profile, auth), ct);
    }
}
