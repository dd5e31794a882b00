using Gantry.Engine.Runtime;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Stores;

/// <summary>
/// The default run store: one SQLite file in WAL mode, shared safely by several processes on one
/// machine. Every write is committed before the method returns, in a transaction that took the write
/// lock first (BEGIN IMMEDIATE) so sequences are gap-free per run; concurrent writes of this process
/// share one transaction and one commit (<see cref="SqliteCommitQueue"/>), each in its own savepoint. Run
/// <see cref="SqliteMigrator"/> before first use. A fenced view (<see cref="Fenced"/>) checks the
/// holder's lease inside the write transaction of each append, status update and key release.
/// </summary>
public sealed class SqliteRunStore(SqliteDatabase database, TimeProvider? time = null) : IRunStore, IRunLeaseStore, IRunRetention
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly RunLease? _fence;

    /// <summary>A store on the file at <paramref name="path"/>.</summary>
    public SqliteRunStore(string path, TimeProvider? time = null)
        : this(new SqliteDatabase(path), time)
    {
    }

    private SqliteRunStore(SqliteDatabase database, TimeProvider? time, RunLease fence)
        : this(database, time)
    {
        _fence = fence;
    }

    public SqliteDatabase Database => database;

    public IRunStore Fenced(RunLease lease) => new SqliteRunStore(database, _time, lease);

    public Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken) =>
        database.WriteInBatchAsync((transaction, token) => InsertRunAsync(transaction, run, token), cancellationToken);

    /// <summary>Creates the run and appends its first events in one transaction (one commit).</summary>
    public Task<IReadOnlyList<JournalEvent>> CreateRunAsync(
        RunRecord run,
        IReadOnlyList<JournalEvent> firstEvents,
        CancellationToken cancellationToken
    ) =>
        database.WriteInBatchAsync<IReadOnlyList<JournalEvent>>(
            async (transaction, token) =>
            {
                await InsertRunAsync(transaction, run, token).ConfigureAwait(false);
                return firstEvents.Count == 0 ? [] : await AppendInAsync(transaction, run.Id, firstEvents, token).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>Creates the run, appends its first events and takes its lease in one transaction (one commit).</summary>
    public Task<(IReadOnlyList<JournalEvent> Events, RunLease Lease)> CreateClaimedRunAsync(
        RunRecord run,
        IReadOnlyList<JournalEvent> firstEvents,
        string nodeId,
        TimeSpan lease,
        CancellationToken cancellationToken
    ) =>
        database.WriteInBatchAsync<(IReadOnlyList<JournalEvent>, RunLease)>(
            async (transaction, token) =>
            {
                await InsertRunAsync(transaction, run, token).ConfigureAwait(false);
                IReadOnlyList<JournalEvent> events =
                    firstEvents.Count == 0 ? [] : await AppendInAsync(transaction, run.Id, firstEvents, token).ConfigureAwait(false);
                var claimed = await TryClaimRunInAsync(transaction, run.Id, nodeId, lease, token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"run {run.Id} could not be leased in the transaction that created it");
                return (events, claimed);
            },
            cancellationToken);

    private static async Task<bool> InsertRunAsync(SqliteTransaction transaction, RunRecord run, CancellationToken cancellationToken)
    {
        var command = SqliteDatabase.Command(transaction);
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = """
            INSERT INTO runs (id, workflow_id, workflow_version, definitions, environment_id, environment_text, environment_path,
                inputs, status, concurrency_key, trigger_source, started_by, created_at, updated_at, message, finished_at)
            VALUES ($id, $workflow, $version, $definitions, $environment, $environmentText, $environmentPath,
                $inputs, $status, $key, $trigger, $startedBy, $created, $updated, $message, $finished)
            ON CONFLICT (id) DO NOTHING;
            """;
        command.Parameters.AddWithValue("$id", run.Id);
        command.Parameters.AddWithValue("$workflow", run.WorkflowId);
        command.Parameters.AddWithValue("$version", (object?)run.WorkflowVersion ?? DBNull.Value);
        command.Parameters.AddWithValue("$definitions", StoreJson.SerializeDefinitions(run.Definitions));
        command.Parameters.AddWithValue("$environment", (object?)run.EnvironmentId ?? DBNull.Value);
        command.Parameters.AddWithValue("$environmentText", (object?)run.EnvironmentText ?? DBNull.Value);
        command.Parameters.AddWithValue("$environmentPath", (object?)run.EnvironmentPath ?? DBNull.Value);
        command.Parameters.AddWithValue("$inputs", StoreJson.SerializeInputs(run.Inputs));
        command.Parameters.AddWithValue("$status", StoreText.Status(run.Status));
        command.Parameters.AddWithValue("$key", (object?)run.ConcurrencyKey ?? DBNull.Value);
        command.Parameters.AddWithValue("$trigger", run.Trigger);
        command.Parameters.AddWithValue("$startedBy", (object?)run.StartedBy ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", SqliteDatabase.Ticks(run.CreatedAt));
        command.Parameters.AddWithValue("$updated", SqliteDatabase.Ticks(run.UpdatedAt));
        command.Parameters.AddWithValue("$message", (object?)run.Message ?? DBNull.Value);
        command.Parameters.AddWithValue("$finished", run.IsFinished ? SqliteDatabase.Ticks(run.UpdatedAt) : DBNull.Value);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new RunAlreadyExistsException(run.Id);
        }

        return true;
    }

    public async Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = $"SELECT {StoreRows.RunColumns} FROM runs WHERE id = $id;";
        command.Parameters.AddWithValue("$id", runId);
        var runs = await StoreRows.ReadAllAsync(command, ReadRun, cancellationToken).ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);

        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        var where = new List<string>();
        AddFilter(command, where, "workflow_id", "$workflow", query.WorkflowId);
        AddFilter(command, where, "environment_id", "$environment", query.EnvironmentId);
        if (query.Trigger is not null)
        {
            // "push" matches the trigger push and its detailed forms such as push:develop (like http:path).
            where.Add("(trigger_source = $trigger OR substr(trigger_source, 1, length($trigger) + 1) = $trigger || ':')");
            command.Parameters.AddWithValue("$trigger", query.Trigger);
        }
        AddFilter(command, where, "concurrency_key", "$key", query.ConcurrencyKey);
        if (query.Statuses is not null)
        {
            var names = query.Statuses.Select((s, i) => (Name: $"$status{i}", Value: StoreText.Status(s))).ToList();
            names.ForEach(n => command.Parameters.AddWithValue(n.Name, n.Value));
            where.Add(names.Count == 0 ? "0 = 1" : $"status IN ({string.Join(", ", names.Select(n => n.Name))})");
        }

        if (query.WaitedForSignal is not null)
        {
            where.Add(
                "EXISTS (SELECT 1 FROM journal j WHERE j.run_id = runs.id AND j.type = 'step.waiting' AND json_extract(j.data, '$.wait.signal') = "
                + "$signal)");
            command.Parameters.AddWithValue("$signal", query.WaitedForSignal);
        }

        if (query.WaitedOnTimer)
        {
            where.Add(
                "EXISTS (SELECT 1 FROM journal j WHERE j.run_id = runs.id AND j.type = 'step.waiting' AND json_extract(j.data, '$.wait.resume_at') "
                + "IS NOT NULL)");
        }

        var filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        command.CommandText = $"SELECT {StoreRows.RunColumns} FROM runs {filter} ORDER BY created_at DESC, id DESC LIMIT $limit OFFSET $offset;";
        command.Parameters.AddWithValue("$limit", Math.Max(0, query.Limit));
        command.Parameters.AddWithValue("$offset", Math.Max(0, query.Offset));
        return await StoreRows.ReadAllAsync(command, ReadRun, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RunRecord> UpdateStatusAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) =>
        await UpdateAsync(runId, status, message, onlyPending: false, cancellationToken).ConfigureAwait(false) ?? throw NoRun(runId);

    public Task<RunRecord?> UpdatePendingAsync(string runId, RunStatus status, string? message, CancellationToken cancellationToken) =>
        UpdateAsync(runId, status, message, onlyPending: true, cancellationToken);

    private Task<RunRecord?> UpdateAsync(string runId, RunStatus status, string? message, bool onlyPending, CancellationToken cancellationToken) =>
        database.WriteInBatchAsync((transaction, token) => UpdateInAsync(transaction, runId, status, message, onlyPending, token), cancellationToken);

    private async Task<RunRecord?> UpdateInAsync(
        SqliteTransaction transaction,
        string runId,
        RunStatus status,
        string? message,
        bool onlyPending,
        CancellationToken cancellationToken)
    {
        // Fenced, the lease is part of the condition; only when nothing was updated does a look say why.
        var now = SqliteDatabase.Ticks(_time.GetUtcNow());
        var command = SqliteDatabase.Command(transaction);
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = $"""
            UPDATE runs SET status = $status, message = $message, updated_at = $now, finished_at = $finished
            WHERE id = $id{(onlyPending ? " AND status = $pending" : "")}{FenceCondition(command, runId)} RETURNING {StoreRows.RunColumns};
            """;
        command.Parameters.AddWithValue("$id", runId);
        command.Parameters.AddWithValue("$pending", StoreText.Status(RunStatus.Pending));
        command.Parameters.AddWithValue("$status", StoreText.Status(status));
        command.Parameters.AddWithValue("$message", (object?)message ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$finished", StoreText.IsFinished(status) ? now : DBNull.Value);
        var runs = await StoreRows.ReadAllAsync(command, ReadRun, cancellationToken).ConfigureAwait(false);
        if (runs.Count == 0)
        {
            await CheckFenceAsync(transaction, runId, cancellationToken).ConfigureAwait(false); // a lost lease throws
        }

        return runs.Count == 1 ? runs[0] : null;
    }

    public Task<IReadOnlyList<JournalEvent>> AppendAsync(string runId, IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken) =>
        database.WriteInBatchAsync((transaction, token) => AppendInAsync(transaction, runId, events, token), cancellationToken);

    /// <summary>Appends the events, sets the status and (when asked) gives up the lease in one transaction (one commit).</summary>
    public Task<(IReadOnlyList<JournalEvent> Events, RunRecord Run)> AppendWithStatusAsync(
        string runId,
        IReadOnlyList<JournalEvent> events,
        RunStatus status,
        string? message,
        bool releaseLease,
        CancellationToken cancellationToken
    ) =>
        database.WriteInBatchAsync<(IReadOnlyList<JournalEvent>, RunRecord)>(
            async (transaction, token) =>
            {
                var written = await AppendInAsync(transaction, runId, events, token).ConfigureAwait(false);
                var run = await UpdateInAsync(transaction, runId, status, message, onlyPending: false, token).ConfigureAwait(false)
                    ?? throw NoRun(runId);
                if (!releaseLease)
                {
                    return (written, run);
                }

                var release = SqliteDatabase.Command(transaction);
                await using var releaseScope = release.ConfigureAwait(false);
                release.CommandText = "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $id;";
                release.Parameters.AddWithValue("$id", runId);
                await release.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                return (written, run with { LeaseOwner = null, LeaseExpiresAt = null });
            },
            cancellationToken);

    private async Task<IReadOnlyList<JournalEvent>> AppendInAsync(
        SqliteTransaction transaction,
        string runId,
        IReadOnlyList<JournalEvent> events,
        CancellationToken cancellationToken)
    {
        // Fenced, the lease is part of the condition; only when nothing was bumped does a look say why.
        var bump = SqliteDatabase.Command(transaction);
        await using var bumpScope = bump.ConfigureAwait(false);
        bump.CommandText =
            $"UPDATE runs SET last_sequence = last_sequence + $count WHERE id = $id{FenceCondition(bump, runId)} RETURNING last_sequence;";
        bump.Parameters.AddWithValue("$id", runId);
        bump.Parameters.AddWithValue("$count", events.Count);
        if (await bump.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not { } last)
        {
            await CheckFenceAsync(transaction, runId, cancellationToken).ConfigureAwait(false); // a lost lease throws
            throw NoRun(runId);
        }

        var first = (long)last - events.Count + 1;

        var appended = events.Select((e, i) => e with { Sequence = first + i }).ToList();
        var insert = SqliteDatabase.Command(transaction);
        await using var insertScope = insert.ConfigureAwait(false);
        insert.CommandText = "INSERT INTO journal (run_id, sequence, type, time, data) VALUES ($run, $sequence, $type, $time, $data);";
        var run = insert.Parameters.AddWithValue("$run", runId);
        var sequence = insert.Parameters.Add("$sequence", SqliteType.Integer);
        var type = insert.Parameters.Add("$type", SqliteType.Text);
        var at = insert.Parameters.Add("$time", SqliteType.Integer);
        var data = insert.Parameters.Add("$data", SqliteType.Text);
        foreach (var e in appended)
        {
            sequence.Value = e.Sequence;
            type.Value = e.Type;
            at.Value = SqliteDatabase.Ticks(e.Time);
            data.Value = StoreJson.SerializeEvent(e);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return appended;
    }

    public async Task<IReadOnlyList<JournalEvent>> ReadJournalAsync(string runId, long afterSequence, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = "SELECT sequence, data FROM journal WHERE run_id = $id AND sequence > $after ORDER BY sequence;";
        command.Parameters.AddWithValue("$id", runId);
        command.Parameters.AddWithValue("$after", afterSequence);
        var events = await StoreRows
            .ReadAllAsync(command, r => StoreJson.DeserializeEvent(r.GetString(1), r.GetInt64(0)), cancellationToken)
            .ConfigureAwait(false);
        if (events.Count == 0)
        {
            command.CommandText = "SELECT COUNT(*) FROM runs WHERE id = $id;";
            if ((long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
            {
                throw NoRun(runId);
            }
        }

        return events;
    }

    private static readonly string FinishedList = string.Join(", ", StoreText.FinishedStatuses.Select(s => $"'{s}'"));

    public Task<string?> TryAcquireKeyAsync(string key, string runId, CancellationToken cancellationToken) =>
        database.WriteInBatchAsync((transaction, token) => TryAcquireKeyInAsync(transaction, key, runId, token), cancellationToken);

    private async Task<string?> TryAcquireKeyInAsync(SqliteTransaction transaction, string key, string runId, CancellationToken cancellationToken)
    {
        await CheckFenceAsync(transaction, runId, cancellationToken).ConfigureAwait(false);
        var command = SqliteDatabase.Command(transaction);
        await using var commandScope = command.ConfigureAwait(false);
        // A holder that finished without releasing (its process died between its status write and the
        // release) holds nothing: its row goes, so the key is not stuck for ever.
        command.CommandText = $"""
            DELETE FROM concurrency_keys WHERE name = $key AND run_id IN (SELECT id FROM runs WHERE status IN ({FinishedList}));
            INSERT INTO concurrency_keys (name, run_id, acquired_at) VALUES ($key, $run, $now) ON CONFLICT (name) DO NOTHING;
            SELECT run_id FROM concurrency_keys WHERE name = $key;
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$run", runId);
        command.Parameters.AddWithValue("$now", SqliteDatabase.Ticks(_time.GetUtcNow()));
        var holder = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return holder == runId ? null : holder;
    }

    public Task ReleaseKeyAsync(string key, string runId, CancellationToken cancellationToken) =>
        database.WriteInBatchAsync(
            async (transaction, token) =>
            {
                await CheckFenceAsync(transaction, runId, token).ConfigureAwait(false);
                var command = SqliteDatabase.Command(transaction);
                await using var commandScope = command.ConfigureAwait(false);
                command.CommandText = "DELETE FROM concurrency_keys WHERE name = $key AND run_id = $run;";
                command.Parameters.AddWithValue("$key", key);
                command.Parameters.AddWithValue("$run", runId);
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            cancellationToken);

    public Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string nodeId, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        database.WriteInBatchAsync((transaction, token) => ClaimRunsInAsync(transaction, nodeId, lease, max, token), cancellationToken);

    private async Task<IReadOnlyList<ClaimedRun>> ClaimRunsInAsync(
        SqliteTransaction transaction,
        string nodeId,
        TimeSpan lease,
        int max,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var command = SqliteDatabase.Command(transaction);
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = $"""
            UPDATE runs SET lease_owner = $node, lease_expires_at = $expires, lease_generation = lease_generation + 1
            WHERE id IN (
                SELECT id FROM runs
                WHERE (lease_owner IS NULL OR lease_expires_at <= $now)
                    AND (status IN ($pending, $running) OR (status = $waiting AND {StoreText.WokenSinceLastPass}))
                ORDER BY created_at, id LIMIT $max)
            RETURNING {StoreRows.RunColumns}, lease_generation;
            """;
        command.Parameters.AddWithValue("$node", nodeId);
        command.Parameters.AddWithValue("$expires", SqliteDatabase.Ticks(now + lease));
        command.Parameters.AddWithValue("$now", SqliteDatabase.Ticks(now));
        command.Parameters.AddWithValue("$pending", StoreText.Status(RunStatus.Pending));
        command.Parameters.AddWithValue("$running", StoreText.Status(RunStatus.Running));
        command.Parameters.AddWithValue("$waiting", StoreText.Status(RunStatus.Waiting));
        command.Parameters.AddWithValue("$max", Math.Max(0, max));
        var claimed = await StoreRows
            .ReadAllAsync(command, r => StoreRows.ReadClaim(r, SqliteDatabase.Time, nodeId), cancellationToken)
            .ConfigureAwait(false);
        return claimed.OrderBy(c => c.Run.CreatedAt).ThenBy(c => c.Run.Id, StringComparer.Ordinal).ToList();
    }

    public Task<RunLease?> TryClaimRunAsync(string runId, string nodeId, TimeSpan lease, CancellationToken cancellationToken) =>
        database.WriteInBatchAsync((transaction, token) => TryClaimRunInAsync(transaction, runId, nodeId, lease, token), cancellationToken);

    private async Task<RunLease?> TryClaimRunInAsync(
        SqliteTransaction transaction,
        string runId,
        string nodeId,
        TimeSpan lease,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var command = SqliteDatabase.Command(transaction);
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = """
            UPDATE runs SET lease_owner = $node, lease_expires_at = $expires, lease_generation = lease_generation + 1
            WHERE id = $id AND (lease_owner IS NULL OR lease_owner = $node OR lease_expires_at <= $now)
            RETURNING lease_generation;
            """;
        command.Parameters.AddWithValue("$id", runId);
        command.Parameters.AddWithValue("$node", nodeId);
        command.Parameters.AddWithValue("$expires", SqliteDatabase.Ticks(now + lease));
        command.Parameters.AddWithValue("$now", SqliteDatabase.Ticks(now));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long generation
            ? new RunLease(runId, nodeId, generation)
            : null;
    }

    public Task<bool> RenewLeaseAsync(RunLease lease, TimeSpan duration, CancellationToken cancellationToken) =>
        database.WriteInBatchAsync(
            async (transaction, token) =>
            {
                var command = SqliteDatabase.Command(transaction);
                await using var commandScope = command.ConfigureAwait(false);
                command.CommandText =
                    "UPDATE runs SET lease_expires_at = $expires WHERE id = $id AND lease_owner = $node AND lease_generation = $generation;";
                AddLease(command, lease);
                command.Parameters.AddWithValue("$expires", SqliteDatabase.Ticks(_time.GetUtcNow() + duration));
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
            },
            cancellationToken);

    public Task ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken) =>
        database.WriteInBatchAsync(
            async (transaction, token) =>
            {
                var command = SqliteDatabase.Command(transaction);
                await using var commandScope = command.ConfigureAwait(false);
                command.CommandText =
                    "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $id AND lease_owner = $node AND lease_generation = "
                    + "$generation;";
                AddLease(command, lease);
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            cancellationToken);

    public async Task<int> PruneAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken)
    {
        var writer = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var writerScope = writer.ConfigureAwait(false);
        var connection = writer.Connection;
        var transaction = SqliteDatabase.BeginImmediate(connection);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM journal WHERE run_id IN (SELECT id FROM runs WHERE finished_at < $cutoff);
            DELETE FROM concurrency_keys WHERE run_id IN (SELECT id FROM runs WHERE finished_at < $cutoff);
            """;
        command.Parameters.AddWithValue("$cutoff", SqliteDatabase.Ticks(finishedBefore));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        command.CommandText = "DELETE FROM runs WHERE finished_at < $cutoff;";
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private static RunRecord ReadRun(System.Data.Common.DbDataReader reader) => StoreRows.ReadRun(reader, SqliteDatabase.Time);

    private static void AddLease(SqliteCommand command, RunLease lease)
    {
        command.Parameters.AddWithValue("$id", lease.RunId);
        command.Parameters.AddWithValue("$node", lease.NodeId);
        command.Parameters.AddWithValue("$generation", lease.Generation);
    }

    /// <summary>In a fenced view, for a write to the fenced run: the lease's condition, its parameters added to
    /// <paramref name="command"/>.</summary>
    private string FenceCondition(SqliteCommand command, string runId)
    {
        if (_fence is not { } fence || !string.Equals(fence.RunId, runId, StringComparison.Ordinal))
        {
            return "";
        }

        command.Parameters.AddWithValue("$owner", fence.NodeId);
        command.Parameters.AddWithValue("$generation", fence.Generation);
        return " AND lease_owner = $owner AND lease_generation = $generation";
    }

    /// <summary>In a fenced view, throws unless the fence's lease is still the run's current one; runs inside the write's transaction.</summary>
    private async Task CheckFenceAsync(SqliteTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        if (_fence is not { } fence || !string.Equals(fence.RunId, runId, StringComparison.Ordinal))
        {
            return;
        }

        var command = SqliteDatabase.Command(transaction);
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = "SELECT lease_owner, lease_generation FROM runs WHERE id = $id;";
        command.Parameters.AddWithValue("$id", runId);
        var holders = await StoreRows
            .ReadAllAsync(command, r => (Owner: r.IsDBNull(0) ? null : r.GetString(0), Generation: r.GetInt64(1)), cancellationToken)
            .ConfigureAwait(false);
        if (holders.Count == 0)
        {
            throw NoRun(runId);
        }

        if (holders[0].Owner != fence.NodeId || holders[0].Generation != fence.Generation)
        {
            throw new LeaseLostException(fence, holders[0].Owner, holders[0].Generation);
        }
    }

    private static void AddFilter(SqliteCommand command, List<string> where, string column, string parameter, string? value)
    {
        if (value is not null)
        {
            where.Add($"{column} = {parameter}");
            command.Parameters.AddWithValue(parameter, value);
        }
    }

    private static KeyNotFoundException NoRun(string runId) => new($"no run with id '{runId}'");
}
