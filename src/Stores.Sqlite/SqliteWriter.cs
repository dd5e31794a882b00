using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Stores;

/// <summary>
/// A connection that may write, held by one writer of this process at a time (per database file), first
/// come first served. SQLite lets one writer in at a time anyway; without this queue, concurrent writers
/// of one process (a burst of run starts, many runs journaling) met SQLite's busy handler, which sleeps
/// with a growing back-off and lets no one in in order: starts then waited seconds behind each other.
/// Other processes on the same file still meet the busy timeout.
/// </summary>
public sealed class SqliteWriter : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate;

    private SqliteWriter(SemaphoreSlim gate, SqliteConnection connection)
    {
        _gate = gate;
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    internal static async Task<SqliteWriter> OpenAsync(SqliteDatabase database, CancellationToken cancellationToken)
    {
        var gate = Gates.GetOrAdd(database.Path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new SqliteWriter(gate, await database.OpenAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
