using System.Text.Json;
using Gantry.Providers.Git;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Git;

public class CheckResultEvaluatorTests
{
    private static CheckResult? Evaluate(string json) => CheckResultEvaluator.Evaluate(JsonDocument.Parse(json).RootElement);

    [Theory]
    [InlineData("success", CheckOutcome.Passed)]
    [InlineData("failure", CheckOutcome.Failed)]
    [InlineData("timed_out", CheckOutcome.Failed)]
    [InlineData("neutral", CheckOutcome.Undecided)]
    [InlineData("cancelled", CheckOutcome.Undecided)]
    public void Evaluate_CompletedCheckSuite_ReadsShaAppAndConclusion(string conclusion, CheckOutcome outcome)
    {
        var result = Evaluate(GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, conclusion))!;

        Assert.Equal((GitHubEvents.HeadSha, "GitHub Actions", outcome, conclusion), (result.Sha, result.Name, result.Outcome, result.Result));
        Assert.Equal(["GitHub Actions", "github-actions"], result.Aliases);
    }

    [Theory]
    [InlineData("success", CheckOutcome.Passed)]
    [InlineData("failure", CheckOutcome.Failed)]
    [InlineData("error", CheckOutcome.Failed)]
    [InlineData("pending", CheckOutcome.Undecided)]
    public void Evaluate_Status_ReadsShaContextAndState(string state, CheckOutcome outcome)
    {
        var result = Evaluate(GitHubEvents.Status(GitHubEvents.HeadSha, state))!;

        Assert.Equal(new CheckResult(GitHubEvents.HeadSha, "ci/test-bot", result.Aliases, outcome, state), result);
        Assert.Equal(["ci/test-bot"], result.Aliases);
    }

    [Fact]
    public void Evaluate_CheckSuiteRequested_Null()
    {
        Assert.Null(Evaluate(GitHubEvents.CheckSuiteCompleted(GitHubEvents.HeadSha, "success").Replace("\"action\": \"completed\"", "\"action\": \"requested\"", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{ "zen": "Keep it logically awesome." }""")]
    [InlineData("""{ "check_suite": "x", "action": "completed" }""")]
    public void Evaluate_OtherShapes_NullWithoutThrowing(string json)
    {
        Assert.Null(Evaluate(json));
    }

    [Fact]
    public void Evaluate_PullRequestEvent_Null()
    {
        Assert.Null(Evaluate(GitHubEvents.PullRequestMerged("develop")));
    }
}
