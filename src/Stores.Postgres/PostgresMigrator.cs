using Gantry.Engine.Runtime;
using Npgsql;

namespace Gantry.Engine.Stores;

/// <summary>
/// Migrates a PostgreSQL store: each missing migration runs in its own transaction under a
/// transaction-scoped advisory lock, so nodes starting together apply each migration once.
/// </summary>
public sealed class PostgresMigrator(PostgresDatabase database, TimeProvider? time = null) : IStoreMigrator
{
    /// <summary>The advisory lock key every Gantry node takes while migrating.</summary>
    private const long LockKey = 0x67616E747279; // "gantry"

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public int LatestVersion => PostgresMigrations.All[^1].Version;

    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var version = await LockAndReadVersionAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return version;
    }

    public async Task<int> MigrateAsync(int? targetVersion, CancellationToken cancellationToken)
    {
        var target = targetVersion ?? LatestVersion;
        await using var connection = await database.OpenAsync(cancellationToken);
        var reached = 0;
        foreach (var migration in PostgresMigrations.All.Where(m => m.Version <= target))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            reached = await LockAndReadVersionAsync(connection, transaction, cancellationToken);
            if (reached >= migration.Version)
            {
                await transaction.CommitAsync(cancellationToken);
                continue;
            }

            await using (var apply = PostgresDatabase.Command(connection, transaction, migration.Sql))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = PostgresDatabase.Command(connection, transaction, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at);"))
            {
                PostgresDatabase.Add(record, "version", migration.Version);
                PostgresDatabase.Add(record, "name", migration.Name);
                PostgresDatabase.Add(record, "at", _time.GetUtcNow());
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            reached = migration.Version;
        }

        return reached;
    }

    private static async Task<int> LockAndReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = PostgresDatabase.Command(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey});");
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);";
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
