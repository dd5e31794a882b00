namespace Gantry.Server.Tests.Fixtures;

/// <summary>Test classes in this collection share one <see cref="SshFleetFixture"/> (tests/Fleet); xunit wants the definition in the tests' own assembly.</summary>
[CollectionDefinition(Name)]
public sealed class SshFleetCollection : ICollectionFixture<SshFleetFixture>
{
    public const string Name = "ssh-fleet";
}
