namespace Gantry.Engine.Stores;

/// <summary>The webhook deliveries seen, in PostgreSQL (table <c>webhook_deliveries</c>): the first node to insert a body's hash wins.</summary>
internal sealed class PostgresWebhookDeliveries(PostgresDatabase database) : IWebhookDeliveries
{
    public async Task<DateTimeOffset?> RecordAsync(string bodyHash, DateTimeOffset now, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var forget = PostgresDatabase.Command(connection, null, "DELETE FROM webhook_deliveries WHERE first_seen < @since;"))
        {
            PostgresDatabase.Add(forget, "since", since);
            await forget.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var insert = PostgresDatabase.Command(connection, null, "INSERT INTO webhook_deliveries (body_sha256, first_seen) VALUES (@hash, @now) ON CONFLICT (body_sha256) DO NOTHING;"))
        {
            PostgresDatabase.Add(insert, "hash", bodyHash);
            PostgresDatabase.Add(insert, "now", now);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return null;
            }
        }

        // Another delivery of the body was first; a new statement sees its committed row.
        await using var read = PostgresDatabase.Command(connection, null, "SELECT first_seen FROM webhook_deliveries WHERE body_sha256 = @hash;");
        PostgresDatabase.Add(read, "hash", bodyHash);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? PostgresDatabase.Time(reader, 0) : null;
    }
}
