using System.Text.Json;
using FastEndpoints;
using FastEndpoints.Swagger;
using Gatehouse.Infrastructure.Auth;
using Microsoft.AspNetCore.Mvc;
using NSwag;
using NSwag.AspNetCore;

namespace Gatehouse.Infrastructure.Web;

public static class WebSetup
{
    public const string RoutePrefix = "api/v1";
    public const long MaxRequestBodyBytes = 256 * 1024;

    public static WebApplicationBuilder AddWeb(this WebApplicationBuilder builder)
    {
        // A rule stops at its first failure, so later checks never see a value an earlier one refused.
        FluentValidation.ValidatorOptions.Global.DefaultRuleLevelCascadeMode = FluentValidation.CascadeMode.Stop;
        builder.Services.AddErrorHandling();
        builder.Services.AddHealth();
        builder.AddRateLimits();
        builder.Services.AddFastEndpoints();
        // Routing would answer a wrong Content-Type with 415 before authentication; UseRequestChecks decides it after.
        builder.Services.RemoveRoutingContentTypeMatch();
        // Validated already by AddGatehouseAuth; read here for the login schemes of the document.
        var auth = AuthSettings.Read(builder.Configuration, builder.Environment);
        builder.Services.SwaggerDocument(o =>
        {
            o.ShortSchemaNames = false;
            o.EnableJWTBearerAuth = false;
            o.AutoTagPathSegmentIndex = 0;
            o.RemoveEmptyRequestSchema = true;
            o.DocumentSettings = s =>
            {
                s.DocumentName = "v1";
                s.SchemaSettings.SchemaNameGenerator = new SliceSchemaNames();
                s.SchemaSettings.SchemaProcessors.Add(new RequiredUnlessNullable());
                s.OperationProcessors.Add(new UserTokensOnly.Documentation());
                s.OperationProcessors.Add(new WorkspaceManagers.Documentation());
                s.Title = "Gatehouse";
                s.Version = "v1";
                // The contract in short; docs/api.md in the repository says it in full.
                s.Description =
                    "Identity and workspace API. A protected request carries exactly one credential: " +
                    "`Authorization: Bearer <access token>` from a configured Auth0 or Authentik provider, or `X-API-Key`; " +
                    "a 401 carries an RFC 6750 `WWW-Authenticate` challenge. A subject's first request provisions its user, " +
                    "a default workspace it owns and a default API key; a new identity joins an existing user only when both " +
                    "emails are verified and equal. Each request runs in one workspace: the route's, the API key's, " +
                    "`X-Workspace-ID` (or `X-Organization-ID`, `X-Tenant-ID`), else the user's active workspace, else their " +
                    "oldest; `organization_id` in `/auth/me` is that workspace, `active_workspace_id` the user's stored choice. " +
                    "Every error is `application/problem+json` and bad input is a 4xx that changes nothing; 429 and 503 carry " +
                    "`Retry-After`. A change is seen by every instance within 1 s. In full: docs/api.md in the repository.";
                s.AddAuth("Bearer", new OpenApiSecurityScheme
                {
                    Type = OpenApiSecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An access token from a configured Auth0 or Authentik provider.",
                });
                s.AddAuth("ApiKey", new OpenApiSecurityScheme
                {
                    Type = OpenApiSecuritySchemeType.ApiKey,
                    Name = "X-API-Key",
                    In = OpenApiSecurityApiKeyLocation.Header,
                    Description = "An API key created through /api/v1/api-keys.",
                });
                // Swagger UI's Authorize button logs in at each configured provider: authorization code with PKCE.
                foreach (var provider in auth.Providers)
                    s.AddAuth(SwaggerLoginScheme(provider), new OpenApiSecurityScheme
                    {
                        Type = OpenApiSecuritySchemeType.OAuth2,
                        Description = $"Log in at {provider.Issuer} (authorization code with PKCE; client {provider.ClientId}).",
                        Flows = new OpenApiOAuthFlows
                        {
                            AuthorizationCode = new OpenApiOAuthFlow
                            {
                                AuthorizationUrl = provider.AuthorizationEndpoint,
                                TokenUrl = TokenEndpoint(provider),
                                Scopes = new Dictionary<string, string>
                                {
                                    ["openid"] = "OpenID Connect", ["profile"] = "Name", ["email"] = "Email address",
                                },
                            },
                        },
                    });
            };
        });

        // No endpoint takes more than a few KiB: refuse big bodies before they are buffered.
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        var origins = (builder.Configuration["CORS_ORIGINS"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.Services.AddCors(o => o.AddDefaultPolicy(p => p
            .WithOrigins(origins)
            .WithHeaders("Authorization", "Content-Type", "X-API-Key", "X-Workspace-ID", "X-Organization-ID", "X-Tenant-ID")
            .WithMethods("GET", "POST", "PATCH", "DELETE")
            // Not a CORS-safelisted response header: without this a browser app cannot tell how long to wait after a 429.
            .WithExposedHeaders("Retry-After")));
        return builder;
    }

    /// <summary>FastEndpoints with the house's conventions: route prefix, per-endpoint defaults, JSON and problem bodies.</summary>
    public static WebApplication UseSliceEndpoints(this WebApplication app)
    {
        var preProcessor = app.Services.GetRequiredService<AuthContextPreProcessor>();
        app.UseFastEndpoints(c =>
        {
            c.Endpoints.RoutePrefix = RoutePrefix;
            c.Endpoints.Configurator = ep => AuthSetup.ConfigureEndpoint(ep, preProcessor);
            c.Security.PermissionsClaimType = GatehouseAuthenticationHandler.PermissionClaim;
            // Every endpoint class is called Endpoint: the slice's folder names the operation.
            c.Endpoints.NameGenerator = ctx => SliceName(ctx.EndpointType);
            c.Serializer.Options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            JsonInput.Configure(c.Serializer.Options);
            var json = c.Serializer.Options;
            c.Serializer.RequestDeserializer = (request, type, context, ct) => JsonInput.ReadBodyAsync(request, type, context?.Options ?? json, ct);
            c.Serializer.SerializerErrorsField = "body";
            c.Binding.JsonExceptionTransformer = ErrorHandling.JsonFailure;
            c.Binding.FailureMessage = ErrorHandling.BindingFailure;
            c.Errors.ContentType = ErrorHandling.ProblemJson;
            c.Errors.ProducesMetadataType = typeof(HttpValidationProblemDetails);
            c.Errors.ResponseBuilder = ErrorHandling.ValidationProblem;
        });
        return app;
    }

    /// <summary>Swagger UI's Authorize button: authorization code with PKCE at the configured providers.</summary>
    public static Action<SwaggerUiSettings> SwaggerUiLogin(AuthSettings auth) => ui =>
    {
        if (auth.Providers.FirstOrDefault() is not { } first)
            return;
        // Swagger UI has one OAuth client for all schemes: the first provider's (Auth0 first); each scheme's
        // description names its own client id for the dialog's client_id field. A public client: no secret.
        ui.OAuth2Client = new OAuth2ClientSettings
        {
            ClientId = first.ClientId,
            // Blank, not NSwag's placeholders: a public client sends no secret (the provider refuses one) and no realm.
            ClientSecret = "",
            Realm = "",
            AppName = "Gatehouse",
            UsePkceWithAuthorizationCodeGrant = true,
        };
        ui.OAuth2Client.Scopes.Add("openid");
        ui.OAuth2Client.Scopes.Add("profile");
        ui.OAuth2Client.Scopes.Add("email");
        // Auth0 issues a JWT for the API only when the authorize request names it.
        if (auth.Find(ProviderKind.Auth0) is { } auth0)
            ui.OAuth2Client.AdditionalQueryStringParameters["audience"] = auth0.Audience;
    };

    public static string SwaggerLoginScheme(ProviderSettings provider) => provider.Kind == ProviderKind.Auth0 ? "Auth0" : "Authentik";

    /// <summary>Auth0: {issuer}oauth/token; Authentik: {base}/application/o/token/, beside its authorize endpoint.</summary>
    private static string TokenEndpoint(ProviderSettings provider) => provider.Kind == ProviderKind.Auth0
        ? provider.Issuer + "oauth/token"
        : provider.AuthorizationEndpoint[..^"authorize/".Length] + "token/";

    /// <summary><c>Gatehouse.Features.Profile.UpdateProfile.Endpoint</c> → <c>UpdateProfile</c>.</summary>
    public static string SliceName(Type endpointType) =>
        endpointType.Namespace![(endpointType.Namespace!.LastIndexOf('.') + 1)..];
}
