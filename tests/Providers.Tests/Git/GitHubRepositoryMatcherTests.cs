using System.Text.Json;
using Gantry.Engine.Model;
using Gantry.Providers.Git;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Git;

public class GitHubRepositoryMatcherTests
{
    private static JsonElement MergeIn(string repository) => JsonDocument.Parse(GitHubEvents.PullRequestMerged("develop", repository: repository)).RootElement.Clone();

    [Theory]
    [InlineData("git@github.com:opensky/opensky.git")]
    [InlineData("https://github.com/opensky/opensky.git")]
    [InlineData("https://deploy:token@github.com/OpenSky/opensky")]
    [InlineData("ssh://git@github.com:22/opensky/opensky.git")]
    [InlineData("github.com:opensky/opensky")]
    public void Matches_SameRepositoryWhateverTheUrlForm_True(string url)
    {
        Assert.True(GitHubRepositoryMatcher.Matches(MergeIn("opensky/opensky"), new RepositorySettings { Url = url }));
    }

    [Theory]
    [InlineData("git@github.com:opensky/opensky.git")]
    [InlineData("https://gitlab.example.com/opensky/opensky.git")]
    public void Matches_AnotherRepositoryOrHost_False(string url)
    {
        Assert.False(GitHubRepositoryMatcher.Matches(MergeIn(url.Contains("gitlab", StringComparison.Ordinal) ? "opensky/opensky" : "opensky/opensky-fork"), new RepositorySettings { Url = url }));
    }

    [Theory]
    [InlineData("sandbox")]
    [InlineData("/srv/git/opensky.git")]
    [InlineData("file:///srv/git/opensky.git")]
    [InlineData("../origin.git")]
    public void Matches_LocalOriginWithoutGithubName_AcceptsEveryRepository(string url)
    {
        Assert.True(GitHubRepositoryMatcher.Matches(MergeIn("anyone/anything"), new RepositorySettings { Url = url }));
    }

    [Fact]
    public void Matches_GithubNameSet_ComparesFullNameWhateverTheUrl()
    {
        var repository = new RepositorySettings { Url = "/srv/git/opensky.git", Github = "opensky/opensky" };

        Assert.True(GitHubRepositoryMatcher.Matches(MergeIn("OpenSky/OpenSky"), repository));
        Assert.False(GitHubRepositoryMatcher.Matches(MergeIn("opensky/other"), repository));
    }

    [Fact]
    public void Matches_PayloadWithoutRepository_True()
    {
        var payload = JsonDocument.Parse("""{ "action": "closed", "pull_request": { "merged": true } }""").RootElement;

        Assert.True(GitHubRepositoryMatcher.Matches(payload, new RepositorySettings { Url = "git@github.com:opensky/opensky.git", Github = "opensky/opensky" }));
    }

    [Theory]
    [InlineData("git@github.com:opensky/opensky.git", "github.com/opensky/opensky")]
    [InlineData("https://user:secret@GitHub.com:443/opensky/opensky.git/", "github.com/opensky/opensky")]
    [InlineData("ssh://git@ghe.example.com:2222/team/app", "ghe.example.com/team/app")]
    [InlineData("sandbox", null)]
    [InlineData("/srv/git/a:b.git", null)]
    [InlineData("C:/repos/opensky", null)]
    public void Normalize_GivesHostAndPathOrNullForLocalOrigins(string url, string? expected)
    {
        Assert.Equal(expected, GitHubRepositoryMatcher.Normalize(url));
    }
}
