// The baseline Gatehouse is measured against: what a team gets from `dotnet new web` plus the stock
// JWT bearer handler, pointed at the same issuer, audience and JWKS. No database, no caching of its own.
//   BASELINE_AUTHORITY  the issuer (its discovery document names the JWKS)
//   BASELINE_AUDIENCE   the audience the tokens carry
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
    .AddJwtBearer(options =>
    {
        options.Authority = builder.Configuration["BASELINE_AUTHORITY"];
        options.Audience = builder.Configuration["BASELINE_AUDIENCE"];
        options.MapInboundClaims = false;
    });
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/health/live", () => Results.Text("ok"));
app.MapGet("/api/v1/auth/me", (ClaimsPrincipal user) =>
        Results.Json(user.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.Select(c => c.Value).ToArray())))
    .RequireAuthorization();

app.Run();
