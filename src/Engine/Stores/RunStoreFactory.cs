namespace Gantry.Engine.Stores;

/// <summary>
/// Chooses the store from one setting (the CLI's <c>--db</c> or <c>GANTRY_DB</c>): nothing means
/// the SQLite file <c>.gantry/gantry.db</c> under the data folder; <c>Host=…</c>,
/// <c>postgres://…</c> or <c>postgresql://…</c> means PostgreSQL; a path, optionally prefixed
/// with <c>sqlite:</c>, means that SQLite file (relative paths are under the data folder).
/// Each kind is served by its package (Gantry.Stores.Sqlite, Gantry.Stores.Postgres; see <see cref="StoreProviders"/>).
/// </summary>
public static class RunStoreFactory
{
    /// <summary>The default SQLite file, relative to the data folder.</summary>
    public static readonly string DefaultSqlitePath = Path.Combine(".gantry", "gantry.db");

    /// <summary>Creates the stores for <paramref name="db"/> without touching the database; run <see cref="StoreSet.Migrator"/> next (or use <see
    /// cref="OpenAsync"/>).</summary>
    public static StoreSet Create(string? db, string dataFolder, TimeProvider? time = null)
    {
        var (kind, location) = Resolve(db, dataFolder);
        return StoreProviders.Get(kind).Open(location, time);
    }

    /// <summary>Creates the stores and migrates the database to the latest schema.</summary>
    public static async Task<StoreSet> OpenAsync(string? db, string dataFolder, TimeProvider? time, CancellationToken cancellationToken)
    {
        var stores = Create(db, dataFolder, time);
        try
        {
            await stores.Migrator.MigrateAsync(null, cancellationToken).ConfigureAwait(false);
            return stores;
        }
        catch
        {
            await stores.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The kind of store and its SQLite path or Npgsql connection string.</summary>
    public static (StoreKind Kind, string Location) Resolve(string? db, string dataFolder)
    {
        var value = db?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return (StoreKind.Sqlite, Path.GetFullPath(Path.Combine(dataFolder, DefaultSqlitePath)));
        }

        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return (StoreKind.Postgres, StoreProviders.Get(StoreKind.Postgres).Locate(value));
        }

        if (value.StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
        {
            return (StoreKind.Postgres, value);
        }

        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            value = value["sqlite:".Length..];
            if (value.StartsWith("//", StringComparison.Ordinal))
            {
                value = value[2..];
            }
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException(
                $"The database setting '{db}' names no SQLite file. Expected a path such as 'sqlite:/var/lib/gantry/gantry.db'.",
                nameof(db));
        }

        return (StoreKind.Sqlite, Path.GetFullPath(Path.Combine(dataFolder, value)));
    }
}
