using System.Runtime.CompilerServices;

namespace Gantry.Engine.Stores;

/// <summary>Registers the SQLite store with <see cref="StoreProviders"/> as soon as this assembly is used.</summary>
public static class SqliteStores
{
    /// <summary>The SQLite store: every store on one file, opened without touching it.</summary>
    public static StoreProvider Provider { get; } = new(StoreKind.Sqlite, path => path, Open);

    private static StoreSet Open(string path, TimeProvider? time)
    {
        var sqlite = new SqliteDatabase(path);
        return new StoreSet(
            StoreKind.Sqlite,
            sqlite.Path,
            new SqliteRunStore(sqlite, time),
            new SqliteDefinitionStore(sqlite, time),
            new SqliteMigrator(sqlite, time),
            new SqliteWebhookDeliveries(sqlite),
            new SafetyState(new SqliteHostQuarantine(sqlite), new SqliteAccessTokens(sqlite)),
            null);
    }

#pragma warning disable CA2255 // A library's module initializer is the point: the engine has no reference to this assembly.
    [ModuleInitializer]
    internal static void Register() => StoreProviders.Register(Provider);
#pragma warning restore CA2255
}
