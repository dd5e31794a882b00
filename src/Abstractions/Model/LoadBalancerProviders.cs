using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Gantry.Engine.Model;

/// <summary>
/// The load-balancer products environment documents may name in <c>load_balancer.provider</c>,
/// each with the settings class its block binds to. A product registers itself (the built-in
/// ones from Gantry.Providers, a plugin from its <c>AddLoadBalancer</c> call); registering the
/// same name with the same class again does nothing, so registration may repeat.
/// </summary>
public static class LoadBalancerProviders
{
    /// <summary>The simulated, in-process load balancer: what an environment without <c>load_balancer:</c> gets.</summary>
    public const string Sandbox = "sandbox";

    /// <summary>No load balancer: deploys run, <c>lb.*</c> steps are refused.</summary>
    public const string None = "none";

    // The built-in products live in Gantry.Providers and register from its module initializer.
    private const string BuiltInAssembly = "Gantry.Providers";

    private static readonly ConcurrentDictionary<string, Type> Types = new(StringComparer.Ordinal)
    {
        [None] = typeof(LoadBalancerSettings),

        // The default: an engine-only host (tests, an embedded engine) loads sandbox environments.
        [Sandbox] = typeof(SandboxLoadBalancerSettings),
    };

    private static readonly Lazy<bool> BuiltIns = new(LoadBuiltIns);

    /// <summary>Registers <typeparamref name="TSettings"/> as the settings of provider <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not lower-case letters, digits and dashes.</exception>
    /// <exception cref="InvalidOperationException">Another settings class already has the name.</exception>
    public static void Register<TSettings>(string name)
        where TSettings : LoadBalancerSettings, new()
    {
        if (string.IsNullOrEmpty(name) || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            throw new ArgumentException(
                $"load balancer provider name '{name}' must be lower-case letters, digits and dashes, as documents write it",
                nameof(name));
        }

        var registered = Types.GetOrAdd(name, typeof(TSettings));
        if (registered != typeof(TSettings))
        {
            throw new InvalidOperationException(
                $"load balancer provider '{name}' is already registered with {registered.FullName}; {typeof(TSettings).FullName} cannot take the "
                + "name");
        }
    }

    /// <summary>Every registered provider name with its settings class, by name.</summary>
    public static IReadOnlyList<KeyValuePair<string, Type>> All
    {
        get
        {
            _ = BuiltIns.Value;
            return Types.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The settings class of <paramref name="name"/>, or null when no product registered it.</summary>
    public static Type? Find(string name)
    {
        _ = BuiltIns.Value;
        return Types.GetValueOrDefault(name);
    }

    /// <summary>
    /// Runs Gantry.Providers' module initializer when that assembly is deployed beside the host, so
    /// that a document naming haproxy loads even before the host touched one of its types.
    /// </summary>
    private static bool LoadBuiltIns()
    {
        try
        {
            var assembly = Assembly.Load(new AssemblyName(BuiltInAssembly));
            RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false; // an engine-only host: only the providers it registers itself
        }
    }
}
