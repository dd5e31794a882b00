using Gantry.Engine.Tests.Fixtures;

namespace Gantry.Engine.Tests.Stores;

/// <summary>Quarantined hosts and tokens in a PostgreSQL schema shared by several nodes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSafetyStateTests(PostgresFixture postgres) : SafetyStateTests
{
    private string _db = "";

    protected override string Db => _db;

    public override async Task InitializeAsync() => _db = await postgres.CreateSchemaAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await postgres.DropSchemaAsync(_db);
    }
}
