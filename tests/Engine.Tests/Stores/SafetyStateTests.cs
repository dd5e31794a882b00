using Gantry.Engine.Stores;

namespace Gantry.Engine.Tests.Stores;

/// <summary>
/// Quarantined hosts and tokens (store migration 5), against each durable store. Each <see cref="OpenAsync"/> is
/// another process on the same database, as another server, worker or CLI would be.
/// </summary>
public abstract class SafetyStateTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Then = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly List<StoreSet> _opened = [];

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>The database setting (<c>--db</c>) of an empty test database.</summary>
    protected abstract string Db { get; }

    public abstract Task InitializeAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var stores in _opened)
        {
            await stores.DisposeAsync();
        }
    }

    [Fact]
    public async Task Quarantine_AddedByOneNode_IsSeenByAnotherUntilReleasedThere()
    {
        var nodeA = (await OpenAsync()).Quarantine;
        var nodeB = (await OpenAsync()).Quarantine;

        await nodeA.AddAsync(new QuarantinedHost("prod", "web4", "rollback to v3.0.0 failed: restart exited 1", "run-1", Then), Ct);
        await nodeA.AddAsync(new QuarantinedHost("staging", "web4", "other environment", "run-2", Then), Ct);
        var seen = await nodeB.ListAsync("prod", Ct);
        var released = await nodeB.ReleaseAsync("prod", "web4", Ct);
        var releasedAgain = await nodeB.ReleaseAsync("prod", "web4", Ct);

        Assert.Equal([new QuarantinedHost("prod", "web4", "rollback to v3.0.0 failed: restart exited 1", "run-1", Then)], seen);
        Assert.True(released);
        Assert.False(releasedAgain);
        Assert.Empty(await nodeA.ListAsync("prod", Ct));
        Assert.Equal(["staging"], (await nodeA.ListAsync("staging", Ct)).Select(h => h.Environment));
    }

    [Fact]
    public async Task Quarantine_SameHostAgain_KeepsOneEntryWithTheLatestRun()
    {
        var quarantine = (await OpenAsync()).Quarantine;

        await quarantine.AddAsync(new QuarantinedHost("prod", "web2", "first", "run-1", Then), Ct);
        await quarantine.AddAsync(new QuarantinedHost("prod", "web2", "second", "run-7", Then.AddHours(1)), Ct);

        Assert.Equal([new QuarantinedHost("prod", "web2", "second", "run-7", Then.AddHours(1))], await quarantine.ListAsync("prod", Ct));
    }

    [Fact]
    public async Task Tokens_RevokedOnOneNode_AreNotFoundByAnother()
    {
        var nodeA = (await OpenAsync()).Tokens;
        var nodeB = (await OpenAsync()).Tokens;
        var token = new StoredToken("ci-bot", "operator", new string('a', 64), Then, Then.AddDays(90));

        Assert.True(await nodeA.AddAsync(token, Ct));
        var found = await nodeB.FindAsync(token.Sha256, Ct);
        Assert.True(await nodeA.RevokeAsync("ci-bot", Ct));

        Assert.Equal(token, found);
        Assert.Null(await nodeB.FindAsync(token.Sha256, Ct));
        Assert.False(await nodeB.RevokeAsync("ci-bot", Ct));
        Assert.Empty(await nodeB.ListAsync(Ct));
    }

    [Fact]
    public async Task Tokens_SameNameFromTwoNodes_OnlyTheFirstIsStored()
    {
        var nodeA = (await OpenAsync()).Tokens;
        var nodeB = (await OpenAsync()).Tokens;

        Assert.True(await nodeA.AddAsync(new StoredToken("first-admin", "admin", new string('b', 64), Then, null), Ct));
        Assert.False(await nodeB.AddAsync(new StoredToken("first-admin", "admin", new string('c', 64), Then, null), Ct));

        Assert.Equal([new StoredToken("first-admin", "admin", new string('b', 64), Then, null)], await nodeB.ListAsync(Ct));
        Assert.Null(await nodeB.FindAsync(new string('c', 64), Ct));
    }

    [Fact]
    public async Task LegacyFiles_QuarantineAndTokensOfAnOlderGantry_AreImportedOnceAndRenamed()
    {
        var data = Directory.CreateTempSubdirectory("gantry-legacy-").FullName;
        try
        {
            // The files as Gantry kept them before store migration 5.
            Directory.CreateDirectory(Path.Combine(data, "quarantine"));
            await File.WriteAllTextAsync(Path.Combine(data, "quarantine", "prod.json"), """
                {
                  "web4": { "reason": "rollback to v3.0.0 failed", "run": "run-9", "since": "2026-03-01T12:00:00+00:00" }
                }
                """);
            await File.WriteAllTextAsync(Path.Combine(data, "tokens.json"), $$"""
                [ { "name": "ci-bot", "role": "operator", "sha256": "{{new string('d', 64)}}", "createdAt": "2026-03-01T12:00:00+00:00", "expiresAt": null } ]
                """);
            var stores = await OpenAsync();

            var imported = await LegacySafetyFiles.ImportAsync(stores, data, Ct);
            var again = await LegacySafetyFiles.ImportAsync(stores, data, Ct);

            Assert.Equal(2, imported.Count);
            Assert.Empty(again);
            Assert.Equal([new QuarantinedHost("prod", "web4", "rollback to v3.0.0 failed", "run-9", Then)], await stores.Quarantine.ListAsync("prod", Ct));
            Assert.Equal([new StoredToken("ci-bot", "operator", new string('d', 64), Then, null)], await stores.Tokens.ListAsync(Ct));
            Assert.True(File.Exists(Path.Combine(data, "quarantine", "prod.json.imported")));
            Assert.True(File.Exists(Path.Combine(data, "tokens.json.imported")));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task LegacyFiles_BrokenQuarantineFile_IsALocatedErrorAndStaysInPlace()
    {
        var data = Directory.CreateTempSubdirectory("gantry-legacy-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(data, "quarantine"));
            var file = Path.Combine(data, "quarantine", "prod.json");
            await File.WriteAllTextAsync(file, "{\n  \"web4\": [1, 2]\n}\n");
            var stores = await OpenAsync();

            var ex = await Assert.ThrowsAsync<InvalidDataException>(() => LegacySafetyFiles.ImportAsync(stores, data, Ct));

            Assert.StartsWith($"{file}:2: cannot be imported into the store: expected an object of host: {{reason, run, since}}", ex.Message, StringComparison.Ordinal);
            Assert.True(File.Exists(file));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private async Task<StoreSet> OpenAsync()
    {
        var stores = await RunStoreFactory.OpenAsync(Db, Path.GetTempPath(), TimeProvider.System, Ct);
        _opened.Add(stores);
        return stores;
    }
}
