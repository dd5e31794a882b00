using System.Text.RegularExpressions;

namespace Gantry.Providers.Git;

/// <summary>Where a <see cref="GitWorkspace"/> keeps its clone and how it talks to origin.</summary>
public sealed partial record GitWorkspaceOptions
{
    /// <summary>URL of origin (https, ssh or a local path). Credentials in it are never printed.</summary>
    public required string RepositoryUrl { get; init; }

    /// <summary>Gantry's data folder; the clone lives in <c>&lt;DataDirectory&gt;/git/&lt;EnvironmentName&gt;</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The environment the clone belongs to (one clone per environment): letters, digits, '.', '_' or '-'.</summary>
    public required string EnvironmentName { get; init; }

    /// <summary>Branch names and prefixes. <value>The default value is the git-flow defaults of <see cref="GitFlowOptions"/>.</value></summary>
    public GitFlowOptions Flow { get; init; } = new();

    /// <summary>Author and committer name of commits, merges and tags. <value>The default value is <c>Gantry</c>.</value></summary>
    public string CommitterName { get; init; } = "Gantry";

    /// <summary>Author and committer e-mail. <value>The default value is <c>gantry@localhost</c>.</value></summary>
    public string CommitterEmail { get; init; } = "gantry@localhost";

    /// <summary>Private key for SSH remotes. <value>The default value is <see langword="null"/>.</value></summary>
    public string? SshKeyPath { get; init; }

    /// <summary>Whether the workspace deletes <see cref="SshKeyPath"/> when disposed (a key written from a secret for it alone).</summary>
    internal bool OwnsSshKey { get; init; }

    /// <summary>known_hosts checked strictly with <see cref="SshKeyPath"/>. <value>The default value is <see langword="null"/>.</value></summary>
    public string? SshKnownHostsPath { get; init; }

    /// <summary>Extra environment variables for git (they override the committer identity).</summary>
    public IReadOnlyDictionary<string, string> GitEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Secret values (tokens) masked in every message, besides the user-info of URLs.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>The clone's folder.</summary>
    public string CloneDirectory => Path.Combine(DataDirectory, "git", EnvironmentName);

    /// <summary>Every problem with these options, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(RepositoryUrl))
        {
            errors.Add($"{nameof(RepositoryUrl)} is empty: give the URL or path of the repository to clone.");
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            errors.Add($"{nameof(DataDirectory)} is empty: give the folder where Gantry keeps its data.");
        }

        if (EnvironmentName is null || !SafeName().IsMatch(EnvironmentName))
        {
            errors.Add($"{nameof(EnvironmentName)} '{EnvironmentName}' cannot name a folder: use letters, digits, '.', '_' or '-' (like 'prod').");
        }

        errors.AddRange(Flow.Validate());
        return errors;
    }

    [GeneratedRegex(@"^(?!\.{1,2}$)[A-Za-z0-9._-]+$")]
    private static partial Regex SafeName();
}
