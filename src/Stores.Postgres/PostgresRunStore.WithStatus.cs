using Gantry.Engine.Runtime;

namespace Gantry.Engine.Stores;

/// <summary>A run's start or end with its journal event: one statement, so one round trip and one commit.</summary>
public sealed partial class PostgresRunStore
{
    /// <summary>
    /// Appends the events, sets the status and (when asked) gives up the lease in one statement (one round trip, one
    /// commit), fenced like each of them.
    /// </summary>
    public async Task<(IReadOnlyList<JournalEvent> Events, RunRecord Run)> AppendWithStatusAsync(
        string runId,
        IReadOnlyList<JournalEvent> events,
        RunStatus status,
        string? message,
        bool releaseLease,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);

        var now = _time.GetUtcNow();
        var fenced = IsFenced(runId);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        // The journal insert is a data-modifying WITH: it runs whether or not the final SELECT reads it.
        var command = PostgresDatabase.Command(connection, null, $"""
            WITH bump AS (
                UPDATE runs SET last_sequence = last_sequence + @count, status = @status, message = @message, updated_at = @now,
                    finished_at = @finished{(releaseLease ? ", lease_owner = NULL, lease_expires_at = NULL" : "")}
                WHERE id = @run{(fenced ? FenceWhere : "")}
                RETURNING {StoreRows.RunColumns}, last_sequence),
            appended AS (
                INSERT INTO journal (run_id, sequence, type, time, data)
                SELECT @run, bump.last_sequence - @count + e.ordinal, e.type, e.time, e.data
                FROM bump, unnest(@types, @times, @data) WITH ORDINALITY AS e(type, time, data, ordinal))
            SELECT * FROM bump;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "run", runId);
        PostgresDatabase.Add(command, "count", (long)events.Count);
        AddStatus(command, status, message, now);
        AddFence(command, fenced);

        AddEvents(command, events);
        var rows = await StoreRows
            .ReadAllAsync(command, r => (Run: ReadRun(r), Last: r.GetInt64(StoreRows.RunColumnCount)), cancellationToken)
            .ConfigureAwait(false);
        if (rows.Count == 0)
        {
            // Nothing updated: say why (no such run, or another holder's lease).
            await CheckFenceAfterAsync(connection, runId, cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"run {runId} took neither its status nor its {events.Count} event(s), though it exists and its lease is current");
        }

        var first = rows[0].Last - events.Count + 1;
        return (events.Select((e, i) => e with { Sequence = first + i }).ToList(), rows[0].Run);
    }
}
