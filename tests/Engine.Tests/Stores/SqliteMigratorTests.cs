using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Tests.Stores;

/// <summary>Migrations of a SQLite file.</summary>
public sealed class SqliteMigratorTests : StoreMigratorTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-sqlite-").FullName;

    private string DbPath => Path.Combine(_folder, "gantry.db");

    protected override (IStoreMigrator Migrator, IRunStore Runs, IDefinitionStore Definitions) Open()
    {
        var database = new SqliteDatabase(DbPath);
        return (new SqliteMigrator(database, Time), new SqliteRunStore(database, Time), new SqliteDefinitionStore(database, Time));
    }

    [Fact]
    public async Task AStoreAlreadyMigrated_OpensWhileAnotherConnectionHoldsTheWriteLock()
    {
        var (migrator, _, _) = Open();
        await migrator.MigrateAsync(null, Ct);
        await using var other = await new SqliteDatabase(DbPath).OpenAsync(Ct);
        await using var writeLock = other.BeginTransaction(deferred: false);

        // With nothing to apply, migrating again needs no write lock; a lock taken would wait busy_timeout, then fail.
        var opening = new SqliteMigrator(new SqliteDatabase(DbPath), Time).MigrateAsync(null, Ct);
        var done = await Task.WhenAny(opening, Task.Delay(SqliteDatabase.BusyTimeout / 2, Ct));

        Assert.Same(opening, done);
        Assert.Equal(migrator.LatestVersion, await opening);
    }

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = await new SqliteDatabase(DbPath).OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    protected override string TimeLiteral(DateTimeOffset time) => Ticks(time);

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}
