namespace Gantry.Providers.Git;

/// <summary>The two git-flow branch kinds Gantry drives.</summary>
public enum GitFlowKind
{
    /// <summary>Branches from the production branch (<c>git flow hotfix</c>).</summary>
    Hotfix,

    /// <summary>Branches from the develop branch (<c>git flow release</c>).</summary>
    Release,
}

/// <summary>Branch names and prefixes of the git-flow model, as <c>git flow init</c> would store them.</summary>
public sealed record GitFlowOptions
{
    /// <summary>Branch holding what is in production (git flow's "master"). <value>The default value is <c>production</c>.</value></summary>
    public string ProductionBranch { get; init; } = "production";

    /// <summary>Integration branch. <value>The default value is <c>develop</c>.</value></summary>
    public string DevelopBranch { get; init; } = "develop";

    /// <summary>Prefix of hotfix branches. <value>The default value is <c>hotfix/</c>.</value></summary>
    public string HotfixPrefix { get; init; } = "hotfix/";

    /// <summary>Prefix of release branches. <value>The default value is <c>release/</c>.</value></summary>
    public string ReleasePrefix { get; init; } = "release/";

    /// <summary>Prefix of version tags. <value>The default value is <c>v</c>.</value></summary>
    public string TagPrefix { get; init; } = "v";

    /// <summary>
    /// Whether finish deletes the finished branch on origin too. git-flow AVH 1.12 (Debian
    /// <c>git-flow</c>) does so by default (<c>--keepremote</c> keeps it).
    /// <value>The default value is <see langword="true"/>.</value>
    /// </summary>
    public bool DeleteRemoteBranch { get; init; } = true;

    /// <summary>
    /// Message of the annotated version tag; <c>{Kind}</c> (Hotfix/Release), <c>{kind}</c>,
    /// <c>{version}</c> and <c>{tag}</c> are replaced. <value>The default value is <c>{Kind} {version}</c> ("Hotfix 3.0.1").</value>
    /// </summary>
    public string TagMessageTemplate { get; init; } = "{Kind} {version}";

    /// <summary>The tag message for <paramref name="kind"/> and <paramref name="version"/>.</summary>
    public string TagMessage(GitFlowKind kind, string version) => TagMessageTemplate
        .Replace("{Kind}", kind.ToString(), StringComparison.Ordinal)
        .Replace("{kind}", kind.ToString().ToLowerInvariant(), StringComparison.Ordinal)
        .Replace("{version}", version, StringComparison.Ordinal)
        .Replace("{tag}", TagPrefix + version, StringComparison.Ordinal);

    /// <summary>The branch name for <paramref name="kind"/> and <paramref name="version"/> (<c>hotfix/3.0.1</c>).</summary>
    public string BranchName(GitFlowKind kind, string version) => (kind == GitFlowKind.Hotfix ? HotfixPrefix : ReleasePrefix) + version;

    /// <summary>The branch a <paramref name="kind"/> branch starts from.</summary>
    public string BaseBranch(GitFlowKind kind) => kind == GitFlowKind.Hotfix ? ProductionBranch : DevelopBranch;

    /// <summary>Every problem with these options, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (name, value) in new[] { (nameof(ProductionBranch), ProductionBranch), (nameof(DevelopBranch), DevelopBranch) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsWhiteSpace))
            {
                errors.Add($"{name} '{value}' is not a branch name: it must be non-empty and contain no spaces.");
            }
        }

        if (string.Equals(ProductionBranch, DevelopBranch, StringComparison.Ordinal))
        {
            errors.Add($"{nameof(ProductionBranch)} and {nameof(DevelopBranch)} are both '{ProductionBranch}'; they must differ.");
        }

        foreach (var (name, value) in new[] { (nameof(HotfixPrefix), HotfixPrefix), (nameof(ReleasePrefix), ReleasePrefix) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsWhiteSpace))
            {
                errors.Add($"{name} '{value}' is not a branch prefix: it must be non-empty (like 'hotfix/') and contain no spaces.");
            }
        }

        if (TagPrefix is null || TagPrefix.Any(char.IsWhiteSpace))
        {
            errors.Add($"{nameof(TagPrefix)} '{TagPrefix}' must contain no spaces (use '' for none).");
        }

        if (string.IsNullOrWhiteSpace(TagMessageTemplate))
        {
            errors.Add($"{nameof(TagMessageTemplate)} is empty: an annotated tag needs a message (like '{{Kind}} {{version}}').");
        }

        return errors;
    }
}
