using System.ComponentModel;
using System.Text.Json;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Git;

[Activity(
    "git.wait-merged",
    Description = "Waits, holding no worker, until a pull request into the branch is merged on origin and, when asked, approved by its reviewers "
        + "and checked: GitHub pull_request, pull_request_review, check_suite and status webhooks (or `gantry runs signal RUN pull_request "
        + "--merged-into BRANCH`), in any order. A merge that origin contradicts is refused and the step keeps waiting.",
    Example = "id: review\nuses: git.wait-merged\nwith: { branch: hotfix/3.0.1, require_checks: true, checks: [ci/test-bot], reviewers: "
        + "[pr-nightmare] }")]
internal sealed class GitWaitMergedActivity : WaitingActivity<GitWaitMergedActivity.Inputs, GitWaitMergedActivity.Outputs>
{
    public const string SignalName = "pull_request";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string?, string?, string, string, string), bool> Confirmed = new();

    protected override async Task<WaitOrDone<Outputs>> BeginAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var input = context.Input;
        var tip = input.VerifyOnOrigin ? await BranchTipAsync(context, cancellationToken).ConfigureAwait(false) : null;
        return new WaitRequest(
            SignalName,
            "webhook",
            MergeGateWait.Describe(input.Branch, tip, input.Reviewers, input.Approvals, input.RequireChecks, input.Checks));
    }

    protected override async Task<Outputs?> ResumeAsync(ActivityContext<Inputs> context, SignalDelivery signal, CancellationToken cancellationToken)
    {
        var input = context.Input;
        var signals = context.Signals.Count > 0 ? context.Signals : [signal];
        var events = signals.Select(s => (Signal: s, Json: JsonSerializer.SerializeToElement(s.Payload))).ToList();
        var repository = context.Environment?.Repository;
        var latest = JsonSerializer.SerializeToElement(signal.Payload);
        if (repository is not null && !GitHubRepositoryMatcher.Matches(latest, repository))
        {
            context.Log.Info($"ignored an event about repository {GitHubRepositoryMatcher.FullName(latest)}, not this environment's");
        }

        var options = new MergeGateOptions(input.Branch, input.RequireChecks, input.Checks, repository)
        {
            Approvals = input.Approvals,
            Reviewers = input.Reviewers,
        };
        var refusals = input.VerifyOnOrigin
            ? await VerifyOnOriginAsync(context, events.Select(e => e.Json), latest, signal, cancellationToken).ConfigureAwait(false)
            : [];
        switch (MergeGate.Decide(events.Select(e => e.Json), options, m => refusals.GetValueOrDefault(m)))
        {
            case MergeGateDecision.Failed failed:
                throw new GitException(failed.Message);
            case MergeGateDecision.Passed { Merge: var merge, Checks: var checks, Approvers: var approvers }:
                var reportedBy = events.FirstOrDefault(e => PullRequestMergeEvaluator.Evaluate(e.Json, input.Branch) == merge).Signal?.SentBy
                    ?? "unknown";
                var checkNote = checks.Count == 0 ? "" : $"; checks passed on {Short(merge.HeadSha)}: {string.Join(", ", checks)}";
                var reviewNote = approvers.Count == 0 ? "" : $"; approved by {string.Join(", ", approvers)}";
                var originNote = input.VerifyOnOrigin ? $"; origin has merge commit {Short(merge.MergeCommitSha)} on {input.Branch}" : "";
                context.Log.Info(
                    $"pull request #{merge.Number} ({merge.HeadRef}) merged into {input.Branch} by {merge.MergedBy ?? "unknown"}, reported by "
                    + $"{reportedBy}{originNote}{reviewNote}{checkNote}");
                return new Outputs
                {
                    Number = merge.Number,
                    HeadRef = merge.HeadRef,
                    HeadCommit = merge.HeadSha,
                    MergeCommit = merge.MergeCommitSha,
                    MergedBy = merge.MergedBy,
                    ReportedBy = reportedBy,
                    Checks = [.. checks],
                    ApprovedBy = [.. approvers],
                };
            case MergeGateDecision.Waiting waiting:
                context.Log.Info($"still waiting: {waiting.Reason}");
                return null;
            default:
                throw new InvalidOperationException("unknown merge gate decision");
        }
    }

    /// <summary>
    /// Asks origin about every merge claimed so far; a refusal of a merge the latest signal claims is
    /// journaled with its reason and who sent it.
    /// </summary>
    private static async Task<Dictionary<PullRequestMerge, string>> VerifyOnOriginAsync(
        ActivityContext<Inputs> context,
        IEnumerable<JsonElement> payloads,
        JsonElement latest,
        SignalDelivery signal,
        CancellationToken cancellationToken)
    {
        var branch = context.Input.Branch;
        var claims = payloads.Select(p => PullRequestMergeEvaluator.Evaluate(p, branch)).OfType<PullRequestMerge>().Distinct().ToList();
        var refusals = new Dictionary<PullRequestMerge, string>();
        if (claims.Count == 0)
        {
            return refusals;
        }

        using var workspace = await GitWorkspaceFactory.OpenAsIsAsync(context, cancellationToken).ConfigureAwait(false);
        foreach (var claim in claims)
        {
            // The step decides again from every event on each resume; a merge origin confirmed stays confirmed.
            var key = (context.Environment?.Id, context.Environment?.Repository.Url, branch, claim.MergeCommitSha, claim.HeadSha);
            if (Confirmed.ContainsKey(key))
            {
                continue;
            }

            if (await workspace.ContradictsMergeAsync(branch, claim.MergeCommitSha, claim.HeadSha, cancellationToken).ConfigureAwait(false) is
                { } reason)
            {
                refusals[claim] = reason;
            }
            else
            {
                Confirmed.TryAdd(key, true);
            }
        }

        if (PullRequestMergeEvaluator.Evaluate(latest, branch) is { } claimed && refusals.TryGetValue(claimed, out var why))
        {
            context.Log.Warn(
                $"refused pull request #{claimed.Number} ({claimed.HeadRef}) reported merged into {branch} by {signal.SentBy ?? "unknown"}: origin "
                + $"contradicts it: {why}");
        }

        return refusals;
    }

    /// <summary>The branch's commit on origin now, for the wait's description (a hand-made merge signal names it); null when origin cannot be
    /// asked.</summary>
    private static async Task<string?> BranchTipAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        try
        {
            using var workspace = await GitWorkspaceFactory.OpenAsIsAsync(context, cancellationToken).ConfigureAwait(false);
            var resolved = await workspace.ResolveRefAsync(context.Input.Branch, cancellationToken).ConfigureAwait(false);
            return resolved.Kind == GitRefKind.Branch ? resolved.Commit : null;
        }
        catch (GitException ex)
        {
            // Only the description loses the commit; each merge is still checked against origin when it is reported.
            context.Log.Warn($"could not read {context.Input.Branch} on origin: {ex.Message}");
            return null;
        }
    }

    private static string Short(string sha) => sha[..Math.Min(7, sha.Length)];

    public sealed class Inputs
    {
        [Description("The branch the pull request must be merged into, e.g. hotfix/3.0.1.")]
        public required string Branch { get; set; }

        [Description(
            "Also require a passing check on the pull request's head commit (pull_request.head.sha): a check_suite completed with conclusion "
            + "success or a status with state success. A failed one fails the step.")]
        public bool RequireChecks { get; set; }

        [Description(
            "With require_checks: the checks that must each pass, by check suite app (name or slug, e.g. GitHub Actions) or status context (e.g. "
            + "ci/jenkins). Empty means any one passing check.")]
        public List<string> Checks { get; set; } = [];

        [Description(
            "Logins whose latest review of the pull request's head commit must be an approval (pull_request_review events), e.g. [pr-nightmare]; a "
            + "later changes_requested or a dismissal withdraws it.")]
        public List<string> Reviewers { get; set; } = [];

        [Description(
            "How many reviewers must have approved the head commit in all (at least as many as reviewers lists). 0 with no reviewers: no review "
            + "needed.")]
        public int Approvals { get; set; }

        [Description(
            "Accept a merge only when origin confirms it: fetched, the merge commit (or for squash and rebase merges a commit with its tree) is on "
            + "the branch and the head's changes are in it. Turn off only for an origin Gantry cannot reach; the payload is then believed as sent.")]
        public bool VerifyOnOrigin { get; set; } = true;
    }

    public sealed class Outputs
    {
        [Description("Pull request number.")]
        public long Number { get; set; }

        [Description("The merged branch.")]
        public string HeadRef { get; set; } = "";

        [Description("The pull request's head commit, the one its checks ran on.")]
        public string HeadCommit { get; set; } = "";

        [Description("The merge commit.")]
        public string MergeCommit { get; set; } = "";

        [Description("Who merged it.")]
        public string? MergedBy { get; set; }

        [Description("Who delivered the merge event: github:LOGIN for the signed webhook, or the token (and its role) that sent the signal.")]
        public string ReportedBy { get; set; } = "";

        [Description("The checks that passed on the head commit (with require_checks).")]
        public List<string> Checks { get; set; } = [];

        [Description("The reviewers whose latest review approved the head commit (with reviewers or approvals).")]
        public List<string> ApprovedBy { get; set; } = [];
    }
}
