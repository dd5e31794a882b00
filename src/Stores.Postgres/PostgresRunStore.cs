using Gantry.Engine.Runtime;
using Npgsql;

namespace Gantry.Engine.Stores;

/// <summary>
/// The run store for several server nodes sharing one PostgreSQL database. Appends lock the run
/// row (<c>FOR UPDATE</c>) so sequences stay gap-free across processes; claims use
/// <c>FOR UPDATE SKIP LOCKED</c> so two nodes never claim the same run. Lease times come from
/// the injected clock, so nodes' clocks should be kept in sync. Run <see cref="PostgresMigrator"/>
/// before first use. A fenced view (<see cref="Fenced"/>) locks the run row and checks the holder's
/// lease inside the write transaction of each append, status update and key release.
/// </summary>
public sealed partial class PostgresRunStore : IRunStore, IRunLeaseStore, IRunRetention, IAsyncDisposable
{
    private readonly PostgresDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly TimeProvider _time;
    private readonly RunLease? _fence;

    /// <summary>A store on a shared data source (not disposed by this store).</summary>
    public PostgresRunStore(PostgresDatabase database, TimeProvider? time = null)
    {
        _database = database;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A store with its own data source for <paramref name="connectionString"/>, disposed with the store.</summary>
    public PostgresRunStore(string connectionString, TimeProvider? time = null)
        : this(new PostgresDatabase(connectionString), time)
    {
        _ownsDatabase = true;
    }

    private PostgresRunStore(PostgresDatabase database, TimeProvider time, RunLease fence)
        : this(database, time)
    {
        _fence = fence;
    }

    public PostgresDatabase Database => _database;

    public IRunStore Fenced(RunLease lease) => new PostgresRunStore(_database, _time, lease);

    public async Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken) =>
        await CreateRunAsync(run, [], cancellationToken).ConfigureAwait(false);

    /// <summary>Creates the run and appends its first events in one statement (one round trip, one commit).</summary>
    public Task<IReadOnlyList<JournalEvent>> CreateRunAsync(
        RunRecord run,
        IReadOnlyList<JournalEvent> firstEvents,
        CancellationToken cancellationToken) =>
        InsertAsync(run, firstEvents, lease: null, leaseExpires: null, cancellationToken);

    /// <summary>Creates the run, appends its first events and takes its lease (generation 1) in one statement.</summary>
    public async Task<(IReadOnlyList<JournalEvent> Events, RunLease Lease)> CreateClaimedRunAsync(
        RunRecord run,
        IReadOnlyList<JournalEvent> firstEvents,
        string nodeId,
        TimeSpan lease,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);

