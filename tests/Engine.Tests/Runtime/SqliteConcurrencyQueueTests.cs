using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Microsoft.Data.Sqlite;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>The concurrency queue on SQLite: every engine opens its own store on one database file.</summary>
public sealed class SqliteConcurrencyQueueTests : ConcurrencyQueueTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "gantry-queue-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<IAsyncDisposable> _owned = [];

    protected override async Task<IRunStore> OpenStoreAsync()
    {
        var stores = await RunStoreFactory.OpenAsync(null, _folder, TimeProvider.System, CancellationToken.None);
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
    }
}
