using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Engine.Tests.Fixtures;

namespace Gantry.Engine.Tests.Stores;

/// <summary>The durable store contract against a real PostgreSQL server, each test in a fresh schema.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresFixture postgres) : DurableStoreContractTests
{
    private readonly List<IAsyncDisposable> _owned = [];
    private string _connectionString = "";

    protected override async Task<(IRunStore Runs, IDefinitionStore Definitions)> CreateStoresAsync()
    {
        _connectionString = await postgres.CreateSchemaAsync();
        var stores = await RunStoreFactory.OpenAsync(_connectionString, Path.GetTempPath(), Time, Ct);
        _owned.Add(stores);
        Assert.Equal(StoreKind.Postgres, stores.Kind);
        return (stores.Runs, stores.Definitions);
    }

    protected override IRunStore OpenAnotherRunStore()
    {
        var store = new PostgresRunStore(_connectionString, Time);
        _owned.Add(store);
        return store;
    }

    public override async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await postgres.DropSchemaAsync(_connectionString);
    }
}
