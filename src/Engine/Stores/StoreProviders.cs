using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Gantry.Engine.Stores;

/// <summary>
/// What a store package contributes for its kind of database: how a <c>--db</c> value becomes its
/// location (a file path, an Npgsql connection string) and how the stores on that location are opened.
/// </summary>
/// <param name="Kind">The database kind the package serves.</param>
/// <param name="Locate">Turns the <c>--db</c> value (a resolved SQLite path, a <c>postgres://</c> URL or <c>Host=…</c>) into the location <paramref
/// name="Open"/> takes.</param>
/// <param name="Open">Creates the stores on a location without touching the database.</param>
public sealed record StoreProvider(StoreKind Kind, Func<string, string> Locate, Func<string, TimeProvider?, StoreSet> Open);

/// <summary>
/// The store packages a host has. Gantry.Stores.Sqlite and Gantry.Stores.Postgres register their
/// provider when their assembly is first used; <see cref="RunStoreFactory"/> runs that registration
/// itself when the package a setting names is deployed beside the host, so a host that references
/// the package needs no registration call, and a host without it gets an error naming the package.
/// </summary>
public static class StoreProviders
{
    private static readonly ConcurrentDictionary<StoreKind, StoreProvider> Registered = new();

    /// <summary>Registers (or replaces) the provider of <see cref="StoreProvider.Kind"/>.</summary>
    public static void Register(StoreProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        Registered[provider.Kind] = provider;
    }

    /// <summary>The package that serves <paramref name="kind"/>.</summary>
    public static string PackageOf(StoreKind kind) => $"Gantry.Stores.{kind}";

    /// <summary>The provider of <paramref name="kind"/>, loading its package when it is deployed but not yet used.</summary>
    /// <exception cref="InvalidOperationException">The host has no package for <paramref name="kind"/>.</exception>
    public static StoreProvider Get(StoreKind kind)
    {
        if (Registered.TryGetValue(kind, out var provider))
        {
            return provider;
        }

        var package = PackageOf(kind);
        try
        {
            var assembly = Assembly.Load(new AssemblyName(package));
            RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        }
        catch (FileNotFoundException)
        {
            // Not deployed: the error below names the package to add.
        }

        return Registered.TryGetValue(kind, out provider)
            ? provider
            : throw new InvalidOperationException(
                $"The {kind.ToString().ToLowerInvariant()} store is not available in this program: add the {package} package (a reference to it is "
                + "enough), or choose another database with --db / GANTRY_DB.");
    }
}
