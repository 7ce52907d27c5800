using FastEndpoints;
using Gatehouse.Infrastructure.Web;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>
/// What only the request workspace's owners and admins may do (managing its members). An endpoint
/// declares it in one line of <c>Configure()</c>: <c>Definition.WorkspaceManagersOnly("add members")</c>.
/// It needs the caller's role in the workspace, which the auth-context pre-processor resolves, so it is
/// a pre-processor that runs after that one (an authorization policy would run before it).
/// </summary>
public static class WorkspaceManagers
{
    public const string Sentence = "Only the workspace's owners and admins may do this; anyone else gets 403.";

    /// <param name="exceptOwnUser">A route parameter naming a user: the caller acting on themselves
    /// (leaving a workspace) needs no manager's role.</param>
    public static void WorkspaceManagersOnly(this EndpointDefinition endpoint, string action, string? exceptOwnUser = null)
    {
        endpoint.PreProcessors(Order.After, new Check(action, exceptOwnUser));
        // The marker lets the global configuration declare the 403 and the document say why.
        endpoint.Options(b => b.WithMetadata(new Marker()));
    }

    public sealed class Marker;

    /// <summary>Says so in the OpenAPI document: the operation's 403 names owners and admins.</summary>
    public sealed class Documentation() : ForbiddenSentence(metadata => metadata.OfType<Marker>().Any(), Sentence);

    private sealed class Check(string action, string? exceptOwnUser) : IGlobalPreProcessor
    {
        public Task PreProcessAsync(IPreProcessorContext context, CancellationToken ct)
        {
            var http = context.HttpContext;
            // A refused credential, a bad request or a refused workspace has been answered already.
            if (context.HasValidationFailures || http.Response.HasStarted)
                return Task.CompletedTask;
            var auth = http.Auth();
            var onThemselves = exceptOwnUser is not null
                && Guid.TryParse(http.Request.RouteValues[exceptOwnUser]?.ToString(), out var user) && user == auth.UserId;
            return onThemselves || auth.Role.IsManager()
                ? Task.CompletedTask
                : http.WriteProblemAsync(StatusCodes.Status403Forbidden, $"Only owners and admins can {action}.");
        }
    }
}
