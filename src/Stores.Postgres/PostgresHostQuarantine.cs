namespace Gantry.Engine.Stores;

/// <summary>Quarantined hosts in PostgreSQL (table <c>quarantined_hosts</c>), shared by every server, worker and CLI on the database.</summary>
internal sealed class PostgresHostQuarantine(PostgresDatabase database) : IHostQuarantine
{
    public async Task<IReadOnlyList<QuarantinedHost>> ListAsync(string environment, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(
            connection,
            null,
            "SELECT host, reason, run_id, since FROM quarantined_hosts WHERE environment_id = @environment ORDER BY host;");
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "environment", environment);
        var hosts = new List<QuarantinedHost>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hosts.Add(
                new QuarantinedHost(environment, reader.GetString(0), reader.GetString(1), reader.GetString(2), PostgresDatabase.Time(reader, 3)));
        }

        return hosts;
    }

    public async Task AddAsync(QuarantinedHost host, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, """
            INSERT INTO quarantined_hosts (environment_id, host, reason, run_id, since) VALUES (@environment, @host, @reason, @run, @since)
            ON CONFLICT (environment_id, host) DO UPDATE SET reason = excluded.reason, run_id = excluded.run_id, since = excluded.since;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "environment", host.Environment);
        PostgresDatabase.Add(command, "host", host.Host);
        PostgresDatabase.Add(command, "reason", host.Reason);
        PostgresDatabase.Add(command, "run", host.Run);
        PostgresDatabase.Add(command, "since", host.Since);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ReleaseAsync(string environment, string host, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(
            connection,
            null,
            "DELETE FROM quarantined_hosts WHERE environment_id = @environment AND host = @host;");
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "environment", environment);
        PostgresDatabase.Add(command, "host", host);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
