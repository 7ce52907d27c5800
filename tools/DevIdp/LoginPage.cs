using System.Net;
using System.Text;
using OpenIddict.Abstractions;

namespace DevIdp;

/// <summary>The login page: pick a seeded user or type one. No password: this is a development tool.</summary>
public static class LoginPage
{
    /// <summary>Form fields of the login choice; every other parameter of the authorization request is posted back as it came.</summary>
    public const string SubjectField = "devidp_sub", EmailField = "devidp_email", NameField = "devidp_name",
        VerifiedField = "devidp_email_verified", PermissionsField = "devidp_permissions", ChoiceField = "devidp_login";

    public static bool IsLoginField(string name) => name.StartsWith("devidp_", StringComparison.Ordinal);

    /// <summary>The user chosen on the page, or null when the request does not come from it.</summary>
    public static DevUser? ReadChoice(OpenIddictRequest request, out string? problem)
    {
        problem = null;
        if ((string?)request[ChoiceField] is null)
            return null;
        var email = DevUser.Clean((string?)request[EmailField]);
        var subject = DevUser.Clean((string?)request[SubjectField]) ?? (email is null ? null : "devidp|" + email.ToLowerInvariant());
        if (subject is null)
        {
            problem = "Give an email or a subject.";
            return null;
        }
        return new DevUser(subject, email, DevUser.Clean((string?)request[NameField]),
            (string?)request[VerifiedField] == "true", DevUser.ParsePermissions((string?)request[PermissionsField]));
    }

    public static string Render(Shape shape, string action, OpenIddictRequest request, string? problem)
    {
        var hidden = new StringBuilder();
        foreach (var (name, value) in request.GetParameters())
        {
            if (IsLoginField(name) || (string?)value is not { } text) continue;
            hidden.Append($"<input type=\"hidden\" name=\"{H(name)}\" value=\"{H(text)}\">");
        }

        var users = new StringBuilder();
        foreach (var user in DevUser.Seeded)
        {
            users.Append($"""
                <li><form method="post" action="{H(action)}">{hidden}
                  <input type="hidden" name="{ChoiceField}" value="seeded">
                  <input type="hidden" name="{SubjectField}" value="{H(user.Subject)}">
                  <input type="hidden" name="{EmailField}" value="{H(user.Email ?? "")}">
                  <input type="hidden" name="{NameField}" value="{H(user.Name ?? "")}">
                  <input type="hidden" name="{VerifiedField}" value="{(user.EmailVerified ? "true" : "false")}">
                  <input type="hidden" name="{PermissionsField}" value="{H(string.Join(' ', user.Permissions))}">
                  <button type="submit">Log in as {H(user.Name ?? user.Subject)}</button>
                  <span>{H(user.Email ?? "")} · {(user.EmailVerified ? "verified" : "not verified")}{(user.Permissions.Count > 0 ? " · " + H(string.Join(", ", user.Permissions)) : "")}</span>
                </form></li>
                """);
        }

        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Gatehouse development login ({{H(shape.Name)}})</title>
            <style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
            .warn{background:#fff3cd;border:1px solid #c9a400;padding:.75rem}li{margin:.5rem 0}label{display:block;margin:.5rem 0}
            .problem{color:#a00}</style></head>
            <body>
            <h1>Development login — {{H(shape.Name)}}-shaped provider</h1>
            <p class="warn" role="note"><strong>This is a development tool, not a real identity provider.</strong>
            Anyone who reaches it can log in as anyone. It refuses to start outside Development.</p>
            <p>Issuer: <code>{{H(shape.Issuer)}}</code> · client: <code>{{H(request.ClientId ?? "")}}</code></p>
            {{(problem is null ? "" : $"<p class=\"problem\" role=\"alert\">{H(problem)}</p>")}}
            <h2>Seeded users</h2>
            <ul>{{users}}</ul>
            <h2>Someone else</h2>
            <form method="post" action="{{H(action)}}">{{hidden}}
              <input type="hidden" name="{{ChoiceField}}" value="custom">
              <label>Email <input name="{{EmailField}}" type="email" autocomplete="off"></label>
              <label>Name <input name="{{NameField}}" autocomplete="off"></label>
              <label>Subject (optional, default devidp|email) <input name="{{SubjectField}}" autocomplete="off"></label>
              <label><input type="checkbox" name="{{VerifiedField}}" value="true" checked> Email verified</label>
              <label>Permissions (space-separated) <input name="{{PermissionsField}}" autocomplete="off"></label>
              <button type="submit">Log in</button>
            </form>
            </body></html>
            """;
    }

    private static string H(string value) => WebUtility.HtmlEncode(value);
}
