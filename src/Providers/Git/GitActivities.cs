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
        var workspace = await GitWorkspaceFactory.OpenForQueriesAsync(context, cancellationToken).ConfigureAwait(false);
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
        var workspace = await GitWorkspaceFactory.OpenAsync(context, cancellationToken).ConfigureAwait(false);
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
        var workspace = new GitWorkspace(await OptionsAsync(context, cancellationToken).ConfigureAwait(false));
        var result = await workspace.CommitAndPushAsync(context.Input.Branch, context.Input.Message, context.Input.Paths, cancellationToken).ConfigureAwait(false);
        context.Log.Info(result.Committed ? $"committed {result.Commit[..7]} on {context.Input.Branch}" : "nothing to commit");
        return new Outputs { Commit = result.Commit, Committed = result.Committed, Pushed = result.Pushed };
    }

    // The edit to commit was made in the clone by an earlier step: open it without resetting it.
    private static async Task<GitWorkspaceOptions> OptionsAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var environment = context.Environment ?? throw new GitException("git.commit-push needs an environment");
        var url = environment.Repository.Url == "sandbox"
            ? await Sandbox.SandboxOrigin.EnsureAsync(context.DataDirectory, cancellationToken).ConfigureAwait(false)
            : environment.Repository.Url ?? throw new GitException($"environment {environment.Id} has no repository.url");
        return new GitWorkspaceOptions { RepositoryUrl = url, DataDirectory = Path.GetFullPath(context.DataDirectory), EnvironmentName = environment.Id };
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

[Activity("git.wait-merged", Description = "Waits, holding no worker, until a pull request into the branch is merged (a GitHub pull_request webhook or `gantry runs signal RUN pull_request --data ...`).",
    Example = "id: review\nuses: git.wait-merged\nwith: { branch: hotfix/3.0.1 }")]
internal sealed class GitWaitMergedActivity : WaitingActivity<GitWaitMergedActivity.Inputs, GitWaitMergedActivity.Outputs>
{
    public const string SignalName = "pull_request";

    protected override Task<WaitOrDone<Outputs>> BeginAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken) =>
        Task.FromResult<WaitOrDone<Outputs>>(new WaitRequest(SignalName, "webhook", $"a pull request merged into {context.Input.Branch}"));

    protected override Task<Outputs?> ResumeAsync(ActivityContext<Inputs> context, SignalDelivery signal, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToElement(signal.Payload);
        var merge = PullRequestMergeEvaluator.Evaluate(payload, context.Input.Branch);
        if (merge is null)
        {
            context.Log.Info($"ignored a pull_request event that is not a merge into {context.Input.Branch}");
            return Task.FromResult<Outputs?>(null);
        }

        if (context.Input.RequireChecks && !ChecksPassed(payload))
        {
            context.Log.Warn($"pull request #{merge.Number} was merged into {context.Input.Branch} but its required checks had not passed (mergeable_state is not clean); still waiting");
            return Task.FromResult<Outputs?>(null);
        }

        context.Log.Info($"pull request #{merge.Number} ({merge.HeadRef}) merged into {context.Input.Branch} by {merge.MergedBy ?? "unknown"}");
        return Task.FromResult<Outputs?>(new Outputs { Number = merge.Number, HeadRef = merge.HeadRef, MergeCommit = merge.MergeCommitSha, MergedBy = merge.MergedBy });
    }

    private static bool ChecksPassed(JsonElement payload) =>
        payload.TryGetProperty("pull_request", out var pr) && pr.TryGetProperty("mergeable_state", out var state)
        && state.ValueKind == JsonValueKind.String && state.GetString() is "clean" or "has_hooks";

    public sealed class Inputs
    {
        [Description("The branch the pull request must be merged into, e.g. hotfix/3.0.1.")]
        public required string Branch { get; set; }

        [Description("Also require that the pull request's checks passed (GitHub mergeable_state clean).")]
        public bool RequireChecks { get; set; }
    }

    public sealed class Outputs
    {
        [Description("Pull request number.")]
        public long Number { get; set; }

        [Description("The merged branch.")]
        public string HeadRef { get; set; } = "";

        [Description("The merge commit.")]
        public string MergeCommit { get; set; } = "";

        [Description("Who merged it.")]
        public string? MergedBy { get; set; }
    }
}
