using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Tests.Stores;

/// <summary>The durable store contract against a SQLite file in a temporary folder, opened through the factory.</summary>
public sealed class SqliteStoreTests : DurableStoreContractTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-sqlite-").FullName;
    private StoreSet? _stores;

    protected override async Task<(IRunStore Runs, IDefinitionStore Definitions)> CreateStoresAsync()
    {
        _stores = await RunStoreFactory.OpenAsync(null, _folder, Time, Ct);
        return (_stores.Runs, _stores.Definitions);
    }

    protected override IRunStore OpenAnotherRunStore() => new SqliteRunStore(Path.Combine(_folder, RunStoreFactory.DefaultSqlitePath), Time);

    [Fact]
    public async Task Open_Default_UsesAWalFileUnderTheDataFolder()
    {
        var path = Path.Combine(_folder, ".gantry", "gantry.db");
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal(path, _stores!.Location);
        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Reopen_AfterWrites_SeesEverythingCommitted()
    {
        var run = await CreateAsync(NewRun());
        await Runs.AppendAsync(run.Id, [Event(JournalEventTypes.RunStarted)], Ct);

        await using var reopened = await RunStoreFactory.OpenAsync("sqlite:" + Path.Combine(".gantry", "gantry.db"), _folder, Time, Ct);

        Assert.Equivalent(run, await reopened.Runs.GetRunAsync(run.Id, Ct), strict: true);
        Assert.Single(await reopened.Runs.ReadJournalAsync(run.Id, 0, Ct));
    }

    public override async Task DisposeAsync()
    {
        if (_stores is not null)
        {
            await _stores.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
