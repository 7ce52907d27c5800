namespace Gatehouse.Features.Workspaces.AddMember;

internal sealed class Endpoint(Db db) : Endpoint<Request, MemberResponse>
{
    public override void Configure()
    {
        Post("workspaces/{workspace_id:guid}/members");
        Policies(UserTokensOnly.Policy);
        Definition.WorkspaceManagersOnly("add members");
        Description(b => b.ClearDefaultProduces(200).Produces<MemberResponse>(201, "application/json").ProducesProblem(404).ProducesProblem(409));
        Summary(s =>
        {
            s.Summary = "Add a user to a workspace";
            s.Description = "Owners and admins add an existing user by verified email, as admin or member.";
            s.ExampleRequest = OpenApiExample.Of(Request.Example);
            s.ResponseExamples[201] = OpenApiExample.Of(MemberResponse.Example);
            s.Responses[201] = "The new member.";
            s.Responses[403] = "The caller is not an owner or admin of that workspace.";
            s.Responses[404] = "No user has that verified email.";
            s.Responses[409] = "The user is already a member, or several users share the email.";
        });
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        await (await Data.AddAsync(db, HttpContext.Auth(), request, ct) switch
        {
            Data.Outcome.Added added => Send.ResponseAsync(added.Member, StatusCodes.Status201Created, ct),
            Data.Outcome.UnknownEmail => Send.ProblemAsync(404, "No user with that verified email exists."),
            Data.Outcome.AmbiguousEmail => Send.ProblemAsync(409, "Several users share that email; it does not identify one person."),
            _ => Send.ProblemAsync(409, "That user is already a member of this workspace."),
        });
    }
}
