namespace Gantry.Engine.Stores;

/// <summary>The webhook deliveries seen, in the SQLite file (table <c>webhook_deliveries</c>).</summary>
internal sealed class SqliteWebhookDeliveries(SqliteDatabase database) : IWebhookDeliveries
{
    public async Task<DateTimeOffset?> RecordAsync(string bodyHash, DateTimeOffset now, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = SqliteDatabase.BeginImmediate(connection);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM webhook_deliveries WHERE first_seen < $since;
            INSERT INTO webhook_deliveries (body_sha256, first_seen) VALUES ($hash, $now) ON CONFLICT (body_sha256) DO NOTHING;
            SELECT first_seen, changes() FROM webhook_deliveries WHERE body_sha256 = $hash;
            """;
        command.Parameters.AddWithValue("$since", SqliteDatabase.Ticks(since));
        command.Parameters.AddWithValue("$now", SqliteDatabase.Ticks(now));
        command.Parameters.AddWithValue("$hash", bodyHash);
        DateTimeOffset? first = null;
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.GetInt64(1) == 0)
            {
                first = SqliteDatabase.Time(reader, 0);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return first;
    }
}
