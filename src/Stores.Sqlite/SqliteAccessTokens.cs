using System.Data.Common;

namespace Gantry.Engine.Stores;

/// <summary>Bearer tokens (hashes only) in the SQLite file (table <c>access_tokens</c>).</summary>
internal sealed class SqliteAccessTokens(SqliteDatabase database) : IAccessTokens
{
    private const string Columns = "name, role, sha256, created_at, expires_at";

    public async Task<bool> AddAsync(StoredToken token, CancellationToken cancellationToken)
    {
        var writer = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var writerScope = writer.ConfigureAwait(false);
        var command = writer.Connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText =
            $"INSERT INTO access_tokens ({Columns}) VALUES ($name, $role, $sha256, $created, $expires) ON CONFLICT (name) DO NOTHING;";
        command.Parameters.AddWithValue("$name", token.Name);
        command.Parameters.AddWithValue("$role", token.Role);
        command.Parameters.AddWithValue("$sha256", token.Sha256);
        command.Parameters.AddWithValue("$created", SqliteDatabase.Ticks(token.CreatedAt));
        command.Parameters.AddWithValue("$expires", token.ExpiresAt is { } expires ? SqliteDatabase.Ticks(expires) : DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT {Columns} FROM access_tokens ORDER BY name;", null, cancellationToken).ConfigureAwait(false);

    public async Task<StoredToken?> FindAsync(string sha256, CancellationToken cancellationToken) =>
        (
            await QueryAsync($"SELECT {Columns} FROM access_tokens WHERE sha256 = $sha256;", sha256, cancellationToken).ConfigureAwait(false)
        ).SingleOrDefault();

    public async Task<bool> RevokeAsync(string name, CancellationToken cancellationToken)
    {
        var writer = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var writerScope = writer.ConfigureAwait(false);
        var command = writer.Connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = "DELETE FROM access_tokens WHERE name = $name;";
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<List<StoredToken>> QueryAsync(string sql, string? sha256, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = sql;
        if (sha256 is not null)
        {
            command.Parameters.AddWithValue("$sha256", sha256);
        }

        var tokens = new List<StoredToken>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tokens.Add(Read(reader));
        }

        return tokens;
    }

    private static StoredToken Read(DbDataReader reader) =>
        new(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            SqliteDatabase.Time(reader, 3),
            reader.IsDBNull(4) ? null : SqliteDatabase.Time(reader, 4));
}
