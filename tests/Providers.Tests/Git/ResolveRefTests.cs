using Gantry.Providers.Git;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Git;

/// <summary>GitWorkspace.ResolveRefAsync: what deploy.release's ref names on a real origin, asked with ls-remote.</summary>
public sealed class ResolveRefTests
{
    [Fact]
    public async Task ResolveRef_AnnotatedTag_IsTheTagPeeledToItsCommit()
    {
        using var scenario = await GitScenarioFixture.CreateAsync();

        var resolved = await scenario.CreateWorkspace().ResolveRefAsync("v3.0.0", CancellationToken.None);

        Assert.Equal(new ResolvedRef("v3.0.0", GitRefKind.Tag, await scenario.OriginRevAsync("v3.0.0^{commit}"), "v3.0.0"), resolved);
    }

    [Fact]
    public async Task ResolveRef_Branch_IsItsTipNamedByTheShortCommit()
    {
        using var scenario = await GitScenarioFixture.CreateAsync();
        var tip = await scenario.OriginRevAsync("develop");

        var resolved = await scenario.CreateWorkspace().ResolveRefAsync("develop", CancellationToken.None);

        Assert.Equal(new ResolvedRef("develop", GitRefKind.Branch, tip, tip[..7]), resolved);
    }

    [Fact]
    public async Task ResolveRef_FullCommit_IsTakenAsGivenInLowerCase()
    {
        using var scenario = await GitScenarioFixture.CreateAsync();
        var commit = await scenario.OriginRevAsync("production~1");

        var resolved = await scenario.CreateWorkspace().ResolveRefAsync(commit.ToUpperInvariant(), CancellationToken.None);

        Assert.Equal(new ResolvedRef(commit.ToUpperInvariant(), GitRefKind.Commit, commit, commit[..7]), resolved);
    }

    [Fact]
    public async Task ResolveRef_ShortCommit_AsksForTheFullSha()
    {
        using var scenario = await GitScenarioFixture.CreateAsync();
        var workspace = scenario.CreateWorkspace();

        var error = await Assert.ThrowsAsync<GitException>(() => workspace.ResolveRefAsync("a1b2c3d", CancellationToken.None));

        Assert.Equal($"'a1b2c3d' is not a tag or branch on origin {scenario.OriginPath}; a commit must be given as its full 40-character SHA", error.Message);
    }

    [Fact]
    public async Task ResolveRef_UnknownName_SaysItIsNeitherTagNorBranch()
    {
        using var scenario = await GitScenarioFixture.CreateAsync();
        var workspace = scenario.CreateWorkspace();

        var error = await Assert.ThrowsAsync<GitException>(() => workspace.ResolveRefAsync("feature-x", CancellationToken.None));

        Assert.Equal($"'feature-x' is not a tag or branch on origin {scenario.OriginPath}", error.Message);
    }
}
