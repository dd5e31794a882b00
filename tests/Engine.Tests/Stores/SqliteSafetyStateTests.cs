using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Tests.Stores;

/// <summary>Quarantined hosts and tokens in a SQLite file.</summary>
public sealed class SqliteSafetyStateTests : SafetyStateTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-safety-").FullName;

    protected override string Db => Path.Combine(_folder, "gantry.db");

    public override Task InitializeAsync() => Task.CompletedTask;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
