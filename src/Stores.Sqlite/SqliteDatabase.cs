using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Stores;

/// <summary>Opens connections to one SQLite file with the settings every store needs.</summary>
public sealed class SqliteDatabase
{
    /// <summary>How long a writer waits for another process's write lock before failing.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    // Native connections whose pragmas are set; weak, so a connection the pool closes leaves no entry behind.
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = new();
    private static readonly object Marker = new();

    // Set after the first open that succeeded: the folder and the owner-only file exist from then on.
    private bool _fileReady;

    public SqliteDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    public string ConnectionString { get; }

    /// <summary>Opens a connection with <c>busy_timeout</c> and foreign keys on, creating the folder when missing.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _fileReady))
        {
            var folder = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            // The store holds journals and literal secrets: a new database is readable by its owner only.
            PrivateFiles.CreateEmpty(Path);
        }

        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _fileReady, true);
            await ConfigureOnceAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a connection for a write, after this process's earlier writers on the same file are done (<see
    /// cref="SqliteWriter"/>).</summary>
    public Task<SqliteWriter> OpenWriterAsync(CancellationToken cancellationToken) => SqliteWriter.OpenAsync(this, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> inside this process's next group commit on the file (<see cref="SqliteCommitQueue"/>):
    /// in its own savepoint, so a throw rolls back only its own writes; the task completes after the commit.
    /// </summary>
    internal Task<T> WriteInBatchAsync<T>(Func<SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var write = new QueuedWrite<T>(work, cancellationToken);
        SqliteCommitQueue.For(this).Enqueue(write);
        return write.Task;
    }

    /// <summary>A command on the transaction's connection, enlisted in it.</summary>
    internal static SqliteCommand Command(SqliteTransaction transaction)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        return command;
    }

    /// <summary>
    /// Sets the pragmas on a native connection the first time it is opened. Both last as long as the native
    /// connection, which the pool hands out again and again: setting them on every open cost a statement's
    /// parse and run per store call, several per run start.
    /// </summary>
    private static async Task ConfigureOnceAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var handle = connection.Handle!;
        if (Configured.TryGetValue(handle, out _))
        {
            return;
        }

        var pragma = connection.CreateCommand();
        await using var pragmaScope = pragma.ConfigureAwait(false);
        pragma.CommandText = $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys = ON;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        Configured.AddOrUpdate(handle, Marker);
    }

    public static long Ticks(DateTimeOffset time) => time.UtcTicks;

    /// <summary>
    /// <c>BEGIN IMMEDIATE</c>: the write lock is taken at the start, so the transaction never fails half-way on
    /// a lock another writer took. Synchronous on purpose: Microsoft.Data.Sqlite does its I/O synchronously
    /// whichever method is called, and its asynchronous overload cannot say "immediate".
    /// </summary>
    public static SqliteTransaction BeginImmediate(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
#pragma warning disable CA1849 // see the summary: the async overload does the same work synchronously, less explicitly
        return connection.BeginTransaction(deferred: false);
#pragma warning restore CA1849
    }

    public static DateTimeOffset Time(System.Data.Common.DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new(reader.GetInt64(ordinal), TimeSpan.Zero);
    }
}
