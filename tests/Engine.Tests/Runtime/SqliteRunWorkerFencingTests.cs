using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>Lease fencing on SQLite: each node opens its own store on one database file in a temporary folder.</summary>
public sealed class SqliteRunWorkerFencingTests : RunWorkerFencingTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-fencing-").FullName;
    private readonly List<IAsyncDisposable> _owned = [];

    protected override async Task<IRunStore> OpenStoreAsync(TimeProvider time)
    {
        var stores = await RunStoreFactory.OpenAsync(null, _folder, time, CancellationToken.None);
        _owned.Add(stores);
        return stores.Runs;
    }

    public override async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        await base.DisposeAsync();
    }
}
