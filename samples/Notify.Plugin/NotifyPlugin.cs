using Gantry.Engine.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Notify.Plugin;

/// <summary>Registers the plugin's own services; Gantry calls <see cref="Register"/> when it loads the plugin.</summary>
[GantryPlugin]
public static class NotifyPlugin
{
    /// <summary>One shared HTTP client for the plugin's activities.</summary>
    public static void Register(IServiceCollection services) => services.TryAddSingleton(_ => new NotifyHttp(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }));
}

/// <summary>The HTTP client the plugin's activities share; tests pass their own.</summary>
public sealed class NotifyHttp(HttpClient client)
{
    public HttpClient Client { get; } = client;
}
