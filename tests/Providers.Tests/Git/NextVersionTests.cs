using Gantry.Providers.Git;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Git;

/// <summary>
/// git.next-version's computation on a real origin whose tags carry the decoys real repositories
/// have: pre-releases above the newest release (v3.1.0-rc1, v4.0.0-beta.1), a two-part v3.2, a
/// one-part v3, nightly-..., release-1 and vfoo. Only v2.9.0 and v3.0.0 are stable releases.
/// </summary>
public sealed class NextVersionTests
{
    [Theory]
    [InlineData(VersionBump.Major, "4.0.0")]
    [InlineData(VersionBump.Minor, "3.1.0")]
    [InlineData(VersionBump.Patch, "3.0.1")]
    public async Task NextVersion_NoneGiven_BumpsTheNewestStableTag_DecoysIgnored(VersionBump bump, string expected)
    {
        using var scenario = await ScenarioWithDecoysAsync();

        var next = await scenario.CreateWorkspace().NextVersionAsync(bump, null, CancellationToken.None);

        Assert.Equal(new NextVersionResult(expected, "v" + expected, "v3.0.0"), next);
    }

    [Fact]
    public async Task NextVersion_Given_IsUsedWhenAboveTheNewestStableTag()
    {
        using var scenario = await ScenarioWithDecoysAsync();

        var next = await scenario.CreateWorkspace().NextVersionAsync(VersionBump.Minor, " 3.2.0 ", CancellationToken.None);

        Assert.Equal(new NextVersionResult("3.2.0", "v3.2.0", "v3.0.0"), next);
    }

    [Theory]
    [InlineData("3.0.0", "version '3.0.0' is not above the newest stable release v3.0.0: give a higher version, or none to get 3.1.0")]
    [InlineData("2.9.1", "version '2.9.1' is not above the newest stable release v3.0.0: give a higher version, or none to get 3.1.0")]
    [InlineData("3.0.0-rc9", "version '3.0.0-rc9' is not above the newest stable release v3.0.0: give a higher version, or none to get 3.1.0")]
    [InlineData("v3.1.0", "version 'v3.1.0' is not a semantic version like 3.1.0 (give it without the 'v' prefix)")]
    [InlineData("3.1", "version '3.1' is not a semantic version like 3.1.0")]
    [InlineData("03.1.0", "version '03.1.0' is not a semantic version like 3.1.0")]
    public async Task NextVersion_GivenNotAStrictVersionAboveTheNewestStable_IsRefused(string given, string message)
    {
        using var scenario = await ScenarioWithDecoysAsync();
        var workspace = scenario.CreateWorkspace();

        var error = await Assert.ThrowsAsync<GitException>(() => workspace.NextVersionAsync(VersionBump.Minor, given, CancellationToken.None));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task NextVersion_AfterAHotfixIsTagged_CountsTheNewTag()
    {
        using var scenario = await ScenarioWithDecoysAsync();
        await scenario.GitAsync(scenario.DeveloperPath, "fetch", "-q", "origin");
        await scenario.GitAsync(scenario.DeveloperPath, "tag", "-a", "-m", "Release 3.0.1", "v3.0.1", "origin/production");
        await scenario.GitAsync(scenario.DeveloperPath, "push", "-q", "origin", "v3.0.1");

        var next = await scenario.CreateWorkspace().NextVersionAsync(VersionBump.Patch, "", CancellationToken.None);

        Assert.Equal(new NextVersionResult("3.0.2", "v3.0.2", "v3.0.1"), next);
    }

    [Fact]
    public async Task NextVersion_UnpushedLocalTag_DoesNotCount()
    {
        using var scenario = await ScenarioWithDecoysAsync();
        var workspace = scenario.CreateWorkspace();
        await workspace.EnsureCloneAsync(CancellationToken.None);
        await scenario.GitAsync(workspace.WorkingDirectory, "tag", "v9.0.0");

        var next = await workspace.NextVersionAsync(VersionBump.Minor, null, CancellationToken.None);

        Assert.Equal("3.1.0", next.Version);
    }

    [Fact]
    public void Compute_NoStableTagYet_StartsFromZero()
    {
        var next = NextVersion.Compute(["v0.1.0-alpha", "nightly-20260101", "v1"], VersionBump.Minor, null);

        Assert.Equal(new NextVersionResult("0.1.0", "v0.1.0", ""), next);
    }

    /// <summary>The hotfix scenario's origin plus the decoys it lacks, pushed by the developer.</summary>
    private static async Task<GitScenarioFixture> ScenarioWithDecoysAsync()
    {
        var scenario = await GitScenarioFixture.CreateAsync();
        await scenario.GitAsync(scenario.DeveloperPath, "fetch", "-q", "origin");
        foreach (var decoy in new[] { "v3.2", "nightly-20260105", "v4.0.0-beta.1" })
        {
            await scenario.GitAsync(scenario.DeveloperPath, "tag", decoy, "origin/develop");
        }

        await scenario.GitAsync(scenario.DeveloperPath, "push", "-q", "origin", "--tags");
        var tags = (await scenario.OriginAsync("tag", "--list")).Split('\n');
        Assert.Equal(["nightly-20260105", "release-1", "v2.9.0", "v3", "v3.0.0", "v3.1.0-rc1", "v3.2", "v4.0.0-beta.1", "vfoo"], tags.Order(StringComparer.Ordinal));
        return scenario;
    }
}
