using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Git;

[Activity(
    "git.latest-tag",
    Description = "Finds a release tag on origin: stable (highest vX.Y.Z without pre-release), latest, or an exact tag that must exist.",
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

[Activity(
    "git.flow",
    Description = "git flow hotfix/release start and finish, done with plain git: branch from the right base, finish merges --no-ff into production "
        + "and develop, tags, pushes. Idempotent.",
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
        var result = await workspace
            .CommitAndPushAsync(context.Input.Branch, context.Input.Message, context.Input.Paths, cancellationToken)
            .ConfigureAwait(false);
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
