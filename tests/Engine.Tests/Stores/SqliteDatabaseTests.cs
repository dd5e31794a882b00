using Gantry.Engine.Stores;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Tests.Stores;

/// <summary>
/// Connections from <see cref="SqliteDatabase.OpenAsync"/> have busy_timeout and foreign keys on, whether the
/// pool hands out a native connection for the first time or again, and after the pool closed them all.
/// </summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-sqlite-db-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Open_NewAndPooledAndAfterPoolCleared_EveryConnectionHasThePragmas()
    {
        var database = new SqliteDatabase(Path.Combine(_folder, "data", "store.db"));
        var first = await OpenThreeAtOnceAsync(database);
        var pooled = await OpenThreeAtOnceAsync(database);
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            SqliteConnection.ClearPool(connection);
        }

        var afterClear = await OpenThreeAtOnceAsync(database);

        Assert.All(first.Concat(pooled).Concat(afterClear), pragmas => Assert.Equal((10_000L, 1L), pragmas));
    }

    [Fact]
    public async Task Open_PooledConnection_RefusesARowWhoseParentIsMissing()
    {
        var database = new SqliteDatabase(Path.Combine(_folder, "store.db"));
        await using (var setup = await database.OpenAsync(CancellationToken.None))
        {
            await ExecuteAsync(setup, "CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent INTEGER REFERENCES parent (id));");
        }

        // The same native connection again, from the pool: its pragmas were set on the first open only.
        await using var reused = await database.OpenAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAsync<SqliteException>(() => ExecuteAsync(reused, "INSERT INTO child (parent) VALUES (42);"));

        Assert.Contains("FOREIGN KEY constraint failed", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_MissingFolder_CreatesItAndAnOwnerOnlyFile()
    {
        var path = Path.Combine(_folder, "new", "store.db");

        await using (await new SqliteDatabase(path).OpenAsync(CancellationToken.None))
        {
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    private static async Task<List<(long BusyTimeout, long ForeignKeys)>> OpenThreeAtOnceAsync(SqliteDatabase database)
    {
        // Held open together, so the pool has to hand out three distinct native connections.
        var connections = new List<SqliteConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                connections.Add(await database.OpenAsync(CancellationToken.None));
            }

            var pragmas = new List<(long, long)>();
            foreach (var connection in connections)
            {
                pragmas.Add((await ScalarAsync(connection, "PRAGMA busy_timeout;"), await ScalarAsync(connection, "PRAGMA foreign_keys;")));
            }

            return pragmas;
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
