namespace Gantry.Providers.Git;

/// <summary>
/// The sentence a git.wait-merged step waits with. People read it; the designer's Send signal also
/// reads it to offer a payload that passes (the branch, its commit on origin, the reviewers and checks),
/// so its shape is kept: <c>a pull request merged into BRANCH (now at SHA), approved by A and B
/// (2 approvals), with its checks passed (C, D)</c>, each part only when it applies.
/// </summary>
internal static class MergeGateWait
{
    public static string Describe(
        string branch,
        string? tip,
        IReadOnlyList<string> reviewers,
        int approvals,
        bool requireChecks,
        IReadOnlyList<string> checks)
    {
        var text = $"a pull request merged into {branch}";
        if (tip is not null)
        {
            text += $" (now at {tip})";
        }

        if (reviewers.Count > 0 || approvals > 0)
        {
            var count = approvals > reviewers.Count ? $"{approvals} approvals" : null;
            text += reviewers.Count > 0
                ? $", approved by {string.Join(" and ", reviewers)}{(count is null ? "" : $" ({count})")}"
                : $", with {count}";
        }

        if (requireChecks)
        {
            text += reviewers.Count > 0 || approvals > 0 ? "," : "";
            text += checks.Count > 0 ? $" with its checks passed ({string.Join(", ", checks)})" : " with its checks passed";
        }

        return text;
    }
}
