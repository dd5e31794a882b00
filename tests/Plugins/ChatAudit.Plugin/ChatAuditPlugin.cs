using Gantry.Engine.Plugins;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace ChatAudit.Plugin;

/// <summary>Registers the audit observer; Gantry calls <see cref="Register"/> when it loads the plugin.</summary>
[GantryPlugin]
public static class ChatAuditPlugin
{
    public static void Register(IServiceCollection services) => services.AddSingleton<IJournalObserver, ChatAuditObserver>();
}
