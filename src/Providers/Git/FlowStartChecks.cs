using Semver;

namespace Gantry.Providers.Git;

/// <summary>
/// What refuses a git flow start before anything is pushed, from origin's tags and branches as
/// fetched: the version is already tagged; a hotfix version is not above the newest stable tag
/// (a hotfix must be newer than what production runs); another <c>hotfix/*</c> branch is open
/// (git flow allows one hotfix at a time).
/// </summary>
internal static class FlowStartChecks
{
    public static void Refuse(GitFlowOptions flow, GitFlowKind kind, string version, IReadOnlyList<string> tags, IReadOnlyList<string> remoteBranches)
    {
        var tag = flow.TagPrefix + version;
        var describe = kind == GitFlowKind.Hotfix ? "hotfix" : "release";
        if (tags.Contains(tag, StringComparer.Ordinal))
        {
            throw new GitException($"Tag '{tag}' already exists: version {version} was already released. Start a {describe} with a new version.");
        }

        if (kind != GitFlowKind.Hotfix)
        {
            return;
        }

        var stable = TagSelector.Parse(tags, flow.TagPrefix).Where(t => !t.Version.IsPrerelease).ToList();
        if (stable.Count > 0 && SemVersion.Parse(version, SemVersionStyles.Strict).ComparePrecedenceTo(stable[^1].Version) <= 0)
        {
            var newest = stable[^1].Version;
            var next = $"{newest.Major}.{newest.Minor}.{newest.Patch + 1}";
            throw new GitException(
                $"Hotfix version {version} is not above the newest stable release {stable[^1].Tag}: a hotfix must be newer than what production "
                + $"runs. Start hotfix {next} (or higher) instead.");
        }

        var branch = flow.BranchName(kind, version);
        var open = remoteBranches
            .Where(b => b.StartsWith(flow.HotfixPrefix, StringComparison.Ordinal) && b != branch)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (open.Count > 0)
        {
            throw new GitException(
                $"Hotfix branch '{open[0]}' is already open on "
                + $"origin{(open.Count > 1 ? $" (and {string.Join(", ", open.Skip(1).Select(b => $"'{b}'"))})" : "")}: git flow allows one hotfix "
                + "at a time. "
                + $"Finish it, or delete it on origin, before starting hotfix {version}.");
        }
    }
}
