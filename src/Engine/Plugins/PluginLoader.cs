using System.Collections.Concurrent;
using System.Reflection;
using Gantry.Engine.Activities;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Engine.Plugins;

/// <summary>
/// Loads provider plugins from a folder with one subfolder per plugin (a <c>dotnet publish</c> or
/// build output with its dependencies). Each plugin gets its own load context; its activities and
/// its <see cref="GantryPluginAttribute"/> services are registered. A plugin that cannot load is
/// reported and skipped; it never stops the host.
/// </summary>
public static class PluginLoader
{
    // A plugin folder loads once per process: load contexts are not collectible, and a second
    // copy of the same assembly would make its activity types differ from the first.
    private static readonly ConcurrentDictionary<string, Lazy<PluginLoadContext>> Contexts = new(StringComparer.Ordinal);

    /// <summary>Loads every plugin under <paramref name="folder"/> into <paramref name="services"/>; a missing folder loads nothing.</summary>
    public static PluginLoadReport LoadInto(IServiceCollection services, string folder)
    {
        ArgumentNullException.ThrowIfNull(services);

        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            return PluginLoadReport.Empty(root);
        }

        var loaded = new List<LoadedPlugin>();
        var failures = new List<PluginLoadFailure>();
        foreach (var directory in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            try
            {
                loaded.Add(LoadOne(services, directory));
            }
            catch (PluginLoadException ex)
            {
                failures.Add(new PluginLoadFailure(ex.PluginPath, ex.Message));
            }
            catch (Exception ex)
            {
                failures.Add(new PluginLoadFailure(directory, $"failed to load: {ex.Message}"));
            }
        }

        return new PluginLoadReport(root, loaded, failures);
    }

    private static LoadedPlugin LoadOne(IServiceCollection services, string directory)
    {
        var mainPath = MainAssemblyPath(directory);
        var assembly = LoadMainAssembly(mainPath);
        var types = ExportedTypes(assembly, mainPath);
        var descriptors = types
            .Where(t => !t.IsAbstract && typeof(IActivity).IsAssignableFrom(t) && t.IsDefined(typeof(ActivityAttribute), false))
            .Select(ActivityDescriptor.FromType)
            .ToList();
        RefuseDuplicates(services, descriptors, mainPath);

        // Run the plugin's own registration on a scratch collection so that a Register that throws half-way leaves the host untouched.
        var own = new ServiceCollection();
        foreach (var registrar in types.Where(t => t.IsDefined(typeof(GantryPluginAttribute), false)))
        {
            InvokeRegister(registrar, own, mainPath);
        }

        services.AddActivitiesFrom(assembly);
        foreach (var descriptor in own)
        {
            services.Add(descriptor);
        }

        return new LoadedPlugin(Path.GetFileName(directory), mainPath, assembly, descriptors.Select(d => d.Name).ToList());
    }

    /// <summary>The dll named like the folder, else the one that has a .deps.json beside it.</summary>
    private static string MainAssemblyPath(string directory)
    {
        var named = Path.Combine(directory, Path.GetFileName(directory) + ".dll");
        if (File.Exists(named))
        {
            return named;
        }

        var deps = Directory.GetFiles(directory, "*.deps.json");
        if (deps.Length == 1)
        {
            var main = Path.Combine(directory, Path.GetFileName(deps[0])[..^".deps.json".Length] + ".dll");
            if (File.Exists(main))
            {
                return main;
            }
        }

        throw new PluginLoadException(
            directory,
            $"no plugin assembly: expected {Path.GetFileName(directory)}.dll or one *.deps.json with its dll in the folder");
    }

    private static Assembly LoadMainAssembly(string mainPath)
    {
        try
        {
            var context = Contexts.GetOrAdd(mainPath, path => new Lazy<PluginLoadContext>(() => new PluginLoadContext(path))).Value;
            return context.Assemblies.FirstOrDefault(a => string.Equals(a.Location, mainPath, StringComparison.Ordinal))
                ?? context.LoadFromAssemblyPath(mainPath);
        }
        catch (BadImageFormatException ex)
        {
            throw new PluginLoadException(mainPath, $"not a .NET assembly (bad image): {ex.Message}");
        }
        catch (Exception ex) when (ex is FileLoadException or InvalidOperationException or ArgumentException)
        {
            throw new PluginLoadException(mainPath, $"cannot be loaded: {ex.Message}");
        }
    }

    /// <summary>The assembly's types, after checking that each assembly it references can be found.</summary>
    private static Type[] ExportedTypes(Assembly assembly, string mainPath)
    {
        var context = (PluginLoadContext)System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(assembly)!;
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            if (!context.CanResolve(reference))
            {
                throw new PluginLoadException(
                    mainPath,
                    $"missing dependency {reference.Name} {reference.Version}: it is neither in the plugin folder nor shared by the host");
            }

            try
            {
                context.LoadFromAssemblyName(reference);
            }
            catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                throw new PluginLoadException(mainPath, $"dependency {reference.Name} {reference.Version} cannot be loaded: {ex.Message}");
            }
        }

        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            var first = ex.LoaderExceptions.FirstOrDefault(e => e is not null);
            throw new PluginLoadException(mainPath, $"its types cannot be loaded: {first?.Message ?? ex.Message}");
        }
    }

    private static void RefuseDuplicates(IServiceCollection services, IReadOnlyList<ActivityDescriptor> descriptors, string mainPath)
    {
        var known = services
            .Where(d => d.ServiceType == typeof(ActivityRegistration) && d.ImplementationInstance is ActivityRegistration)
            .Select(d => (ActivityRegistration)d.ImplementationInstance!)
            .GroupBy(d => d.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().ImplementationType, StringComparer.Ordinal);
        foreach (var descriptor in descriptors)
        {
            if (known.TryGetValue(descriptor.Name, out var existing) && existing != descriptor.ImplementationType)
            {
                throw new PluginLoadException(
                    mainPath,
                    $"duplicate activity name '{descriptor.Name}': {descriptor.ImplementationType.FullName} clashes with {existing.FullName} from "
                    + $"{existing.Assembly.GetName().Name}");
            }

            known[descriptor.Name] = descriptor.ImplementationType;
        }
    }

    private static void InvokeRegister(Type registrar, IServiceCollection services, string mainPath)
    {
        var register = registrar.GetMethod("Register", BindingFlags.Public | BindingFlags.Static, [typeof(IServiceCollection)])
            ?? throw new PluginLoadException(
                mainPath,
                $"{registrar.FullName} is marked [GantryPlugin] but has no public static void Register(IServiceCollection)");
        try
        {
            register.Invoke(null, [services]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new PluginLoadException(mainPath, $"{registrar.FullName}.Register failed: {ex.InnerException.Message}");
        }
    }
}

/// <summary>Why one plugin could not be loaded; becomes a <see cref="PluginLoadFailure"/>.</summary>
internal sealed class PluginLoadException(string pluginPath, string message) : Exception(message)
{
    public string PluginPath { get; } = pluginPath;
}
