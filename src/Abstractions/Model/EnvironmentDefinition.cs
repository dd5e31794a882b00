using System.ComponentModel;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Model;

/// <summary>
/// Where a workflow runs: the repository, the load balancer, groups of hosts, the deploy layout
/// and secrets by reference. Loaded from <c>workflows/environments/*.yaml</c>.
/// </summary>
public sealed class EnvironmentDefinition
{
    [Description("Identifier used by --env and in templates as env.id.")]
    public required string Id { get; set; }

    [Description("Human name.")]
    public string? Name { get; set; }

    [Description("The application repository.")]
    public RepositorySettings Repository { get; set; } = new();

    [Description("The load balancer in front of the groups.")]
    public LoadBalancerSettings LoadBalancer { get; set; } = new SandboxLoadBalancerSettings();

    [Description("Groups of hosts, in the order they are rolled.")]
    public Dictionary<string, GroupSettings> Groups { get; set; } = [];

    [Description("Hosts by name.")]
    public Dictionary<string, HostSettings> Hosts { get; set; } = [];

    [Description("How releases are laid out and started on each host.")]
    public DeploySettings Deploy { get; set; } = new();

    [Description("SSH settings for every host.")]
    public SshSettings Ssh { get; set; } = new();

    [Description("Secrets by reference: never written in the document itself.")]
    public Dictionary<string, SecretReference> Secrets { get; set; } = [];

    [Description("Free-form values for templates (env.vars.x).")]
    public Dictionary<string, object?> Vars { get; set; } = [];

    [DocumentIgnore]
    public string SourcePath { get; set; } = "";

    /// <summary>The group a host belongs to, or null.</summary>
    public string? GroupOf(string host) => Groups.FirstOrDefault(g => g.Value.Hosts.Contains(host)).Key;
}

public sealed class RepositorySettings
{
    [Description("Clone URL of origin.")]
    public string? Url { get; set; }

    [Description("Branch that holds production releases.")]
    public string ProductionBranch { get; set; } = "production";

    [Description("Integration branch.")]
    public string DevelopBranch { get; set; } = "develop";

    [Description("Prefix of hotfix branches.")]
    public string HotfixPrefix { get; set; } = "hotfix/";

    [Description("Prefix of release branches.")]
    public string ReleasePrefix { get; set; } = "release/";

    [Description("Prefix of version tags.")]
    public string TagPrefix { get; set; } = "v";

    [Description("Secret holding an SSH private key for git, if origin needs one.")]
    public string? SshKeySecret { get; set; }

    [Description(
        "The GitHub repository as owner/name. GitHub webhooks resume this environment's runs only when their repository.full_name is this; needed "
        + "when url is not a GitHub-style URL (a local or file origin).")]
    public string? Github { get; set; }

    [Description(
        "What a pull request needs before a release goes on: who must approve it and which checks must pass (hotfix.yaml and daily-release.yaml "
        + "pass these to git.wait-merged).")]
    public ReviewSettings Review { get; set; } = new();
}

/// <summary>The team's review rule, kept in the environment so that changing it needs no workflow edit.</summary>
public sealed class ReviewSettings
{
    [Description("Logins whose approving review of the pull request's head commit is required, e.g. [pr-nightmare] (a test bot's +1).")]
    public List<string> Reviewers { get; set; } = [];

    [Description("How many approvals are needed in all (at least as many as reviewers lists).")]
    public int Approvals { get; set; }

    [Description(
        "Checks that must pass on the pull request's head commit: check suite app names or slugs, or status contexts, e.g. [ci/test-bot]. Empty: "
        + "any one passing check.")]
    public List<string> Checks { get; set; } = [];
}

public sealed class GroupSettings
{
    [Description("Host names in this group.")]
    public List<string> Hosts { get; set; } = [];
}

public sealed class HostSettings
{
    [Description("Address to reach the host over SSH (and its app).")]
    public required string Address { get; set; }

