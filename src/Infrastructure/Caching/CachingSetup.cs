using Gatehouse.Infrastructure.Database;

namespace Gatehouse.Infrastructure.Caching;

public static class CachingSetup
{
    /// <summary>The validated-token cache, the caller cache and the listener that keeps it coherent.</summary>
    public static WebApplicationBuilder AddCaching(this WebApplicationBuilder builder)
    {
        var settings = CacheSettings.Read(builder.Configuration, DatabaseSetup.ReadConnectionStrings(builder.Configuration));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<TokenCache>();
        builder.Services.AddSingleton<CallerCache>();
        builder.Services.AddHostedService<ChangeListener>();
        return builder;
    }
}
