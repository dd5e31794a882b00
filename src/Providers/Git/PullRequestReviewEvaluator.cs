using System.Text.Json;
using static Gantry.Providers.Git.GitHubPayload;

namespace Gantry.Providers.Git;

/// <summary>What a review says: approved, changes requested, dismissed (withdrawn), or only commented.</summary>
public enum ReviewState { Approved, ChangesRequested, Dismissed, Commented }

/// <summary>One review of a pull request, from a GitHub <c>pull_request_review</c> event.</summary>
/// <param name="Number">The pull request's number.</param>
/// <param name="BaseRef">The branch the pull request goes into.</param>
/// <param name="Reviewer">The reviewer's login.</param>
/// <param name="State">What the review says.</param>
/// <param name="CommitId">The commit reviewed (<c>review.commit_id</c>); empty when absent.</param>
public sealed record PullRequestReview(long Number, string BaseRef, string Reviewer, ReviewState State, string CommitId);

/// <summary>
/// Reads a GitHub <c>pull_request_review</c> event: <c>action</c> submitted or edited with
/// <c>review.state</c> approved, changes_requested or commented; <c>action: dismissed</c> (or
/// <c>review.state: dismissed</c>) withdraws the reviewer's earlier review. Pure: never throws on an
/// unexpected payload shape.
/// </summary>
public static class PullRequestReviewEvaluator
{
    /// <summary>The review the payload reports, or <see langword="null"/> when it is no review event.</summary>
    public static PullRequestReview? Evaluate(JsonElement payload)
    {
        if (Object(payload, "review") is not { } review || Object(payload, "pull_request") is not { } pullRequest)
        {
            return null;
        }

        var reviewer = Object(review, "user") is { } user ? Text(user, "login") : null;
        var baseRef = Object(pullRequest, "base") is { } @base ? Text(@base, "ref") : null;
        var number = pullRequest.TryGetProperty("number", out var n) && n.TryGetInt64(out var value) ? value : 0;
        if (string.IsNullOrEmpty(reviewer) || baseRef is null || number == 0)
        {
            return null;
        }

        var state = (Text(payload, "action"), Text(review, "state")?.ToLowerInvariant()) switch
        {
            ("dismissed", _) or (_, "dismissed") => ReviewState.Dismissed,
            (_, "approved") => ReviewState.Approved,
            (_, "changes_requested") => ReviewState.ChangesRequested,
            _ => ReviewState.Commented,
        };
        return new PullRequestReview(number, baseRef, reviewer, state, Text(review, "commit_id") ?? "");
    }
}