        // The run's first claim: the generation a claim of a new run gives it.
        var claimed = new RunLease(run.Id, nodeId, 1);
        var events = await InsertAsync(run, firstEvents, claimed, _time.GetUtcNow() + lease, cancellationToken).ConfigureAwait(false);
        return (events, claimed);
    }

    private async Task<IReadOnlyList<JournalEvent>> InsertAsync(
        RunRecord run,
        IReadOnlyList<JournalEvent> firstEvents,
        RunLease? lease,
        DateTimeOffset? leaseExpires,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(firstEvents);

        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var insertRun = """
            INSERT INTO runs (id, workflow_id, workflow_version, definitions, environment_id, environment_text, environment_path,
                inputs, status, concurrency_key, trigger_source, started_by, created_at, updated_at, message, finished_at, last_sequence,
                lease_owner, lease_expires_at, lease_generation)
            VALUES (@id, @workflow, @version, @definitions, @environment, @environmentText, @environmentPath,
                @inputs, @status, @key, @trigger, @startedBy, @created, @updated, @message, @finished, @count,
                @owner, @expires, @generation)
            ON CONFLICT (id) DO NOTHING
            """;
        var command = PostgresDatabase.Command(connection, null, firstEvents.Count == 0 ? insertRun + ";" : $"""
            WITH created AS ({insertRun} RETURNING id)
            INSERT INTO journal (run_id, sequence, type, time, data)
            SELECT created.id, e.ordinal, e.type, e.time, e.data
            FROM created, unnest(@types, @times, @data) WITH ORDINALITY AS e(type, time, data, ordinal);
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "count", (long)firstEvents.Count);
        AddEvents(command, firstEvents);
        PostgresDatabase.Add(command, "id", run.Id);
        PostgresDatabase.Add(command, "workflow", run.WorkflowId);
        command.Parameters.Add(new NpgsqlParameter<int?>("version", NpgsqlTypes.NpgsqlDbType.Integer) { TypedValue = run.WorkflowVersion });
        PostgresDatabase.AddJson(command, "definitions", StoreJson.SerializeDefinitions(run.Definitions));
        PostgresDatabase.Add(command, "environment", run.EnvironmentId);
        PostgresDatabase.Add(command, "environmentText", run.EnvironmentText);
        PostgresDatabase.Add(command, "environmentPath", run.EnvironmentPath);
        PostgresDatabase.AddJson(command, "inputs", StoreJson.SerializeInputs(run.Inputs));
        PostgresDatabase.Add(command, "status", StoreText.Status(run.Status));
        PostgresDatabase.Add(command, "key", run.ConcurrencyKey);
        PostgresDatabase.Add(command, "trigger", run.Trigger);
        PostgresDatabase.Add(command, "startedBy", run.StartedBy);
        PostgresDatabase.Add(command, "created", run.CreatedAt);
        PostgresDatabase.Add(command, "updated", run.UpdatedAt);
        PostgresDatabase.Add(command, "message", run.Message);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("finished", NpgsqlTypes.NpgsqlDbType.TimestampTz)
        {
            TypedValue = run.IsFinished ? run.UpdatedAt.ToUniversalTime() : null,
        });
        PostgresDatabase.Add(command, "owner", lease?.NodeId);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("expires", NpgsqlTypes.NpgsqlDbType.TimestampTz)
        {
            TypedValue = leaseExpires?.ToUniversalTime(),
        });
        PostgresDatabase.Add(command, "generation", lease?.Generation ?? 0L);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new RunAlreadyExistsException(run.Id);
        }

        return firstEvents.Select((e, i) => e with { Sequence = i + 1 }).ToList();
    }

    // The events as three arrays a statement unnests (WITH ORDINALITY numbers them from 1).
    private static void AddEvents(NpgsqlCommand command, IReadOnlyList<JournalEvent> events)
    {
        command.Parameters.Add(
            new NpgsqlParameter<string[]>("types", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text)
            {
                TypedValue = events.Select(e => e.Type).ToArray(),
            });
        command.Parameters.Add(
            new NpgsqlParameter<DateTimeOffset[]>("times", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz)
            {
                TypedValue = events.Select(e => e.Time.ToUniversalTime()).ToArray(),
            });
        command.Parameters.Add(
            new NpgsqlParameter<string[]>("data", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Json)
            {
                TypedValue = events.Select(StoreJson.SerializeEvent).ToArray(),
            });
    }

    public async Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, $"SELECT {StoreRows.RunColumns} FROM runs WHERE id = @id;");
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", runId);
        return (await StoreRows.ReadAllAsync(command, ReadRun, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);

        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, "");
        await using var commandScope = command.ConfigureAwait(false);
        var where = new List<string>();
        AddFilter(command, where, "workflow_id", "workflow", query.WorkflowId);
        AddFilter(command, where, "environment_id", "environment", query.EnvironmentId);
        if (query.Trigger is not null)
        {
            // "push" matches the trigger push and its detailed forms such as push:develop (like http:path).
            where.Add("(trigger_source = @trigger OR left(trigger_source, length(@trigger) + 1) = @trigger || ':')");
            PostgresDatabase.Add(command, "trigger", query.Trigger);
        }
        AddFilter(command, where, "concurrency_key", "key", query.ConcurrencyKey);
        if (query.Statuses is not null)
        {
            where.Add("status = ANY(@statuses)");
            PostgresDatabase.Add(command, "statuses", query.Statuses.Select(StoreText.Status).ToArray());
        }

        if (query.WaitedForSignal is not null)
        {
            where.Add(
                "EXISTS (SELECT 1 FROM journal j WHERE j.run_id = runs.id AND j.type = 'step.waiting' AND j.data -> 'wait' ->> 'signal' = @signal)");
            PostgresDatabase.Add(command, "signal", query.WaitedForSignal);
        }

        if (query.WaitedOnTimer)
        {
            where.Add(
                "EXISTS (SELECT 1 FROM journal j WHERE j.run_id = runs.id AND j.type = 'step.waiting' AND j.data -> 'wait' ->> 'resume_at' IS NOT "
                + "NULL)");
        }

        var filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        command.CommandText =
            $"""SELECT {StoreRows.RunColumns} FROM runs {filter} ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT @limit OFFSET @offset;""";
        PostgresDatabase.Add(command, "limit", Math.Max(0, query.Limit));
        PostgresDatabase.Add(command, "offset", Math.Max(0, query.Offset));
        return await StoreRows.ReadAllAsync(command, ReadRun, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RunRecord> UpdateStatusAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) =>
        await UpdateAsync(runId, status, message, onlyPending: false, cancellationToken).ConfigureAwait(false) ?? throw NoRun(runId);

    public Task<RunRecord?> UpdatePendingAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) =>
        UpdateAsync(runId, status, message, onlyPending: true, cancellationToken);

    private async Task<RunRecord?> UpdateAsync(string runId, RunStatus status, string? message, bool onlyPending, CancellationToken cancellationToken)
    {
        // One statement, so one round trip and one commit: fenced, the lease is part of the condition (the
        // row lock the update takes makes the check and the write one step, as in AppendAsync).
        var now = _time.GetUtcNow();
        var fenced = IsFenced(runId);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var pending = onlyPending ? " AND status = @pending" : "";
        var lease = fenced ? FenceWhere : "";
        var command = PostgresDatabase.Command(connection, null, $"""
            UPDATE runs SET status = @status, message = @message, updated_at = @now, finished_at = @finished
            WHERE id = @id{pending}{lease} RETURNING {StoreRows.RunColumns};
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", runId);
        PostgresDatabase.Add(command, "pending", StoreText.Status(RunStatus.Pending));
        AddStatus(command, status, message, now);
        AddFence(command, fenced);

        var updated = (await StoreRows.ReadAllAsync(command, ReadRun, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
        if (updated is null && fenced)
        {
            // Nothing updated: a lost lease or a missing run throws here; otherwise the run was not pending.
            await CheckFenceAfterAsync(connection, runId, cancellationToken).ConfigureAwait(false);
        }

        return updated;
    }

    public async Task<IReadOnlyList<JournalEvent>> AppendAsync(string runId, IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);

        if (events.Count == 0)
        {
            var empty = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var emptyScope = empty.ConfigureAwait(false);
            var check = await empty.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var checkScope = check.ConfigureAwait(false);
            await CheckFenceAsync(empty, check, runId, cancellationToken).ConfigureAwait(false);
            return [];
        }

        // One statement, so one round trip and one commit: bump the run's last sequence (which locks its
        // row, so sequences stay gap-free across processes; fenced, only while this holder's lease is
        // current) and insert the events numbered after the sequence it had.
        var fenced = IsFenced(runId);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, $"""
            WITH bump AS (
                UPDATE runs SET last_sequence = last_sequence + @count
                WHERE id = @run{(fenced ? FenceWhere : "")}
                RETURNING last_sequence)
            INSERT INTO journal (run_id, sequence, type, time, data)
            SELECT @run, bump.last_sequence - @count + e.ordinal, e.type, e.time, e.data
            FROM bump, unnest(@types, @times, @data) WITH ORDINALITY AS e(type, time, data, ordinal)
            RETURNING sequence;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "run", runId);
        PostgresDatabase.Add(command, "count", (long)events.Count);
        AddFence(command, fenced);

        AddEvents(command, events);
        var sequences = await StoreRows.ReadAllAsync(command, r => r.GetInt64(0), cancellationToken).ConfigureAwait(false);
        if (sequences.Count == 0)
        {
            // Nothing bumped: say why (no such run, or another holder's lease).
            await CheckFenceAfterAsync(connection, runId, cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"the journal of run {runId} did not take {events.Count} event(s), though the run exists and its lease is current");
        }

        var first = sequences.Min();
        return events.Select((e, i) => e with { Sequence = first + i }).ToList();
    }

    public async Task<IReadOnlyList<JournalEvent>> ReadJournalAsync(string runId, long afterSequence, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        // One statement tells "no run" (no row) from "no events yet" (one row without an event).
        var command = PostgresDatabase.Command(connection, null, """
            SELECT j.sequence, j.data::text FROM runs r LEFT JOIN journal j ON j.run_id = r.id AND j.sequence > @after
            WHERE r.id = @id ORDER BY j.sequence;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", runId);
        PostgresDatabase.Add(command, "after", afterSequence);
        var rows = await StoreRows
            .ReadAllAsync(command, r => r.IsDBNull(0) ? null : StoreJson.DeserializeEvent(r.GetString(1), r.GetInt64(0)), cancellationToken)
            .ConfigureAwait(false);
        return rows.Count == 0 ? throw NoRun(runId) : rows.OfType<JournalEvent>().ToList();
    }

    public async Task<string?> TryAcquireKeyAsync(string key, string runId, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        if (!IsFenced(runId))
        {
            return await TryAcquireKeyAsync(connection, null, key, runId, cancellationToken).ConfigureAwait(false);
        }

        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        await CheckFenceAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
        var result = await TryAcquireKeyAsync(connection, transaction, key, runId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task<string?> TryAcquireKeyAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string key, string runId, CancellationToken cancellationToken)
    {
        // A holder that finished without releasing (its process died between its status write and the
        // release) holds nothing: its row goes, so the key is not stuck for ever.
        var stale = PostgresDatabase.Command(
            connection,
            transaction,
            "DELETE FROM concurrency_keys WHERE name = @key AND run_id IN (SELECT id FROM runs WHERE status = ANY(@finished));");
        await using (stale.ConfigureAwait(false))
        {
            PostgresDatabase.Add(stale, "key", key);
            PostgresDatabase.Add(stale, "finished", StoreText.FinishedStatuses);
            await stale.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var insert = PostgresDatabase.Command(
            connection,
            transaction,
            "INSERT INTO concurrency_keys (name, run_id, acquired_at) VALUES (@key, @run, @now) ON CONFLICT (name) DO NOTHING;");
        await using var insertScope = insert.ConfigureAwait(false);
        PostgresDatabase.Add(insert, "key", key);
        PostgresDatabase.Add(insert, "run", runId);
        PostgresDatabase.Add(insert, "now", _time.GetUtcNow());
        var holder = PostgresDatabase.Command(connection, transaction, "SELECT run_id FROM concurrency_keys WHERE name = @key;");
        await using var holderScope = holder.ConfigureAwait(false);
        PostgresDatabase.Add(holder, "key", key);
        string? result = null;
        while (true)
        {
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                break;
            }

            // The key was held when we tried; if its holder released it since, try again.
            if (await holder.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string held)
            {
                result = held == runId ? null : held;
                break;
            }
        }

        return result;
    }

    public async Task ReleaseKeyAsync(string key, string runId, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        if (IsFenced(runId))
        {
            await CheckFenceAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
        }

        var command = PostgresDatabase.Command(connection, transaction, "DELETE FROM concurrency_keys WHERE name = @key AND run_id = @run;");
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "key", key);
        PostgresDatabase.Add(command, "run", runId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string nodeId, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, $"""
            UPDATE runs SET lease_owner = @node, lease_expires_at = @expires, lease_generation = lease_generation + 1
            WHERE id IN (
                SELECT id FROM runs
                WHERE (lease_owner IS NULL OR lease_expires_at <= @now)
                    AND (status = ANY(@claimable) OR (status = @waiting AND {StoreText.WokenSinceLastPass}))
                ORDER BY created_at, id
                LIMIT @max
                FOR UPDATE SKIP LOCKED)
            RETURNING {StoreRows.RunColumns}, lease_generation;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "node", nodeId);
        PostgresDatabase.Add(command, "expires", now + lease);
        PostgresDatabase.Add(command, "now", now);
        PostgresDatabase.Add(command, "claimable", StoreText.ClaimableStatuses);
        PostgresDatabase.Add(command, "waiting", StoreText.Status(RunStatus.Waiting));
        PostgresDatabase.Add(command, "max", Math.Max(0, max));
        var claimed = await StoreRows
            .ReadAllAsync(command, r => StoreRows.ReadClaim(r, PostgresDatabase.Time, nodeId), cancellationToken)
            .ConfigureAwait(false);
        return claimed.OrderBy(c => c.Run.CreatedAt).ThenBy(c => c.Run.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<RunLease?> TryClaimRunAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, """
            UPDATE runs SET lease_owner = @node, lease_expires_at = @expires, lease_generation = lease_generation + 1
            WHERE id = @id AND (lease_owner IS NULL OR lease_owner = @node OR lease_expires_at <= @now)
            RETURNING lease_generation;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", runId);
        PostgresDatabase.Add(command, "node", nodeId);
        PostgresDatabase.Add(command, "expires", now + lease);
        PostgresDatabase.Add(command, "now", now);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long generation
            ? new RunLease(runId, nodeId, generation)
            : null;
    }

    public async Task<bool> RenewLeaseAsync(RunLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);

        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(
            connection,
            null,
            "UPDATE runs SET lease_expires_at = @expires WHERE id = @id AND lease_owner = @node AND lease_generation = @generation;");
        await using var commandScope = command.ConfigureAwait(false);
        AddLease(command, lease);
        PostgresDatabase.Add(command, "expires", _time.GetUtcNow() + duration);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);

        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(
            connection,
            null,
            "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = @id AND lease_owner = @node AND lease_generation = @generation;");
        await using var commandScope = command.ConfigureAwait(false);
        AddLease(command, lease);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PruneAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = PostgresDatabase.Command(connection, null, """
            WITH pruned AS (DELETE FROM runs WHERE finished_at < @cutoff RETURNING id),
                 keys AS (DELETE FROM concurrency_keys WHERE run_id IN (SELECT id FROM pruned))
            SELECT COUNT(*) FROM pruned;
            """);
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "cutoff", finishedBefore);
        return Convert.ToInt32(
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false),
            System.Globalization.CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => _ownsDatabase ? _database.DisposeAsync() : ValueTask.CompletedTask;

    private static RunRecord ReadRun(System.Data.Common.DbDataReader reader) => StoreRows.ReadRun(reader, PostgresDatabase.Time);

    private static void AddLease(NpgsqlCommand command, RunLease lease)
    {
        PostgresDatabase.Add(command, "id", lease.RunId);
        PostgresDatabase.Add(command, "node", lease.NodeId);
        PostgresDatabase.Add(command, "generation", lease.Generation);
    }

    // The parameters of a status change: status, message, now, and finished (set when the status ends the run).
    private static void AddStatus(NpgsqlCommand command, RunStatus status, string? message, DateTimeOffset now)
    {
        PostgresDatabase.Add(command, "status", StoreText.Status(status));
        PostgresDatabase.Add(command, "message", message);
        PostgresDatabase.Add(command, "now", now);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("finished", NpgsqlTypes.NpgsqlDbType.TimestampTz)
        {
            TypedValue = StoreText.IsFinished(status) ? now.ToUniversalTime() : null,
        });
    }

    // A fenced statement's condition: the run's holder and generation are the fence's (parameters: AddFence).
    private const string FenceWhere = " AND lease_owner = @owner AND lease_generation = @generation";

    /// <summary>
    /// After a fenced write changed nothing: throws when the lease was lost or the run is gone, which the write's
    /// condition could not tell apart.
    /// </summary>
    private async Task CheckFenceAfterAsync(NpgsqlConnection connection, string runId, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        await CheckFenceAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
    }

    // The fence's holder and generation, which a fenced statement's WHERE (FenceWhere) compares with the run's.
    private void AddFence(NpgsqlCommand command, bool fenced)
    {
        if (fenced)
        {
            PostgresDatabase.Add(command, "owner", _fence!.NodeId);
            PostgresDatabase.Add(command, "generation", _fence.Generation);
        }
    }

    private bool IsFenced(string runId) => _fence is { } fence && string.Equals(fence.RunId, runId, StringComparison.Ordinal);

    /// <summary>
    /// Locks the run row for the rest of the transaction and returns its last sequence; in a fenced
    /// view, throws unless the fence's lease is still the run's current one.
    /// </summary>
    private async Task<long> CheckFenceAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string runId,
        CancellationToken cancellationToken)
    {
        var command = PostgresDatabase.Command(
            connection,
            transaction,
            "SELECT last_sequence, lease_owner, lease_generation FROM runs WHERE id = @id FOR UPDATE;");
        await using var commandScope = command.ConfigureAwait(false);
        PostgresDatabase.Add(command, "id", runId);
        var rows = await StoreRows
            .ReadAllAsync(
                command,
                r => (Last: r.GetInt64(0), Owner: r.IsDBNull(1) ? null : r.GetString(1), Generation: r.GetInt64(2)),
                cancellationToken)
            .ConfigureAwait(false);
        if (rows.Count == 0)
        {
            throw NoRun(runId);
        }

        var row = rows[0];
        if (IsFenced(runId) && (row.Owner != _fence!.NodeId || row.Generation != _fence.Generation))
        {
            throw new LeaseLostException(_fence, row.Owner, row.Generation);
        }

        return row.Last;
    }

    private static void AddFilter(NpgsqlCommand command, List<string> where, string column, string parameter, string? value)
    {
        if (value is not null)
        {
            where.Add($"{column} = @{parameter}");
            PostgresDatabase.Add(command, parameter, value);
        }
    }

    private static KeyNotFoundException NoRun(string runId) => new($"no run with id '{runId}'");
}
