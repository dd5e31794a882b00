using System.Reflection;
using System.Runtime.Loader;

namespace Gantry.Engine.Plugins;

/// <summary>
/// One plugin's assemblies. The contract (Gantry.Engine, the DI and logging abstractions, the
/// framework) comes from the host so that <c>IActivity</c> is one type for everyone; every other
/// dependency loads from the plugin's folder, so two plugins may use two versions of a library.
/// </summary>
internal sealed class PluginLoadContext(string mainAssemblyPath)
    : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: false)
{
    private static readonly HashSet<string> Contract = new(StringComparer.OrdinalIgnoreCase)
    {
        "Gantry.Engine",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Logging.Abstractions",
        "System",
        "netstandard",
        "mscorlib",
    };

    private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

    public static bool IsShared(AssemblyName name) =>
        name.Name is { } simple && (Contract.Contains(simple) || simple.StartsWith("System.", StringComparison.OrdinalIgnoreCase));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsShared(assemblyName))
        {
            return null;
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
