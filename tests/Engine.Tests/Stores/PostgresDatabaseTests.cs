using Gantry.Engine.Stores;
using Npgsql;

namespace Gantry.Engine.Tests.Stores;

/// <summary>The pool settings a PostgreSQL data source gets when its connection string leaves them out.</summary>
public sealed class PostgresDatabaseTests
{
    private const string Plain = "Host=127.0.0.1;Port=5432;Database=gantry;Username=gantry";

    [Fact]
    public void New_PlainConnectionString_PreparesRepeatedStatementsAndSkipsTheResetOnClose()
    {
        using var database = new PostgresDatabase(Plain);

        var settings = new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString);
        Assert.Equal(32, settings.MaxAutoPrepare);
        Assert.Equal(2, settings.AutoPrepareMinUsages);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal("gantry", settings.Database);
    }

    [Theory]
    [InlineData("No Reset On Close=false")]
    [InlineData("NoResetOnClose=false")]
    public void New_ConnectionStringAsksForTheReset_KeepsIt(string setting)
    {
        using var database = new PostgresDatabase($"{Plain};{setting}");

        Assert.False(new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString).NoResetOnClose);
    }

    [Fact]
    public void New_ConnectionStringSetsAutoPrepare_KeepsIt()
    {
        using var database = new PostgresDatabase($"{Plain};Max Auto Prepare=5");

        var settings = new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString);
        Assert.Equal(5, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
    }
}
