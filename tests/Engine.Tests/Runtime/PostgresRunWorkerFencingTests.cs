using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Engine.Tests.Fixtures;

namespace Gantry.Engine.Tests.Runtime;

/// <summary>Lease fencing on a real PostgreSQL server: each node opens its own store on one schema.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRunWorkerFencingTests(PostgresFixture postgres) : RunWorkerFencingTests
{
    private readonly List<IAsyncDisposable> _owned = [];
    private string _connectionString = "";

    public override async Task InitializeAsync() => _connectionString = await postgres.CreateSchemaAsync();

    protected override async Task<IRunStore> OpenStoreAsync(TimeProvider time)
    {
        var stores = await RunStoreFactory.OpenAsync(_connectionString, Path.GetTempPath(), time, CancellationToken.None);
        _owned.Add(stores);
        return stores.Runs;
    }

    public override async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await postgres.DropSchemaAsync(_connectionString);
        await base.DisposeAsync();
    }
}
