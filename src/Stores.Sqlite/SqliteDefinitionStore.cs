using Gantry.Engine.Runtime;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Stores;

/// <summary>Versioned definitions in the SQLite store; each change is one write transaction.</summary>
public sealed class SqliteDefinitionStore(SqliteDatabase database, TimeProvider? time = null) : IDefinitionStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<DefinitionVersion> SaveAsync(string id, string text, string? author, string? comment, CancellationToken cancellationToken)
    {
        var now = SqliteDatabase.Ticks(_time.GetUtcNow());
        var hash = StoreText.ContentHash(text);
        var writer = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var writerScope = writer.ConfigureAwait(false);
        var connection = writer.Connection;
        var transaction = SqliteDatabase.BeginImmediate(connection);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var latest = await LatestAsync(connection, transaction, id, published: false, cancellationToken).ConfigureAwait(false);
        if (latest is not null && latest.ContentHash == hash)
        {
            return latest;
        }

        var command = Command(connection, transaction, $"""
            INSERT INTO definitions (id, latest_version, created_at, updated_at) VALUES ($id, 1, $now, $now)
            ON CONFLICT (id) DO UPDATE SET latest_version = latest_version + 1, updated_at = $now;
            INSERT INTO definition_versions ({StoreRows.VersionColumns})
            SELECT $id, latest_version, $text, $hash, $author, $comment, $state, $now, NULL FROM definitions WHERE id = $id
            RETURNING {StoreRows.VersionColumns};
            """);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$text", text);
        command.Parameters.AddWithValue("$hash", hash);
        command.Parameters.AddWithValue("$author", (object?)author ?? DBNull.Value);
        command.Parameters.AddWithValue("$comment", (object?)comment ?? DBNull.Value);
        command.Parameters.AddWithValue("$state", StoreText.State(DefinitionState.Draft));
        var saved = (await StoreRows.ReadAllAsync(command, ReadVersion, cancellationToken).ConfigureAwait(false)).Single();
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return saved;
    }

    public async Task<DefinitionVersion> UpdateDraftAsync(
        string id,
        int version,
        string text,
        string? author,
        string? comment,
        CancellationToken cancellationToken)
    {
        var now = SqliteDatabase.Ticks(_time.GetUtcNow());
        var writer = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var writerScope = writer.ConfigureAwait(false);
        var connection = writer.Connection;
        var transaction = SqliteDatabase.BeginImmediate(connection);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var existing = await VersionAsync(connection, transaction, id, version, cancellationToken).ConfigureAwait(false)
            ?? throw NoVersion(id, version);
        if (existing.State == DefinitionState.Published)
        {
            throw new DefinitionPublishedException(id, version);
        }

        var command = Command(connection, transaction, $"""
            UPDATE definitions SET updated_at = $now WHERE id = $id;
            UPDATE definition_versions SET text = $text, content_hash = $hash, author = $author, comment = $comment, created_at = $now
            WHERE definition_id = $id AND version = $version
            RETURNING {StoreRows.VersionColumns};
            """);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$version", version);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$text", text);
        command.Parameters.AddWithValue("$hash", StoreText.ContentHash(text));
        command.Parameters.AddWithValue("$author", (object?)author ?? DBNull.Value);
        command.Parameters.AddWithValue("$comment", (object?)comment ?? DBNull.Value);
        var updated = (await StoreRows.ReadAllAsync(command, ReadVersion, cancellationToken).ConfigureAwait(false)).Single();
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    public async Task<DefinitionVersion> PublishAsync(string id, int version, CancellationToken cancellationToken)
    {
        var now = SqliteDatabase.Ticks(_time.GetUtcNow());
        var writer = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var writerScope = writer.ConfigureAwait(false);
        var connection = writer.Connection;
        var transaction = SqliteDatabase.BeginImmediate(connection);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var command = Command(connection, transaction, """
            UPDATE definition_versions SET state = $published, published_at = $now
            WHERE definition_id = $id AND version = $version AND state <> $published;
            UPDATE definitions SET updated_at = $now WHERE id = $id AND changes() > 0;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$version", version);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$published", StoreText.State(DefinitionState.Published));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var published = await VersionAsync(connection, transaction, id, version, cancellationToken).ConfigureAwait(false)
            ?? throw NoVersion(id, version);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return published;
    }

    public async Task<DefinitionVersion?> GetAsync(string id, int? version, bool fallBackToDraft, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        if (version is { } v)
        {
            return await VersionAsync(connection, null, id, v, cancellationToken).ConfigureAwait(false);
        }

        return await LatestAsync(connection, null, id, published: true, cancellationToken).ConfigureAwait(false)
            ?? (fallBackToDraft ? await LatestAsync(connection, null, id, published: false, cancellationToken).ConfigureAwait(false) : null);
    }

    public async Task<IReadOnlyList<DefinitionSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = Command(connection, null, """
            SELECT d.id, d.latest_version,
                (SELECT MAX(v.version) FROM definition_versions v WHERE v.definition_id = d.id AND v.state = $published),
                d.updated_at
            FROM definitions d ORDER BY d.id;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("$published", StoreText.State(DefinitionState.Published));
        return await StoreRows.ReadAllAsync(
            command,
            r => new DefinitionSummary(r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetInt32(2), SqliteDatabase.Time(r, 3)),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DefinitionVersion>> VersionsAsync(string id, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = Command(
            connection,
            null,
            $"SELECT {StoreRows.VersionColumns} FROM definition_versions WHERE definition_id = $id ORDER BY version;");
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("$id", id);
        return await StoreRows.ReadAllAsync(command, ReadVersion, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var writer = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var writerScope = writer.ConfigureAwait(false);
        var connection = writer.Connection;
        var transaction = SqliteDatabase.BeginImmediate(connection);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var command = Command(connection, transaction, "DELETE FROM definition_versions WHERE definition_id = $id;");
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("$id", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText = "DELETE FROM definitions WHERE id = $id;";
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private static async Task<DefinitionVersion?> LatestAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string id,
        bool published,
        CancellationToken cancellationToken)
    {
        var command = Command(connection, transaction, $"""
            SELECT {StoreRows.VersionColumns} FROM definition_versions
            WHERE definition_id = $id AND ($any OR state = $published) ORDER BY version DESC LIMIT 1;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$any", !published);
        command.Parameters.AddWithValue("$published", StoreText.State(DefinitionState.Published));
        return (await StoreRows.ReadAllAsync(command, ReadVersion, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    private static async Task<DefinitionVersion?> VersionAsync(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        string id,
        int version,
        CancellationToken cancellationToken)
    {
        var command = Command(
            connection,
            transaction,
            $"SELECT {StoreRows.VersionColumns} FROM definition_versions WHERE definition_id = $id AND version = $version;");
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$version", version);
        return (await StoreRows.ReadAllAsync(command, ReadVersion, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static DefinitionVersion ReadVersion(System.Data.Common.DbDataReader reader) => StoreRows.ReadVersion(reader, SqliteDatabase.Time);

    private static KeyNotFoundException NoVersion(string id, int version) => new($"Definition '{id}' has no version {version}.");
}
