using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Loading;

/// <summary>
/// Binds <c>load_balancer:</c> to the settings class its <c>provider:</c> registered
/// (<see cref="LoadBalancerProviders"/>): each product validates its own fields, and a field of
/// another product says which one it belongs to.
/// </summary>
internal static class LoadBalancerBinder
{
    private const string Path = "load_balancer";

    public static LoadBalancerSettings Bind(DocNode? node, DiagnosticBag diagnostics)
    {
        // No provider named: the engine's own sandbox, without looking for any other product's assembly.
        if (node is null)
        {
            return new SandboxLoadBalancerSettings();
        }

        if (node is not DocMapping mapping)
        {
            diagnostics.Add(node, Path, $"expected a mapping with provider and its fields, found {(node is DocSequence ? "a list" : $"'{node}'")}");
            return new SandboxLoadBalancerSettings();
        }

        var providerNode = mapping["provider"];
        var name = providerNode is DocScalar { Kind: not ScalarKind.Null } scalar ? scalar.Text ?? "" : LoadBalancerProviders.Sandbox;
        if (LoadBalancerProviders.Find(name) is not { } type)
        {
            var known = LoadBalancerProviders.All.Select(p => p.Key).ToList();
            diagnostics.Add(
                providerNode!,
                $"{Path}.provider",
                $"unknown load balancer provider '{name}'{Suggest.Hint(name, known)}; expected one of: {string.Join(", ", known)} (a plugin's "
                + "provider is known once its plugin is loaded)");
            return new LoadBalancerSettings { Provider = name };
        }

        var shape = (ObjectShape)TypeShape.Of(type);
        var own = new List<DocEntry>();
        foreach (var entry in mapping.Entries)
        {
            if (shape.Find(entry.Key) is null && OwnersOf(entry.Key) is { Count: > 0 } owners)
            {
                diagnostics.Add(
                    entry.Value,
                    $"{Path}.{entry.Key}",
                    $"{entry.Key} applies to provider {string.Join(" or ", owners)} only; this load balancer is {name}");
                continue;
            }

            own.Add(entry);
        }

        var settings = (LoadBalancerSettings?)ObjectBinder.Bind(mapping with { Entries = own }, shape, Path, diagnostics) ?? Default(name);
        settings.Provider = name;
        return settings;
    }

    /// <summary>Reports the block's own cross-field problems, each at its field's value or at the block.</summary>
    public static void Check(EnvironmentDefinition environment, DocNode? node, DocNode root, DiagnosticBag diagnostics)
    {
        foreach (var (field, message) in environment.LoadBalancer.Check(environment))
        {
            diagnostics.Add((node as DocMapping)?[field] ?? node ?? root, $"{Path}.{field}", message);
        }
    }

    private static LoadBalancerSettings Default(string name) =>
        (LoadBalancerSettings)Activator.CreateInstance(LoadBalancerProviders.Find(name) ?? typeof(LoadBalancerSettings))!;

    /// <summary>The providers whose settings have the field <paramref name="key"/>.</summary>
    private static List<string> OwnersOf(string key) => LoadBalancerProviders.All
        .Where(p => ((ObjectShape)TypeShape.Of(p.Value)).Find(key) is not null)
        .Select(p => p.Key)
        .ToList();
}
