namespace Gantry.Engine.Stores;

/// <summary>Bearer tokens (hashes only) in PostgreSQL (table <c>access_tokens</c>): every server node on the database reads them per request.</summary>
internal sealed class PostgresAccessTokens(PostgresDatabase database) : IAccessTokens
{
    private const string Columns = "name, role, sha256, created_at, expires_at";

    public async Task<bool> AddAsync(StoredToken token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = PostgresDatabase.Command(connection, null, $"INSERT INTO access_tokens ({Columns}) VALUES (@name, @role, @sha256, @created, @expires) ON CONFLICT (name) DO NOTHING;");
        PostgresDatabase.Add(command, "name", token.Name);
        PostgresDatabase.Add(command, "role", token.Role);
        PostgresDatabase.Add(command, "sha256", token.Sha256);
        PostgresDatabase.Add(command, "created", token.CreatedAt);
        command.Parameters.Add(new Npgsql.NpgsqlParameter("expires", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = token.ExpiresAt is { } expires ? expires.ToUniversalTime() : DBNull.Value });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT {Columns} FROM access_tokens ORDER BY name;", null, cancellationToken);

    public async Task<StoredToken?> FindAsync(string sha256, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {Columns} FROM access_tokens WHERE sha256 = @sha256;", sha256, cancellationToken)).SingleOrDefault();

    public async Task<bool> RevokeAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = PostgresDatabase.Command(connection, null, "DELETE FROM access_tokens WHERE name = @name;");
        PostgresDatabase.Add(command, "name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<List<StoredToken>> QueryAsync(string sql, string? sha256, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = PostgresDatabase.Command(connection, null, sql);
        if (sha256 is not null)
        {
            PostgresDatabase.Add(command, "sha256", sha256);
        }

        var tokens = new List<StoredToken>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tokens.Add(new StoredToken(reader.GetString(0), reader.GetString(1), reader.GetString(2), PostgresDatabase.Time(reader, 3), await reader.IsDBNullAsync(4, cancellationToken) ? null : PostgresDatabase.Time(reader, 4)));
        }

        return tokens;
    }
}
