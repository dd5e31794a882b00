using Gantry.Engine.Runtime;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Stores;

/// <summary>
/// Migrates a SQLite store: switches the file to WAL, then applies each missing migration in its
/// own write transaction (BEGIN IMMEDIATE), so processes starting together apply each once.
/// </summary>
public sealed class SqliteMigrator(SqliteDatabase database, TimeProvider? time = null) : IStoreMigrator
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public int LatestVersion => SqliteMigrations.All[^1].Version;

    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> MigrateAsync(int? targetVersion, CancellationToken cancellationToken)
    {
        var target = targetVersion ?? LatestVersion;
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var wal = connection.CreateCommand();
        await using (wal.ConfigureAwait(false))
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // A store already at the target takes no write lock: every command migrates on open, and one waiting for the
        // lock of a long write elsewhere (or failing after busy_timeout) only to find nothing to do helps no one.
        var reached = await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
        if (reached >= target)
        {
            return reached;
        }

        foreach (var migration in SqliteMigrations.All.Where(m => m.Version <= target))
        {
            var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionScope = transaction.ConfigureAwait(false);
            reached = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (reached >= migration.Version)
            {
                continue;
            }

            var command = connection.CreateCommand();
            await using var commandScope = command.ConfigureAwait(false);
            command.Transaction = transaction;
            command.CommandText = migration.Sql + "\nINSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $at);";
            command.Parameters.AddWithValue("$version", migration.Version);
            command.Parameters.AddWithValue("$name", migration.Name);
            command.Parameters.AddWithValue("$at", SqliteDatabase.Ticks(_time.GetUtcNow()));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            reached = migration.Version;
        }

        return Math.Max(reached, await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<int> ReadVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
            SELECT COALESCE(MAX(version), 0) FROM schema_migrations;
            """;
        return Convert.ToInt32(
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);
    }
}
