using System.Text.Json;
using Gantry.Providers.Git;

namespace Gantry.Providers.Tests.Git;

public class PullRequestMergeEvaluatorTests
{
    private static JsonElement Payload(string action = "closed", bool merged = true, string baseRef = "hotfix/3.0.1") =>
        JsonDocument.Parse($$"""
        {
          "action": "{{action}}",
          "number": 42,
          "pull_request": {
            "number": 42,
            "merged": {{(merged ? "true" : "false")}},
            "merge_commit_sha": "{{(merged ? "9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c" : "")}}",
            "merged_by": { "login": "teammate" },
            "head": { "ref": "fix-the-bug", "sha": "abc" },
            "base": { "ref": "{{baseRef}}", "sha": "def" }
          },
          "repository": { "full_name": "opensky/opensky" }
        }
        """).RootElement.Clone();

    [Fact]
    public void Evaluate_MergedIntoBase_ReturnsTheMerge()
    {
        Assert.Equal(
            new PullRequestMerge(42, "fix-the-bug", "9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c", "teammate", "abc"),
            PullRequestMergeEvaluator.Evaluate(Payload(), "hotfix/3.0.1"));
    }

    [Fact]
    public void Evaluate_RealMergedEventWithMergeableStateUnknown_ReturnsTheMergeWithItsHeadCommit()
    {
        var payload = JsonDocument.Parse(GitHubEvents.PullRequestMerged("hotfix/3.0.1")).RootElement;

        Assert.Equal(
            new PullRequestMerge(7, "fix-the-bug", GitHubEvents.MergeSha, "teammate", GitHubEvents.HeadSha),
            PullRequestMergeEvaluator.Evaluate(payload, "hotfix/3.0.1"));
    }

    [Fact]
    public void Evaluate_BaseGivenAsFullRef_Matches()
    {
        Assert.NotNull(PullRequestMergeEvaluator.Evaluate(Payload(), "refs/heads/hotfix/3.0.1"));
    }

    [Fact]
    public void Evaluate_ClosedWithoutMerge_Null()
    {
        Assert.Null(PullRequestMergeEvaluator.Evaluate(Payload(merged: false), "hotfix/3.0.1"));
    }

    [Fact]
    public void Evaluate_OtherBase_Null()
    {
        Assert.Null(PullRequestMergeEvaluator.Evaluate(Payload(baseRef: "develop"), "hotfix/3.0.1"));
    }

    [Theory]
    [InlineData("opened")]
    [InlineData("synchronize")]
    [InlineData("reopened")]
    public void Evaluate_OtherAction_Null(string action)
    {
        Assert.Null(PullRequestMergeEvaluator.Evaluate(Payload(action: action), "hotfix/3.0.1"));
    }

    [Theory]
    [InlineData("""{ "zen": "Keep it logically awesome." }""")]
    [InlineData("""{ "action": "closed", "pull_request": { "merged": "yes" } }""")]
    [InlineData("""{ "action": "closed", "pull_request": { "merged": true, "base": "hotfix/3.0.1" } }""")]
    [InlineData("[]")]
    public void Evaluate_UnexpectedShape_NullWithoutThrowing(string json)
    {
        Assert.Null(PullRequestMergeEvaluator.Evaluate(JsonDocument.Parse(json).RootElement, "hotfix/3.0.1"));
    }
}
