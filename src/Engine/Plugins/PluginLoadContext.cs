using System.Reflection;
using System.Runtime.Loader;

namespace Gantry.Engine.Plugins;

/// <summary>
/// One plugin's assemblies. The contract (Gantry.Abstractions, the rest of Gantry, the DI and logging
/// abstractions, the framework) comes from the host so that <c>IActivity</c> is one type for everyone; every other
/// dependency loads from the plugin's folder, so two plugins may use two versions of a library.
/// </summary>
internal sealed class PluginLoadContext(string mainAssemblyPath)
    : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: false)
{
    private static readonly HashSet<string> Contract = new(StringComparer.OrdinalIgnoreCase)
    {
        // The plugin contract: activities, the model, ILoadBalancerDriver and AddLoadBalancer.
        "Gantry.Abstractions",

        // A plugin that also uses the engine or the standard providers gets the host's.
        "Gantry.Engine",
        "Gantry.Providers",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Logging.Abstractions",
        "System",
        "netstandard",
        "mscorlib",
    };

    // Assemblies of the shared frameworks (Microsoft.NETCore.App, ...), by simple name.
    private static readonly Lazy<HashSet<string>> Framework = new(FrameworkAssemblies);

    private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

    public static bool IsShared(AssemblyName name) =>
        name.Name is { } simple && (Contract.Contains(simple) || simple.StartsWith("System.", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// True when the plugin can get the assembly as intended: from the host (contract or framework)
    /// or from its own folder. An application library the plugin lacks is not taken from the host,
    /// whose version may differ.
    /// </summary>
    public bool CanResolve(AssemblyName name) =>
        IsShared(name) || (name.Name is { } simple && Framework.Value.Contains(simple)) || _resolver.ResolveAssemblyToPath(name) is not null;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsShared(assemblyName))
        {
            return null;
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    private static HashSet<string> FrameworkAssemblies()
    {
        var shared = Path.GetDirectoryName(
            Path.GetDirectoryName(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar))
        )!;
        var trusted = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(
            Path.PathSeparator,
            StringSplitOptions.RemoveEmptyEntries);
        return trusted
            .Where(p => p.StartsWith(shared, StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .ToHashSet(StringComparer.OrdinalIgnoreCase)!;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