    [Description("SSH user; defaults to ssh.user.")]
    public string? User { get; set; }

    [Description("SSH port; defaults to ssh.port.")]
    public int? Port { get; set; }

    [Description("Server name in the load balancer's backend; defaults to the host name.")]
    public string? LbServer { get; set; }

    [Description("Deploy root on this host; defaults to deploy.root.")]
    public string? Root { get; set; }

    [Description("Free-form per-host values for templates (host.vars.x).")]
    public Dictionary<string, object?> Vars { get; set; } = [];
}

/// <summary>Where the host gets the release's files from.</summary>
public enum ReleaseSource { Clone, Archive, Sandbox }

public sealed class DeploySettings
{
    [Description("Folder on each host holding releases/ and current.")]
    public string Root { get; set; } = "/srv/app";

    [Description("clone: hosts clone the tag from origin; archive: Gantry uploads an archive over SFTP; sandbox: simulated.")]
    public ReleaseSource Source { get; set; } = ReleaseSource.Clone;

    [Description("Releases kept on each host, newest first.")]
    public int KeepReleases { get; set; } = 5;

    [Description("Optional build command, run inside the new release folder.")]
    public string? Build { get; set; }

    [Description("Command that restarts the application (template over host).")]
    public string? Restart { get; set; }

    [Description("Health check run after the restart.")]
    public HealthCheckSettings? Health { get; set; }

    [Description("Sandbox: simulated time to deploy one host.")]
    public TimeSpan SimulatedDelay { get; set; } = TimeSpan.Zero;
}

public sealed class HealthCheckSettings
{
    [Description("URL to GET (template over host), e.g. http://{{ host.address }}:8080/health.")]
    public string? Url { get; set; }

    [Description("Command to run on the host instead of an HTTP check.")]
    public string? Command { get; set; }

    [Description("Expected HTTP status.")]
    public int ExpectStatus { get; set; } = 200;

    [Description(
        "Text the body must contain; a template over host, release (the tag or short commit the host should serve) and version (release without a "
        + "leading v), e.g. \"{{ version }}\".")]
    public string? ExpectBody { get; set; }

    [Description(
        "The answer (body, or the command's output) must name the release just deployed or rolled back to: the tag, its version without the leading "
        + "v, or the commit, as a whole word. A host that restarts healthy but serves the old release fails and is rolled back.")]
    public bool ExpectRelease { get; set; }

    [Description("Attempts before the check fails.")]
    public int Retries { get; set; } = 10;

    [Description("Wait between attempts.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class SshSettings
{
    [Description("Default SSH user.")]
    public string User { get; set; } = "deploy";

    [Description("Default SSH port.")]
    public int Port { get; set; } = 22;

    [Description("known_hosts file every host key is verified against (relative to the environment file).")]
    public string? KnownHosts { get; set; }

    [Description("Private key file (relative to the environment file).")]
    public string? KeyFile { get; set; }

    [Description("Secret holding the private key text, instead of key_file.")]
    public string? KeySecret { get; set; }

    [Description("Secret holding a password; only used when set explicitly.")]
    public string? PasswordSecret { get; set; }

    [Description("Connect timeout.")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Description(
        "Key exchange algorithms to offer, in order of preference; nothing else is offered. Unset: curve25519-sha256 first, then the post-quantum "
        + "hybrids (mlkem768x25519-sha256, sntrup761x25519-sha512) and the rest. List only the hybrids to require them; they cost far more CPU per "
        + "connection.")]
    public List<string>? KeyExchange { get; set; }

    [Description("Timeout of one remote command.")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Where a secret's value comes from. Exactly one of the fields is set.</summary>
public sealed class SecretReference
{
    [Description("Read from this environment variable.")]
    public string? Env { get; set; }

    [Description("Read from this file (relative to the environment file).")]
    public string? File { get; set; }

    [Description("Literal value; only for sandbox and tests.")]
    public string? Value { get; set; }
}
