using Gantry.Engine.Stores;

namespace Gantry.Engine.Tests.Stores;

public sealed class RunStoreFactoryTests
{
    private static readonly string Data = Path.Combine(Path.GetTempPath(), "gantry-data");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Resolve_Nothing_IsTheDefaultSqliteFileUnderTheDataFolder(string? db) =>
        Assert.Equal((StoreKind.Sqlite, Path.Combine(Data, ".gantry", "gantry.db")), RunStoreFactory.Resolve(db, Data));

    [Theory]
    [InlineData("runs.db", "runs.db")]
    [InlineData("sqlite:runs.db", "runs.db")]
    [InlineData("sqlite:state/runs.db", "state/runs.db")]
    public void Resolve_RelativePath_IsASqliteFileUnderTheDataFolder(string db, string relative) =>
        Assert.Equal((StoreKind.Sqlite, Path.GetFullPath(Path.Combine(Data, relative))), RunStoreFactory.Resolve(db, Data));

    [Theory]
    [InlineData("/var/lib/gantry/g.db")]
    [InlineData("sqlite:/var/lib/gantry/g.db")]
    [InlineData("sqlite:///var/lib/gantry/g.db")]
    public void Resolve_AbsolutePath_IsThatSqliteFile(string db) =>
        Assert.Equal((StoreKind.Sqlite, "/var/lib/gantry/g.db"), RunStoreFactory.Resolve(db, Data));

    [Fact]
    public void Resolve_KeywordConnectionString_IsPostgresAsGiven() =>
        Assert.Equal((StoreKind.Postgres, "Host=db;Database=gantry"), RunStoreFactory.Resolve("Host=db;Database=gantry", Data));

    [Theory]
    [InlineData("postgres://gantry:s%40cret@db.internal:6432/runs?sslmode=require", "Host=db.internal;Port=6432;Username=gantry;Password=s@cret;Database=runs;SSL Mode=Require")]
    [InlineData("postgresql://db/gantry", "Host=db;Database=gantry")]
    public void Resolve_Url_IsPostgresWithAnEquivalentConnectionString(string db, string expected) =>
        Assert.Equal((StoreKind.Postgres, expected), RunStoreFactory.Resolve(db, Data));

    [Fact]
    public void Resolve_SqlitePrefixWithoutPath_ExplainsWhatIsExpected()
    {
        var error = Assert.Throws<ArgumentException>(() => RunStoreFactory.Resolve("sqlite:", Data));

        Assert.Equal("The database setting 'sqlite:' names no SQLite file. Expected a path such as 'sqlite:/var/lib/gantry/gantry.db'. (Parameter 'db')", error.Message);
    }

    [Fact]
    public async Task Create_Postgres_DescribesTheServerWithoutThePassword()
    {
        await using var stores = RunStoreFactory.Create("postgres://gantry:secret@db:5433/runs", Data);

        Assert.Equal((StoreKind.Postgres, "postgresql db:5433/runs"), (stores.Kind, stores.Location));
    }
}
