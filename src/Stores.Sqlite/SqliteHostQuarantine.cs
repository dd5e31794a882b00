namespace Gantry.Engine.Stores;

/// <summary>Quarantined hosts in the SQLite file (table <c>quarantined_hosts</c>), shared by the server and every CLI process on the
/// workspace.</summary>
internal sealed class SqliteHostQuarantine(SqliteDatabase database) : IHostQuarantine
{
    public async Task<IReadOnlyList<QuarantinedHost>> ListAsync(string environment, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = "SELECT host, reason, run_id, since FROM quarantined_hosts WHERE environment_id = $environment ORDER BY host;";
        command.Parameters.AddWithValue("$environment", environment);
        var hosts = new List<QuarantinedHost>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hosts.Add(
                new QuarantinedHost(environment, reader.GetString(0), reader.GetString(1), reader.GetString(2), SqliteDatabase.Time(reader, 3)));
        }

        return hosts;
    }

    public async Task AddAsync(QuarantinedHost host, CancellationToken cancellationToken)
    {
        var writer = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var writerScope = writer.ConfigureAwait(false);
        var command = writer.Connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = """
            INSERT INTO quarantined_hosts (environment_id, host, reason, run_id, since) VALUES ($environment, $host, $reason, $run, $since)
            ON CONFLICT (environment_id, host) DO UPDATE SET reason = excluded.reason, run_id = excluded.run_id, since = excluded.since;
            """;
        command.Parameters.AddWithValue("$environment", host.Environment);
        command.Parameters.AddWithValue("$host", host.Host);
        command.Parameters.AddWithValue("$reason", host.Reason);
        command.Parameters.AddWithValue("$run", host.Run);
        command.Parameters.AddWithValue("$since", SqliteDatabase.Ticks(host.Since));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ReleaseAsync(string environment, string host, CancellationToken cancellationToken)
    {
        var writer = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var writerScope = writer.ConfigureAwait(false);
        var command = writer.Connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = "DELETE FROM quarantined_hosts WHERE environment_id = $environment AND host = $host;";
        command.Parameters.AddWithValue("$environment", environment);
        command.Parameters.AddWithValue("$host", host);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
