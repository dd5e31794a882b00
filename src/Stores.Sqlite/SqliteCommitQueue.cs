using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Stores;

/// <summary>One write queued for a group commit: the work, run inside the batch's transaction, and its caller's completion.</summary>
internal interface IQueuedWrite
{
    CancellationToken CancellationToken { get; }

    Task RunAsync(SqliteTransaction transaction);

    void Committed();

    void Failed(Exception error);
}

/// <summary>
/// Group commit for one SQLite file in this process. Writers queue their work; one drainer at a time
/// holds the file's writer gate (<see cref="SqliteWriter"/>), opens one connection, and runs every write
/// waiting by then inside one <c>BEGIN IMMEDIATE</c> transaction, each in its own savepoint (a write
/// that throws is rolled back alone and fails alone), then commits once. A caller's task completes
/// only after that commit, so a write that returned is durable as before; a burst of concurrent runs
/// waits for one fsync per batch instead of one per write. While a batch commits, the next one gathers.
/// </summary>
internal sealed class SqliteCommitQueue
{
    private const int MaxBatch = 256;
    private static readonly ConcurrentDictionary<string, SqliteCommitQueue> Queues = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<IQueuedWrite> _pending = new();
    private readonly SqliteDatabase _database;
    private int _draining;

    private SqliteCommitQueue(SqliteDatabase database) => _database = database;

    public static SqliteCommitQueue For(SqliteDatabase database) => Queues.GetOrAdd(database.Path, _ => new SqliteCommitQueue(database));

    public void Enqueue(IQueuedWrite write)
    {
        _pending.Enqueue(write);
        StartDrainerIfIdle();
    }

    private void StartDrainerIfIdle()
    {
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = Task.Run(DrainAsync);
        }
    }

    private async Task DrainAsync()
    {
        var batch = new List<IQueuedWrite>(MaxBatch);
        try
        {
            // The file's writer gate is taken per batch, so the other writers of this file (definitions,
            // migrations, prunes) get their turn between two batches of a long burst; the batch is taken
            // once the gate is held, so it holds every write that queued while this one waited.
            while (!_pending.IsEmpty)
            {
                var writer = await SqliteWriter.OpenAsync(_database, CancellationToken.None).ConfigureAwait(false);
                await using var writerScope = writer.ConfigureAwait(false);
                if (Take(batch))
                {
                    await CommitAsync(writer.Connection, batch).ConfigureAwait(false);
                    batch.Clear();
                }
            }
        }
        catch (Exception error)
        {
            // The connection could not be opened: every write waiting now fails with the reason (retrying
            // here would spin); writes queued later try again.
            batch.ForEach(write => write.Failed(error));
            while (_pending.TryDequeue(out var write))
            {
                write.Failed(error);
            }
        }
        finally
        {
            Volatile.Write(ref _draining, 0);
            // A write queued between the last check and the flag's reset would wait for ever otherwise.
            if (!_pending.IsEmpty)
            {
                StartDrainerIfIdle();
            }
        }
    }

    private bool Take(List<IQueuedWrite> batch)
    {
        while (batch.Count < MaxBatch && _pending.TryDequeue(out var write))
        {
            if (write.CancellationToken.IsCancellationRequested)
            {
                write.Failed(new OperationCanceledException(write.CancellationToken));
                continue;
            }

            batch.Add(write);
        }

        return batch.Count > 0;
    }

    private static async Task CommitAsync(SqliteConnection connection, List<IQueuedWrite> batch)
    {
        var outcomes = new Exception?[batch.Count];
        try
        {
            var transaction = SqliteDatabase.BeginImmediate(connection);
            await using var transactionScope = transaction.ConfigureAwait(false);
            if (batch.Count == 1)
            {
                // A write alone needs no savepoint (two statements fewer): when it throws, nothing is committed
                // (the transaction is rolled back as it is disposed), and it fails alone all the same.
                outcomes[0] = await RunAloneAsync(batch[0], transaction).ConfigureAwait(false);
            }
            else
            {
                await RunInSavepointsAsync(batch, transaction, outcomes).ConfigureAwait(false);
            }

            if (outcomes.Any(outcome => outcome is null))
            {
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            // BEGIN or COMMIT failed (another process held the lock past the busy timeout, a full disk):
            // nothing of the batch is committed, so every write in it fails.
            foreach (var write in batch)
            {
                write.Failed(error);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] is { } error)
            {
                batch[i].Failed(error);
            }
            else
            {
                batch[i].Committed();
            }
        }
    }

    private static async Task<Exception?> RunAloneAsync(IQueuedWrite write, SqliteTransaction transaction)
    {
        try
        {
            await write.RunAsync(transaction).ConfigureAwait(false);
            return null;
        }
        catch (Exception error)
        {
            return error;
        }
    }

    // Each write in its own savepoint: one that throws is rolled back alone and fails alone.
    private static async Task RunInSavepointsAsync(List<IQueuedWrite> batch, SqliteTransaction transaction, Exception?[] outcomes)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var savepoint = $"w{i}";
            await transaction.SaveAsync(savepoint).ConfigureAwait(false);
            try
            {
                await batch[i].RunAsync(transaction).ConfigureAwait(false);
                await transaction.ReleaseAsync(savepoint).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                outcomes[i] = error;
                await transaction.RollbackAsync(savepoint).ConfigureAwait(false);
                await transaction.ReleaseAsync(savepoint).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A queued write with a result, completed after its batch committed.</summary>
internal sealed class QueuedWrite<T>(Func<SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken) : IQueuedWrite
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public CancellationToken CancellationToken => cancellationToken;

    public Task<T> Task => _completion.Task;

    public async Task RunAsync(SqliteTransaction transaction) => _result = await work(transaction, cancellationToken).ConfigureAwait(false);

    public void Committed() => _completion.TrySetResult(_result);

    public void Failed(Exception error)
    {
        if (error is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(cancellationToken);
        }
        else
        {
            _completion.TrySetException(error);
        }
    }
}
