using Gatehouse.Infrastructure.Auth.Tokens;
using Gatehouse.Infrastructure.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Gatehouse.Infrastructure.Auth;

/// <summary>
/// What a leaked API key must not reach — creating or revealing keys, managing members or invitations,
/// deleting a workspace — because it would hand its holder a way in that outlives the key. An endpoint
/// declares it in one line of <c>Configure()</c>: <c>Policies(UserTokensOnly.Policy)</c>. ASP.NET's
/// authorization decides it right after authentication, before the body is read or anything is written.
/// </summary>
public static class UserTokensOnly
{
    public const string Policy = "user_tokens_only";

    public const string Detail = "This operation needs a user's token: an API key cannot create or reveal keys, " +
        "manage members or invitations, or delete a workspace.";

    // Fail closed: only the methods that stand for a signed-in person (or system mode's user) pass.
    private static readonly HashSet<string> UserMethods = [nameof(AuthMethod.Auth0), nameof(AuthMethod.Authentik), nameof(AuthMethod.System)];

    public static IServiceCollection AddUserTokensOnly(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.RequireAuthenticatedUser().AddRequirements(new Requirement()));
        return services.AddSingleton<IAuthorizationMiddlewareResultHandler, ResultHandler>();
    }

    /// <summary>Its own handler (ASP.NET runs such requirements itself): the credential's method must be a user's.</summary>
    private sealed class Requirement : AuthorizationHandler<Requirement>, IAuthorizationRequirement
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, Requirement requirement)
        {
            if (context.User.FindFirst(GatehouseAuthenticationHandler.MethodClaim)?.Value is { } method && UserMethods.Contains(method))
                context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }

    /// <summary>Answers this policy's refusal with its own problem; every other outcome goes the default way.</summary>
    private sealed class ResultHandler : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
        {
            if (result.Forbidden && result.AuthorizationFailure?.FailedRequirements.OfType<Requirement>().Any() == true)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
                await context.WriteProblemAsync(StatusCodes.Status403Forbidden, Detail);
                return;
            }
            await _default.HandleAsync(next, context, policy, result);
        }
    }

    /// <summary>Says so in the OpenAPI document: the operation's 403 names API keys.</summary>
    public sealed class Documentation() : ForbiddenSentence(
        metadata => metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Policy), Sentence)
    {
        public const string Sentence = "A request authenticated by an API key gets 403 here: this operation needs a user's token.";
    }
}
