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
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var version = await LockAndReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return version;
    }

    public async Task<int> MigrateAsync(int? targetVersion, CancellationToken cancellationToken)
    {
        var target = targetVersion ?? LatestVersion;
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var reached = 0;
        foreach (var migration in PostgresMigrations.All.Where(m => m.Version <= target))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionScope = transaction.ConfigureAwait(false);
            reached = await LockAndReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (reached >= migration.Version)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var apply = PostgresDatabase.Command(connection, transaction, migration.Sql);
            await using (apply.ConfigureAwait(false))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var record = PostgresDatabase.Command(
                connection,
                transaction,
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at);");
            await using (record.ConfigureAwait(false))
            {
                PostgresDatabase.Add(record, "version", migration.Version);
                PostgresDatabase.Add(record, "name", migration.Name);
                PostgresDatabase.Add(record, "at", _time.GetUtcNow());
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            reached = migration.Version;
        }

        return reached;
    }

    private static async Task<int> LockAndReadVersionAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        var command = PostgresDatabase.Command(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey});");
        await using var commandScope = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText =
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT "
            + "NULL);";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
        return Convert.ToInt32(
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);
    }
}
