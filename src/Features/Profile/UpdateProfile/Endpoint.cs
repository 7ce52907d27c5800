namespace Gatehouse.Features.Profile.UpdateProfile;

internal sealed class Endpoint(Db db) : Endpoint<Request, ProfileResponse>
{
    public override void Configure()
    {
        Patch("auth/me");
        Description(b => b.ProducesProblem(403));
        Summary(s =>
        {
            s.Summary = "Update the caller's profile";
            s.Description = "Partial update: fields left out stay as they are; avatar_url null clears it. " +
                "Email comes from the identity provider and cannot be changed here. A name set here is kept " +
                "until the identity provider itself reports a different name.";
            s.ExampleRequest = OpenApiExample.Of(Request.Example);
            s.ResponseExamples[200] = OpenApiExample.Of(ProfileResponse.Example);
            s.Responses[200] = "The updated profile.";
            s.Responses[400] = "A field is invalid, unknown (such as email), or the body is not JSON.";
            s.Responses[401] = "No valid credential.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var auth = HttpContext.Auth();
        var profile = await Data.UpdateAsync(db, auth, request, ct);
        await Send.OkAsync(ProfileResponse.From(profile, auth), ct);
    }
}
