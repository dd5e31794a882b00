using System.Globalization;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Engine.Tests.Fixtures;
using Npgsql;

namespace Gantry.Engine.Tests.Stores;

/// <summary>Migrations of a PostgreSQL schema.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMigratorTests(PostgresFixture postgres) : StoreMigratorTests
{
    private readonly List<PostgresDatabase> _databases = [];
    private string _connectionString = "";

    protected override (IStoreMigrator Migrator, IRunStore Runs, IDefinitionStore Definitions) Open()
    {
        var database = new PostgresDatabase(_connectionString);
        _databases.Add(database);
        return (new PostgresMigrator(database, Time), new PostgresRunStore(database, Time), new PostgresDefinitionStore(database, Time));
    }

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    protected override string TimeLiteral(DateTimeOffset time) => $"'{time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00'::timestamptz";

    public override async Task InitializeAsync() => _connectionString = await postgres.CreateSchemaAsync();

    public override async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        await postgres.DropSchemaAsync(_connectionString);
    }
}
