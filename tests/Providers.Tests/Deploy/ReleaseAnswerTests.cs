using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.Tests.Deploy;

public sealed class ReleaseAnswerTests
{
    [Theory]
    [InlineData("3.0.1\n", "v3.0.1")]
    [InlineData("{\"version\":\"v3.0.1\"}", "v3.0.1")]
    [InlineData("opensky 3.0.1 (build 77)", "v3.0.1")]
    [InlineData("release release-2024.1 up", "release-2024.1")]
    [InlineData("commit 3f2a9c1d0e4b5a6978c1d2e3f4a5b6c7d8e9f0a1", "3f2a9c1")]
    public void Names_AnswerNamesTheRelease_IsTrue(string answer, string release) =>
        Assert.True(ReleaseAnswer.Names(answer, release));

    [Theory]
    [InlineData("3.0.0\n", "v3.0.1")]
    [InlineData("3.0.10\n", "v3.0.1")]
    [InlineData("13.0.1\n", "v3.0.1")]
    [InlineData("3.0.1-rc1\n", "v3.0.1")]
    [InlineData("3.0.1.2\n", "v3.0.1")]
    [InlineData("", "v3.0.1")]
    [InlineData("commit 03f2a9c1d0e4b5a6978c1d2e3f4a5b6c7d8e9f0a1", "3f2a9c1")]
    public void Names_AnswerNamesAnotherRelease_IsFalse(string answer, string release) =>
        Assert.False(ReleaseAnswer.Names(answer, release));

    [Fact]
    public void Describe_VersionTag_GivesBothSpellings() =>
        Assert.Equal(("v3.0.1 (or 3.0.1)", "3f2a9c1"), (ReleaseAnswer.Describe("v3.0.1"), ReleaseAnswer.Describe("3f2a9c1")));
}
