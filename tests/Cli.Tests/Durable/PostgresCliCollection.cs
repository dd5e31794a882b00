using Gantry.Testing.Fleet;

namespace Gantry.Cli.Tests.Durable;

/// <summary>CLI tests against one real PostgreSQL server, one test class after another.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCliCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgresCli";
}
