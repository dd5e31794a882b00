using Gantry.Providers.Git;

namespace Gantry.Providers.Tests.Git;

public class TagSelectorTests
{
    private static readonly string[] Tags =
        ["v3.0.1", "v3.0.10", "v3.0.9", "v2.9.0", "v3.1.0-rc1", "v3", "release-1", "vfoo", "v3.0", "3.2.0", "v01.0.0"];

    [Fact]
    public void Select_Stable_HighestWithoutPreRelease()
    {
        Assert.Equal("v3.0.10", TagSelector.Select(Tags, "stable").Tag);
    }

    [Fact]
    public void Select_Latest_IncludesPreReleases()
    {
        var selected = TagSelector.Select(Tags, "latest");

        Assert.Equal("v3.1.0-rc1", selected.Tag);
        Assert.Equal("3.1.0-rc1", selected.Version.ToString());
    }

    [Fact]
    public void Parse_NumericOrder_JunkIgnored()
    {
        Assert.Equal(
            ["v2.9.0", "v3.0.1", "v3.0.9", "v3.0.10", "v3.1.0-rc1"],
            TagSelector.Parse(Tags).Select(t => t.Tag));
    }

    [Theory]
    [InlineData("v3.0.9")]
    [InlineData("3.0.9")]
    public void Select_ExplicitExisting_ReturnsIt(string reference)
    {
        Assert.Equal("v3.0.9", TagSelector.Select(Tags, reference).Tag);
    }

    [Fact]
    public void Select_ExplicitMissing_ListsNearestTags()
    {
        var error = Assert.Throws<GitException>(() => TagSelector.Select(Tags, "v3.0.5"));

        Assert.Equal("Tag 'v3.0.5' does not exist. Nearest existing tags: v2.9.0, v3.0.1, v3.0.9, v3.0.10, v3.1.0-rc1.", error.Message);
    }

    [Fact]
    public void Select_NotAVersion_SaysWhatIsExpected()
    {
        var error = Assert.Throws<GitException>(() => TagSelector.Select(Tags, "release-1"));

        Assert.Equal("Ref 'release-1' is not valid: expected 'stable', 'latest' or a version tag like 'v1.2.3'.", error.Message);
    }

    [Fact]
    public void Select_StableWhenOnlyPreReleases_ExplainsAndListsTags()
    {
        var error = Assert.Throws<GitException>(() => TagSelector.Select(["v1.0.0-beta", "junk"], "stable"));

        Assert.Equal(
            "No stable release tag found: no tag is 'v' followed by a semantic version without a pre-release part (like 'v1.2.3'). Release tags present: v1.0.0-beta.",
            error.Message);
    }

    [Fact]
    public void Select_NoTags_SaysSo()
    {
        var error = Assert.Throws<GitException>(() => TagSelector.Select([], "latest"));

        Assert.Equal(
            "No release tag found: no tag is 'v' followed by a semantic version (like 'v1.2.3'). The repository has no tags of the form 'vX.Y.Z'.",
            error.Message);
    }

    [Fact]
    public void Select_OtherPrefix_OnlyThatPrefixCounts()
    {
        string[] tags = ["release-1.2.0", "release-1.10.0", "v9.0.0", "release-2.0.0-rc.1"];

        Assert.Equal("release-1.10.0", TagSelector.Select(tags, "stable", "release-").Tag);
        Assert.Equal("release-2.0.0-rc.1", TagSelector.Select(tags, "latest", "release-").Tag);
        Assert.Equal("release-1.2.0", TagSelector.Select(tags, "1.2.0", "release-").Tag);
    }

    [Fact]
    public void Select_EmptyPrefix_BareVersions()
    {
        Assert.Equal("3.2.0", TagSelector.Select(Tags, "stable", string.Empty).Tag);
    }
}
