using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Git;

[Activity(
    "git.next-version",
    Description = "The next release version from the newest stable tag on origin (bump major, minor or patch), or a given version checked to be a "
        + "SemVer above it.",
    Example = "id: version\nuses: git.next-version\nwith: { bump: minor, version: \"{{ inputs.version }}\" }")]
internal sealed class GitNextVersionActivity : Activity<GitNextVersionActivity.Inputs, GitNextVersionActivity.Outputs>
{
    protected override async Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        using var workspace = await GitWorkspaceFactory.OpenAsIsAsync(context, cancellationToken).ConfigureAwait(false);
        var next = await workspace.NextVersionAsync(context.Input.Bump, context.Input.Version, cancellationToken).ConfigureAwait(false);
        var from = next.Previous.Length == 0 ? "no stable release tag yet" : $"after {next.Previous}";
        context.Log.Info(string.IsNullOrWhiteSpace(context.Input.Version)
            ? $"next {context.Input.Bump.ToString().ToLowerInvariant()} version is {next.Version} ({from})"
            : $"using the given version {next.Version} ({from})");
        return new Outputs { Version = next.Version, Tag = next.Tag, Previous = next.Previous };
    }

    public sealed class Inputs
    {
        [Description("major, minor or patch: the part of the newest stable version to raise when no version is given.")]
        public VersionBump Bump { get; set; } = VersionBump.Minor;

        [Description("A version to use instead (no prefix, e.g. 3.1.0); empty computes it. It must be above the newest stable tag.")]
        public string? Version { get; set; }
    }

    public sealed class Outputs
    {
        [Description("The version without prefix, e.g. 3.1.0.")]
        public string Version { get; set; } = "";

        [Description("The tag it gets, e.g. v3.1.0.")]
        public string Tag { get; set; } = "";

        [Description("The newest stable tag before it, e.g. v3.0.0; empty when there is none.")]
        public string Previous { get; set; } = "";
    }
}
