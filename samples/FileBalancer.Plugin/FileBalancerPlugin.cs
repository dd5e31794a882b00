using Gantry.Engine.Plugins;
using Gantry.Providers.LoadBalancers;
using Microsoft.Extensions.DependencyInjection;

namespace FileBalancer.Plugin;

/// <summary>
/// Adds <c>provider: file</c>. Gantry's plugin loader calls <see cref="Register"/> once; an
/// embedding host calls it itself after <c>AddGantryProviders</c>.
/// </summary>
[GantryPlugin]
public static class FileBalancerPlugin
{
    public const string Provider = "file";

    public static void Register(IServiceCollection services) =>
        services.AddLoadBalancer<FileBalancerSettings>(Provider, CreateDriver);

    private static FileBalancerDriver CreateDriver(FileBalancerSettings settings, LoadBalancerContext context)
    {
        var environment = context.Environment;
        var folder = Path.GetDirectoryName(environment.SourcePath) is { Length: > 0 } parent ? parent : ".";
        var stateFile = Path.GetFullPath(Path.Combine(folder, settings.StateFile!));

        // The servers the groups put behind the proxy, by the name the proxy knows them by.
        var servers = environment.Groups.Values
            .SelectMany(g => g.Hosts)
            .Select(h => environment.Hosts.TryGetValue(h, out var host) ? host.LbServer ?? h : h)
            .ToList();
        return new FileBalancerDriver(stateFile, servers);
    }

}
