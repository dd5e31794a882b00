using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Stores;

/// <summary>The definition-versioning rules every definition store shares.</summary>
public abstract partial class StoreContractTests
{
    private const string V1 = "name: deploy\nsteps: []\n";
    private const string V2 = "name: deploy\nsteps:\n  - run: echo hi\n";

    [Fact]
    public async Task Save_First_CreatesDraftVersionOneWithHashAuthorAndComment()
    {
        var saved = await Definitions.SaveAsync("deploy", V1, "alice", "first cut", Ct);

        Assert.Equivalent(
            new DefinitionVersion
            {
                Id = "deploy",
                Version = 1,
                Text = V1,
                ContentHash = Sha256(V1),
                Author = "alice",
                Comment = "first cut",
                State = DefinitionState.Draft,
                CreatedAt = Time.GetUtcNow(),
                PublishedAt = null,
            },
            saved,
            strict: true);
    }

    [Fact]
    public async Task Save_IdenticalToLatest_ReturnsTheExistingVersion()
    {
        var first = await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);
        Time.Advance(TimeSpan.FromMinutes(1));

        var again = await Definitions.SaveAsync("deploy", V1, "bob", "re-import", Ct);

        Assert.Equivalent(first, again, strict: true);
        Assert.Single(await Definitions.VersionsAsync("deploy", Ct));
    }

    [Fact]
    public async Task Save_ChangedText_CreatesTheNextVersion()
    {
        await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);
        await Definitions.SaveAsync("deploy", V2, "bob", "add a step", Ct);
        var back = await Definitions.SaveAsync("deploy", V1, "carol", "revert", Ct);

        Assert.Equal(3, back.Version);
        Assert.Equal([(1, V1), (2, V2), (3, V1)], (await Definitions.VersionsAsync("deploy", Ct)).Select(v => (v.Version, v.Text)));
    }

    [Fact]
    public async Task Publish_ThenSave_NeverChangesThePublishedVersion()
    {
        await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);
        Time.Advance(TimeSpan.FromMinutes(1));
        var published = await Definitions.PublishAsync("deploy", 1, Ct);

        var sameText = await Definitions.SaveAsync("deploy", V1, "bob", null, Ct);
        var next = await Definitions.SaveAsync("deploy", V2, "bob", null, Ct);

        Assert.Equal(DefinitionState.Published, published.State);
        Assert.Equal(Time.GetUtcNow(), published.PublishedAt);
        Assert.Equivalent(published, sameText, strict: true);
        Assert.Equal((2, DefinitionState.Draft), (next.Version, next.State));
        Assert.Equivalent(published, await Definitions.GetAsync("deploy", 1, false, Ct), strict: true);
    }

    [Fact]
    public async Task Publish_Again_ReturnsItUnchanged()
    {
        await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);
        var published = await Definitions.PublishAsync("deploy", 1, Ct);
        Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equivalent(published, await Definitions.PublishAsync("deploy", 1, Ct), strict: true);
    }

    [Fact]
    public async Task Publish_UnknownVersion_ThrowsKeyNotFound()
    {
        await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => Definitions.PublishAsync("deploy", 7, Ct));

        Assert.Equal("Definition 'deploy' has no version 7.", error.Message);
    }

    [Fact]
    public async Task UpdateDraft_Draft_ReplacesTextAndHashInPlace()
    {
        await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);
        Time.Advance(TimeSpan.FromMinutes(1));

        var updated = await Definitions.UpdateDraftAsync("deploy", 1, V2, "bob", "fix", Ct);

        Assert.Equal((1, V2, "bob", "fix", DefinitionState.Draft), (updated.Version, updated.Text, updated.Author, updated.Comment, updated.State));
        Assert.Equal(Sha256(V2), updated.ContentHash);
        Assert.Equivalent(updated, await Definitions.GetAsync("deploy", 1, false, Ct), strict: true);
        Assert.Single(await Definitions.VersionsAsync("deploy", Ct));
    }

    [Fact]
    public async Task UpdateDraft_Published_ThrowsAndLeavesItUnchanged()
    {
        await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);
        var published = await Definitions.PublishAsync("deploy", 1, Ct);

        var error = await Assert.ThrowsAsync<DefinitionPublishedException>(() => Definitions.UpdateDraftAsync("deploy", 1, V2, "bob", null, Ct));

        Assert.Equal("Definition 'deploy' version 1 is published and cannot be changed. Save the new text as a new version instead.", error.Message);
        Assert.Equivalent(published, await Definitions.GetAsync("deploy", 1, false, Ct), strict: true);
    }

    [Fact]
    public async Task Get_WithoutVersion_ReturnsTheLatestPublishedNotANewerDraft()
    {
        await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);
        await Definitions.SaveAsync("deploy", V2, "alice", null, Ct);
        await Definitions.PublishAsync("deploy", 1, Ct);
        await Definitions.PublishAsync("deploy", 2, Ct);
        await Definitions.SaveAsync("deploy", V1 + "# draft\n", "alice", null, Ct);

        Assert.Equal(2, (await Definitions.GetAsync("deploy", null, false, Ct))!.Version);
        Assert.Equal(2, (await Definitions.GetAsync("deploy", null, true, Ct))!.Version);
        Assert.Equal(3, (await Definitions.GetAsync("deploy", 3, false, Ct))!.Version);
    }

    [Fact]
    public async Task Get_NothingPublished_FallsBackToTheLatestDraftOnlyWhenAsked()
    {
        await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);
        await Definitions.SaveAsync("deploy", V2, "alice", null, Ct);

        Assert.Null(await Definitions.GetAsync("deploy", null, false, Ct));
        Assert.Equal(2, (await Definitions.GetAsync("deploy", null, true, Ct))!.Version);
        Assert.Null(await Definitions.GetAsync("unknown", null, true, Ct));
        Assert.Null(await Definitions.GetAsync("deploy", 9, true, Ct));
    }

    [Fact]
    public async Task List_ShowsEachDefinitionWithLatestAndPublishedVersions()
    {
        await Definitions.SaveAsync("rollback", V1, "alice", null, Ct);
        await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);
        await Definitions.SaveAsync("deploy", V2, "alice", null, Ct);
        Time.Advance(TimeSpan.FromMinutes(1));
        await Definitions.PublishAsync("deploy", 1, Ct);

        var list = await Definitions.ListAsync(Ct);

        Assert.Equal(
            [new DefinitionSummary("deploy", 2, 1, Time.GetUtcNow()), new DefinitionSummary("rollback", 1, null, Time.GetUtcNow() - TimeSpan.FromMinutes(1))],
            list);
    }

    [Fact]
    public async Task Delete_RemovesEveryVersion()
    {
        await Definitions.SaveAsync("deploy", V1, "alice", null, Ct);
        await Definitions.SaveAsync("deploy", V2, "alice", null, Ct);

        Assert.True(await Definitions.DeleteAsync("deploy", Ct));

        Assert.False(await Definitions.DeleteAsync("deploy", Ct));
        Assert.Empty(await Definitions.VersionsAsync("deploy", Ct));
        Assert.Empty(await Definitions.ListAsync(Ct));
        Assert.Equal(1, (await Definitions.SaveAsync("deploy", V2, "alice", null, Ct)).Version);
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
