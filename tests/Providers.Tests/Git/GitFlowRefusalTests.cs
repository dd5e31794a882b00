using Gantry.Providers.Git;
using static Gantry.Providers.Tests.Fixtures.GitScenarioFixture;

namespace Gantry.Providers.Tests.Git;

/// <summary>git flow on real repositories as teams have them: each edge case is refused with a clear error before anything is pushed.</summary>
public sealed class GitFlowRefusalTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task HotfixStart_VersionNotAboveNewestStableTag_RefusesAndPushesNothing()
    {
        using var scenario = await CreateAsync();
        await scenario.GitAsync(scenario.DeveloperPath, "push", "-q", "origin", "production:refs/tags/v3.0.5");
        var before = await scenario.OriginRefsAsync();

        var error = await Assert.ThrowsAsync<GitException>(() => scenario.CreateWorkspace().FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None));

        Assert.Equal("Hotfix version 3.0.1 is not above the newest stable release v3.0.5: a hotfix must be newer than what production runs. Start hotfix 3.0.6 (or higher) instead.", error.Message);
        Assert.Equal(before, await scenario.OriginRefsAsync());
    }

    [Fact]
    public async Task HotfixStart_PreReleaseAboveIsNoObstacle_Starts()
    {
        using var scenario = await CreateAsync();

        // develop carries v3.1.0-rc1, a pre-release: the newest stable release is still v3.0.0.
        var started = await scenario.CreateWorkspace().FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);

        Assert.True(started.Created);
        Assert.Equal(await scenario.OriginRevAsync("production"), await scenario.OriginRevAsync("hotfix/3.0.1"));
    }

    [Fact]
    public async Task HotfixStart_AnotherHotfixOpenOnOrigin_RefusesAndPushesNothing()
    {
        using var scenario = await CreateAsync();
        await scenario.GitAsync(scenario.DeveloperPath, "push", "-q", "origin", "origin/production:refs/heads/hotfix/3.0.1");
        var before = await scenario.OriginRefsAsync();

        var error = await Assert.ThrowsAsync<GitException>(() => scenario.CreateWorkspace().FlowStartAsync(GitFlowKind.Hotfix, "3.0.2", None));

        Assert.Equal("Hotfix branch 'hotfix/3.0.1' is already open on origin: git flow allows one hotfix at a time. Finish it, or delete it on origin, before starting hotfix 3.0.2.", error.Message);
        Assert.Equal(before, await scenario.OriginRefsAsync());
    }

    [Theory]
    [InlineData(GitFlowKind.Hotfix, "3.0.1", "hotfix/3.0.1", "production")]
    [InlineData(GitFlowKind.Release, "3.1.0", "release/3.1.0", "develop")]
    public async Task Start_BranchOnOriginStartedBySomeoneElse_RefusesAndPushesNothing(GitFlowKind kind, string version, string branch, string baseBranch)
    {
        using var scenario = await CreateAsync();
        // Someone started it by hand from an old release, not from the branch git flow starts it from.
        await scenario.GitAsync(scenario.DeveloperPath, "push", "-q", "origin", $"v2.9.0^{{commit}}:refs/heads/{branch}");
        var before = await scenario.OriginRefsAsync();

        var error = await Assert.ThrowsAsync<GitException>(() => scenario.CreateWorkspace().FlowStartAsync(kind, version, None));

        Assert.Equal(
            $"Branch '{branch}' already exists on origin but does not descend from '{baseBranch}' ({(await scenario.OriginRevAsync(baseBranch))[..7]}): someone else started it. "
            + $"Delete it on origin or start a {kind.ToString().ToLowerInvariant()} with another version.",
            error.Message);
        Assert.Equal(before, await scenario.OriginRefsAsync());
    }

    [Fact]
    public async Task HotfixFinish_TagExistsOnAnotherCommit_RefusesAndPushesNothing()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();
        await workspace.FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));
        var bump = await workspace.CommitAndPushAsync("hotfix/3.0.1", "Bump version to 3.0.1", [VersionIni], None);
        // While the pull request was reviewed, someone tagged v3.0.1 on the old release.
        await scenario.GitAsync(scenario.DeveloperPath, "push", "-q", "origin", "v3.0.0^{commit}:refs/tags/v3.0.1");
        var tagged = await scenario.OriginRevAsync("v3.0.1");
        var before = await scenario.OriginRefsAsync();

        var error = await Assert.ThrowsAsync<GitException>(() => scenario.CreateWorkspace().FlowFinishAsync(GitFlowKind.Hotfix, "3.0.1", None));

        Assert.Equal(
            $"Tag 'v3.0.1' already exists at {tagged[..7]} but does not contain branch 'hotfix/3.0.1' ({bump.Commit[..7]}): "
            + "the branch has commits that were not released. Release them under a new version.",
            error.Message);
        Assert.Equal(before, await scenario.OriginRefsAsync());
    }

    [Fact]
    public async Task HotfixStart_TagExistsOnAnotherCommit_RefusesAndPushesNothing()
    {
        using var scenario = await CreateAsync();
        await scenario.GitAsync(scenario.DeveloperPath, "push", "-q", "origin", "v2.9.0^{commit}:refs/tags/v3.0.1");
        var before = await scenario.OriginRefsAsync();

        var error = await Assert.ThrowsAsync<GitException>(() => scenario.CreateWorkspace().FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None));

        Assert.Equal("Tag 'v3.0.1' already exists: version 3.0.1 was already released. Start a hotfix with a new version.", error.Message);
        Assert.Equal(before, await scenario.OriginRefsAsync());
    }
}
