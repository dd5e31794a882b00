using Gantry.Engine.Runtime;
using Npgsql;

namespace Gantry.Engine.Stores;

/// <summary>
/// Versioned definitions in PostgreSQL. A save locks the definition's row (<c>FOR UPDATE</c>) so
/// nodes saving at once get consecutive versions and never a duplicate of the latest text.
/// </summary>
public sealed class PostgresDefinitionStore(PostgresDatabase database, TimeProvider? time = null) : IDefinitionStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<DefinitionVersion> SaveAsync(string id, string text, string? author, string? comment, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var hash = StoreText.ContentHash(text);
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var lockRow = PostgresDatabase.Command(connection, transaction, """
            INSERT INTO definitions (id, latest_version, created_at, updated_at) VALUES (@id, 0, @now, @now) ON CONFLICT (id) DO NOTHING;
            SELECT latest_version FROM definitions WHERE id = @id FOR UPDATE;
            """);
        await using (lockRow.ConfigureAwait(false))
        {
            PostgresDatabase.Add(lockRow, "id", id);
            PostgresDatabase.Add(lockRow, "now", now);
            await lockRow.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var latest = await LatestAsync(connection, transaction, id, published: false, cancellationToken).ConfigureAwait(false);
        if (latest is not null && latest.ContentHash == hash)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return latest;
        }

        var command = PostgresDatabase.Command(connection, transaction, $"""
            WITH bumped AS (UPDATE definitions SET latest_version = latest_version + 1, updated_at = @now WHERE id = @id RETURNING latest_version)
            INSERT INTO definition_versions ({StoreRows.VersionColumns})
            SELECT @id, latest_version, @text, @hash, @author, @comment, @state, @now, NULL FROM bumped
            RETURNING {StoreRows.VersionColumns};
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", id);
        PostgresDatabase.Add(command, "now", now);
        PostgresDatabase.Add(command, "text", text);
        PostgresDatabase.Add(command, "hash", hash);
        command.Parameters.AddWithValue("author", NpgsqlTypes.NpgsqlDbType.Text, (object?)author ?? DBNull.Value);
        command.Parameters.AddWithValue("comment", NpgsqlTypes.NpgsqlDbType.Text, (object?)comment ?? DBNull.Value);
        PostgresDatabase.Add(command, "state", StoreText.State(DefinitionState.Draft));
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
        var now = _time.GetUtcNow();
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var existing = await VersionAsync(connection, transaction, id, version, forUpdate: true, cancellationToken).ConfigureAwait(false)
            ?? throw NoVersion(id, version);
        if (existing.State == DefinitionState.Published)
        {
            throw new DefinitionPublishedException(id, version);
        }

        var command = PostgresDatabase.Command(connection, transaction, $"""
            WITH touched AS (UPDATE definitions SET updated_at = @now WHERE id = @id)
            UPDATE definition_versions SET text = @text, content_hash = @hash, author = @author, comment = @comment, created_at = @now
            WHERE definition_id = @id AND version = @version
            RETURNING {StoreRows.VersionColumns};
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", id);
        PostgresDatabase.Add(command, "version", version);
        PostgresDatabase.Add(command, "now", now);
        PostgresDatabase.Add(command, "text", text);
        PostgresDatabase.Add(command, "hash", StoreText.ContentHash(text));
        command.Parameters.AddWithValue("author", NpgsqlTypes.NpgsqlDbType.Text, (object?)author ?? DBNull.Value);
        command.Parameters.AddWithValue("comment", NpgsqlTypes.NpgsqlDbType.Text, (object?)comment ?? DBNull.Value);
        var updated = (await StoreRows.ReadAllAsync(command, ReadVersion, cancellationToken).ConfigureAwait(false)).Single();
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    public async Task<DefinitionVersion> PublishAsync(string id, int version, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, transaction, """
            WITH published AS (
                UPDATE definition_versions SET state = @published, published_at = @now
                WHERE definition_id = @id AND version = @version AND state <> @published RETURNING definition_id)
            UPDATE definitions SET updated_at = @now WHERE id IN (SELECT definition_id FROM published);
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", id);
        PostgresDatabase.Add(command, "version", version);
        PostgresDatabase.Add(command, "now", now);
        PostgresDatabase.Add(command, "published", StoreText.State(DefinitionState.Published));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var published = await VersionAsync(connection, transaction, id, version, forUpdate: false, cancellationToken).ConfigureAwait(false)
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
            return await VersionAsync(connection, null, id, v, forUpdate: false, cancellationToken).ConfigureAwait(false);
        }

        return await LatestAsync(connection, null, id, published: true, cancellationToken).ConfigureAwait(false)
            ?? (fallBackToDraft ? await LatestAsync(connection, null, id, published: false, cancellationToken).ConfigureAwait(false) : null);
    }

    public async Task<IReadOnlyList<DefinitionSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, """
            SELECT d.id, d.latest_version,
                (SELECT MAX(v.version) FROM definition_versions v WHERE v.definition_id = d.id AND v.state = @published),
                d.updated_at
            FROM definitions d WHERE d.latest_version > 0 ORDER BY d.id COLLATE "C";
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "published", StoreText.State(DefinitionState.Published));
        return await StoreRows.ReadAllAsync(
            command,
            r => new DefinitionSummary(r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetInt32(2), PostgresDatabase.Time(r, 3)),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DefinitionVersion>> VersionsAsync(string id, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(
            connection,
            null,
            $"SELECT {StoreRows.VersionColumns} FROM definition_versions WHERE definition_id = @id ORDER BY version;");
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", id);
        return await StoreRows.ReadAllAsync(command, ReadVersion, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, "DELETE FROM definitions WHERE id = @id;");
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static async Task<DefinitionVersion?> LatestAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string id,
        bool published,
        CancellationToken cancellationToken)
    {
        var command = PostgresDatabase.Command(connection, transaction, $"""
            SELECT {StoreRows.VersionColumns} FROM definition_versions
            WHERE definition_id = @id AND (@any OR state = @published) ORDER BY version DESC LIMIT 1;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", id);
        PostgresDatabase.Add(command, "any", !published);
        PostgresDatabase.Add(command, "published", StoreText.State(DefinitionState.Published));
        return (await StoreRows.ReadAllAsync(command, ReadVersion, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    private static async Task<DefinitionVersion?> VersionAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string id,
        int version,
        bool forUpdate,
        CancellationToken cancellationToken)
    {
        var lockClause = forUpdate ? " FOR UPDATE" : "";
        var command = PostgresDatabase.Command(
            connection,
            transaction,
            $"SELECT {StoreRows.VersionColumns} FROM definition_versions WHERE definition_id = @id AND version = @version{lockClause};");
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", id);
        PostgresDatabase.Add(command, "version", version);
        return (await StoreRows.ReadAllAsync(command, ReadVersion, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    private static DefinitionVersion ReadVersion(System.Data.Common.DbDataReader reader) => StoreRows.ReadVersion(reader, PostgresDatabase.Time);

    private static KeyNotFoundException NoVersion(string id, int version) => new($"Definition '{id}' has no version {version}.");
}
