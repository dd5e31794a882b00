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
