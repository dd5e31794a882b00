namespace Gantry.Engine.Stores;

/// <summary>The webhook deliveries seen, in PostgreSQL (table <c>webhook_deliveries</c>): the first node to insert a body's hash wins.</summary>
internal sealed class PostgresWebhookDeliveries(PostgresDatabase database) : IWebhookDeliveries
{
    public async Task<DateTimeOffset?> RecordAsync(string bodyHash, DateTimeOffset now, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var forget = PostgresDatabase.Command(connection, null, "DELETE FROM webhook_deliveries WHERE first_seen < @since;");
        await using (forget.ConfigureAwait(false))
        {
            PostgresDatabase.Add(forget, "since", since);
            await forget.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var insert = PostgresDatabase.Command(
            connection,
            null,
            "INSERT INTO webhook_deliveries (body_sha256, first_seen) VALUES (@hash, @now) ON CONFLICT (body_sha256) DO NOTHING;");
        await using (insert.ConfigureAwait(false))
        {
            PostgresDatabase.Add(insert, "hash", bodyHash);
            PostgresDatabase.Add(insert, "now", now);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return null;
            }
        }

        // Another delivery of the body was first; a new statement sees its committed row.
        var read = PostgresDatabase.Command(connection, null, "SELECT first_seen FROM webhook_deliveries WHERE body_sha256 = @hash;");
        await using var readScope = read.ConfigureAwait(false);
        PostgresDatabase.Add(read, "hash", bodyHash);
        var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? PostgresDatabase.Time(reader, 0) : null;
    }
}
