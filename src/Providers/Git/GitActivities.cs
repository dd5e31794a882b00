using System.ComponentModel;
using System.Text.Json;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Git;

[Activity("git.latest-tag", Description = "Finds a release tag on origin: stable (highest vX.Y.Z without pre-release), latest, or an exact tag that must exist.",
    Example = "id: tag\nuses: git.latest-tag\nwith: { ref: stable }")]
internal sealed class GitLatestTagActivity : Activity<GitLatestTagActivity.Inputs, GitLatestTagActivity.Outputs>
{
    protected override async Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        using var workspace = await GitWorkspaceFactory.OpenAsIsAsync(context, cancellationToken).ConfigureAwait(false);
        var tag = await workspace.LatestTagAsync(context.Input.Ref, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"{context.Input.Ref} is {tag.Tag} ({tag.Commit[..Math.Min(7, tag.Commit.Length)]})");
        return new Outputs { Tag = tag.Tag, Version = tag.Version.ToString(), Commit = tag.Commit };
    }

    public sealed class Inputs
    {
        [Description("stable, latest, or an exact tag such as v3.0.1.")]
        public string Ref { get; set; } = "stable";
    }

    public sealed class Outputs
    {
        [Description("The tag, e.g. v3.0.1.")]
        public string Tag { get; set; } = "";

        [Description("Its version without prefix, e.g. 3.0.1.")]
        public string Version { get; set; } = "";

        [Description("The commit the tag points at.")]
        public string Commit { get; set; } = "";
    }
}

/// <summary>The git flow actions Gantry performs.</summary>
public enum GitFlowAction { HotfixStart, HotfixFinish, ReleaseStart, ReleaseFinish }

[Activity("git.flow", Description = "git flow hotfix/release start and finish, done with plain git: branch from the right base, finish merges --no-ff into production and develop, tags, pushes. Idempotent.",
    Example = "uses: git.flow\nwith: { action: hotfix-start, version: 3.0.1 }")]
internal sealed class GitFlowActivity : Activity<GitFlowActivity.Inputs, GitFlowActivity.Outputs>
{
    protected override async Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        using var workspace = await GitWorkspaceFactory.OpenAsync(context, cancellationToken).ConfigureAwait(false);
        var input = context.Input;
        var kind = input.Action is GitFlowAction.HotfixStart or GitFlowAction.HotfixFinish ? GitFlowKind.Hotfix : GitFlowKind.Release;
        if (input.Action is GitFlowAction.HotfixStart or GitFlowAction.ReleaseStart)
        {
            var branch = await workspace.FlowStartAsync(kind, input.Version, cancellationToken).ConfigureAwait(false);
            context.Log.Info(branch.Created ? $"created and pushed {branch.Branch}" : $"{branch.Branch} already exists on origin; reusing it");
            return new Outputs { Branch = branch.Branch, Commit = branch.Commit, Workdir = workspace.WorkingDirectory };
        }

        var finish = await workspace.FlowFinishAsync(kind, input.Version, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"tagged {finish.Tag} and pushed production and develop");
        return new Outputs { Tag = finish.Tag, Commit = finish.ProductionCommit, Workdir = workspace.WorkingDirectory };
    }

    public sealed class Inputs
    {
        [Description("hotfix-start, hotfix-finish, release-start or release-finish.")]
        public required GitFlowAction Action { get; set; }

        [Description("The version, e.g. 3.0.1 (no prefix).")]
        public required string Version { get; set; }
    }

    public sealed class Outputs
    {
        [Description("The hotfix or release branch (start).")]
        public string? Branch { get; set; }

        [Description("The tag created (finish).")]
        public string? Tag { get; set; }

        [Description("The branch's or production's commit.")]
        public string Commit { get; set; } = "";

        [Description("The clone's folder, for file edits before a commit.")]
        public string Workdir { get; set; } = "";
    }
}

[Activity("git.commit-push", Description = "Commits changed files on a branch and pushes it; nothing to commit is not an error.",
    Example = "uses: git.commit-push\nwith: { branch: hotfix/3.0.1, message: Bump version to 3.0.1, paths: [opensky/config/version.ini] }")]
