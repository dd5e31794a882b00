using System.Runtime.CompilerServices;
using Npgsql;

namespace Gantry.Engine.Stores;

/// <summary>Registers the PostgreSQL store with <see cref="StoreProviders"/> as soon as this assembly is used.</summary>
public static class PostgresStores
{
    /// <summary>The PostgreSQL store: <c>postgres://</c> URLs or Npgsql connection strings, opened without connecting.</summary>
    public static StoreProvider Provider { get; } = new(StoreKind.Postgres, Locate, Open);

    private static string Locate(string db) =>
        db.StartsWith("Host=", StringComparison.OrdinalIgnoreCase) ? db : PostgresUri.ToConnectionString(db);

    private static StoreSet Open(string connectionString, TimeProvider? time)
    {
        var database = new PostgresDatabase(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return new StoreSet(
            StoreKind.Postgres,
            $"postgresql {builder.Host}:{builder.Port}/{builder.Database}",
            new PostgresRunStore(database, time),
            new PostgresDefinitionStore(database, time),
            new PostgresMigrator(database, time),
            new PostgresWebhookDeliveries(database),
            new SafetyState(new PostgresHostQuarantine(database), new PostgresAccessTokens(database)),
            database);
    }

#pragma warning disable CA2255 // A library's module initializer is the point: the engine has no reference to this assembly.
    [ModuleInitializer]
    internal static void Register() => StoreProviders.Register(Provider);
#pragma warning restore CA2255
}
