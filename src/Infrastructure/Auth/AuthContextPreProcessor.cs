using FastEndpoints;
using Gatehouse.Infrastructure.Auth.Provisioning;
using Gatehouse.Infrastructure.Auth.Tokens;
using Gatehouse.Infrastructure.Web;
using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>
/// The one place that turns a verified credential into the request's <see cref="AuthContext"/>:
/// provisions or refreshes the user, picks the workspace and checks membership. Attached to every
/// endpoint; anonymous ones return at once.
/// </summary>
public sealed class AuthContextPreProcessor : IGlobalPreProcessor
{
    /// <summary>Routes under <c>/workspaces/{workspace_id}/…</c> act on that workspace; headers are ignored there.</summary>
    public const string WorkspaceRouteParameter = "workspace_id";
    public static readonly string[] WorkspaceHeaders = ["X-Workspace-ID", "X-Organization-ID", "X-Tenant-ID"];

    public async Task PreProcessAsync(IPreProcessorContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        if (context.HasValidationFailures || http.Response.HasStarted
            || http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null
            || http.Features.Get<CallerIdentity>() is not { } identity)
            return;

        if (!TryRequestedWorkspace(http, identity, out var workspaceId, out var problem))
        {
            await http.WriteProblemAsync(problem!.Value.Status, problem.Value.Detail);
            return;
        }

        var resolver = http.RequestServices.GetRequiredService<AuthContextResolver>();
        switch (await resolver.ResolveAsync(identity, workspaceId, ct))
        {
            case AuthContextResolver.Outcome.Resolved resolved:
                http.Features.Set(resolved.Context);
                break;
            case AuthContextResolver.Outcome.Refused refused:
                if (refused.Status == StatusCodes.Status401Unauthorized)
                    http.Response.Headers.WWWAuthenticate = "Bearer";
                await http.WriteProblemAsync(refused.Status, refused.Detail);
                break;
        }
    }

    private static bool TryRequestedWorkspace(HttpContext http, CallerIdentity identity, out Guid? workspaceId,
        out (int Status, string Detail)? problem)
    {
        workspaceId = null;
        problem = null;

        if (http.Request.RouteValues.TryGetValue(WorkspaceRouteParameter, out var routeValue))
        {
            if (!Guid.TryParse(routeValue?.ToString(), out var routeId))
            {
                problem = (StatusCodes.Status404NotFound, "No workspace has that id.");
                return false;
            }
            // An API key always runs in the workspace it was created in.
            if (identity.KeyWorkspaceId is { } keyWorkspace && keyWorkspace != routeId)
            {
                problem = (StatusCodes.Status403Forbidden, $"This API key belongs to another workspace than {routeId}.");
                return false;
            }
            workspaceId = routeId;
            return true;
        }

        if (identity.KeyWorkspaceId is { } keyWorkspaceId)
        {
            workspaceId = keyWorkspaceId;
            return true;
        }

        foreach (var header in WorkspaceHeaders)
        {
            var value = http.Request.Headers[header];
            if (value.Count == 0)
                continue;
            if (value.Count > 1 || !Guid.TryParse(value.ToString(), out var headerId))
            {
                problem = (StatusCodes.Status400BadRequest, $"{header} must be one workspace id (a UUID).");
                return false;
            }
            workspaceId = headerId;
            return true;
        }
        return true;
    }
}
