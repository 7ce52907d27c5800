using Gatehouse.Infrastructure;

namespace Gatehouse.Features.Invitations;

/// <summary>How long an invitation stays open (<c>INVITATION_TTL_DAYS</c>), read once and validated at start-up.</summary>
public sealed record InvitationSettings(int TtlDays)
{
    public const int DefaultTtlDays = 7;
    public const int MaxTtlDays = 365;

    public static InvitationSettings Read(IConfiguration config)
    {
        var text = config["INVITATION_TTL_DAYS"];
        if (string.IsNullOrWhiteSpace(text))
            return new InvitationSettings(DefaultTtlDays);
        return int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days)
               && days is >= 1 and <= MaxTtlDays
            ? new InvitationSettings(days)
            : throw new StartupException($"INVITATION_TTL_DAYS must be a whole number of days from 1 to {MaxTtlDays}.");
    }
}

public static class InvitationSetup
{
    public static WebApplicationBuilder AddInvitations(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(InvitationSettings.Read(builder.Configuration));
        return builder;
    }
}
