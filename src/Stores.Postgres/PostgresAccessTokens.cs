namespace Gantry.Engine.Stores;

/// <summary>Bearer tokens (hashes only) in PostgreSQL (table <c>access_tokens</c>): every server node on the database reads them per
/// request.</summary>
internal sealed class PostgresAccessTokens(PostgresDatabase database) : IAccessTokens
{
    private const string Columns = "name, role, sha256, created_at, expires_at";

    public async Task<bool> AddAsync(StoredToken token, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(
            connection,
            null,
            $"INSERT INTO access_tokens ({Columns}) VALUES (@name, @role, @sha256, @created, @expires) ON CONFLICT (name) DO NOTHING;");
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "name", token.Name);
        PostgresDatabase.Add(command, "role", token.Role);
        PostgresDatabase.Add(command, "sha256", token.Sha256);
        PostgresDatabase.Add(command, "created", token.CreatedAt);
        command.Parameters.Add(
            new Npgsql.NpgsqlParameter("expires", NpgsqlTypes.NpgsqlDbType.TimestampTz)
            {
                Value = token.ExpiresAt is { } expires ? expires.ToUniversalTime() : DBNull.Value,
            });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT {Columns} FROM access_tokens ORDER BY name;", null, cancellationToken).ConfigureAwait(false);

    public async Task<StoredToken?> FindAsync(string sha256, CancellationToken cancellationToken) =>
        (
            await QueryAsync($"SELECT {Columns} FROM access_tokens WHERE sha256 = @sha256;", sha256, cancellationToken).ConfigureAwait(false)
        ).SingleOrDefault();

    public async Task<bool> RevokeAsync(string name, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, "DELETE FROM access_tokens WHERE name = @name;");
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<List<StoredToken>> QueryAsync(string sql, string? sha256, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, sql);
        await using var commandScope = command.ConfigureAwait(false);
        if (sha256 is not null)
        {
            PostgresDatabase.Add(command, "sha256", sha256);
        }

        var tokens = new List<StoredToken>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tokens.Add(
                new StoredToken(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    PostgresDatabase.Time(reader, 3),
                    await reader.IsDBNullAsync(4, cancellationToken).ConfigureAwait(false) ? null : PostgresDatabase.Time(reader, 4)));
        }

        return tokens;
    }
}