internal sealed class GitCommitPushActivity : Activity<GitCommitPushActivity.Inputs, GitCommitPushActivity.Outputs>
{
    protected override async Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        // The edit to commit was made in the clone by an earlier step: open it without resetting it.
        using var workspace = await GitWorkspaceFactory.OpenAsIsAsync(context, cancellationToken).ConfigureAwait(false);
        var result = await workspace.CommitAndPushAsync(context.Input.Branch, context.Input.Message, context.Input.Paths, cancellationToken).ConfigureAwait(false);
        context.Log.Info(result.Committed ? $"committed {result.Commit[..7]} on {context.Input.Branch}" : "nothing to commit");
        return new Outputs { Commit = result.Commit, Committed = result.Committed, Pushed = result.Pushed };
    }

    public sealed class Inputs
    {
        [Description("Branch to commit on and push.")]
        public required string Branch { get; set; }

        [Description("Commit message.")]
        public required string Message { get; set; }

        [Description("Paths (relative to the repository) to commit; empty means every change.")]
        public List<string> Paths { get; set; } = [];
    }

    public sealed class Outputs
    {
        [Description("The branch's commit after the step.")]
        public string Commit { get; set; } = "";

        [Description("Whether a commit was made.")]
        public bool Committed { get; set; }

        [Description("Whether anything was pushed.")]
        public bool Pushed { get; set; }
    }
}

[Activity("git.wait-merged", Description = "Waits, holding no worker, until a pull request into the branch is merged and, with require_checks, a check on its head commit passed: GitHub pull_request, check_suite and status webhooks (or `gantry runs signal RUN pull_request --merged-into BRANCH`), in any order.",
    Example = "id: review\nuses: git.wait-merged\nwith: { branch: hotfix/3.0.1, require_checks: true }")]
internal sealed class GitWaitMergedActivity : WaitingActivity<GitWaitMergedActivity.Inputs, GitWaitMergedActivity.Outputs>
{
    public const string SignalName = "pull_request";

    protected override Task<WaitOrDone<Outputs>> BeginAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken) =>
        Task.FromResult<WaitOrDone<Outputs>>(new WaitRequest(SignalName, "webhook", context.Input.RequireChecks
            ? $"a pull request merged into {context.Input.Branch} with its checks passed"
            : $"a pull request merged into {context.Input.Branch}"));

    protected override Task<Outputs?> ResumeAsync(ActivityContext<Inputs> context, SignalDelivery signal, CancellationToken cancellationToken)
    {
        var input = context.Input;
        var signals = context.Signals.Count > 0 ? context.Signals : [signal];
        var latest = JsonSerializer.SerializeToElement(signal.Payload);
        var repository = context.Environment?.Repository;
        if (repository is not null && !GitHubRepositoryMatcher.Matches(latest, repository))
        {
            context.Log.Info($"ignored an event about repository {GitHubRepositoryMatcher.FullName(latest)}, not this environment's");
        }

        var options = new MergeGateOptions(input.Branch, input.RequireChecks, input.Checks, repository);
        switch (MergeGate.Decide(signals.Select(s => JsonSerializer.SerializeToElement(s.Payload)), options))
        {
            case MergeGateDecision.Failed failed:
                throw new GitException(failed.Message);
            case MergeGateDecision.Passed { Merge: var merge, Checks: var checks }:
                var checkNote = checks.Count == 0 ? "" : $"; checks passed on {merge.HeadSha[..Math.Min(7, merge.HeadSha.Length)]}: {string.Join(", ", checks)}";
                context.Log.Info($"pull request #{merge.Number} ({merge.HeadRef}) merged into {input.Branch} by {merge.MergedBy ?? "unknown"}{checkNote}");
                return Task.FromResult<Outputs?>(new Outputs
                {
                    Number = merge.Number,
                    HeadRef = merge.HeadRef,
                    HeadCommit = merge.HeadSha,
                    MergeCommit = merge.MergeCommitSha,
                    MergedBy = merge.MergedBy,
                    Checks = [.. checks],
                });
            case MergeGateDecision.Waiting waiting:
                context.Log.Info($"still waiting: {waiting.Reason}");
                return Task.FromResult<Outputs?>(null);
            default:
                throw new InvalidOperationException("unknown merge gate decision");
        }
    }

    public sealed class Inputs
    {
        [Description("The branch the pull request must be merged into, e.g. hotfix/3.0.1.")]
        public required string Branch { get; set; }

        [Description("Also require a passing check on the pull request's head commit (pull_request.head.sha): a check_suite completed with conclusion success or a status with state success. A failed one fails the step.")]
        public bool RequireChecks { get; set; }

        [Description("With require_checks: the checks that must each pass, by check suite app (name or slug, e.g. GitHub Actions) or status context (e.g. ci/jenkins). Empty means any one passing check.")]
        public List<string> Checks { get; set; } = [];
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

        [Description("The checks that passed on the head commit (with require_checks).")]
        public List<string> Checks { get; set; } = [];
    }
}
