using System.Text.RegularExpressions;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.Deploy;

/// <summary>
/// Where and how releases live on a host: <c>&lt;root&gt;/releases/&lt;tag&gt;</c>, an atomic
/// <c>&lt;root&gt;/current</c> symlink and <c>&lt;root&gt;/revisions.log</c>.
/// </summary>
public sealed partial record DeployLayout
{
    /// <summary>Absolute deploy root on the host, e.g. <c>/srv/opensky</c>. Required.</summary>
    public required string Root { get; init; }

    /// <summary>Folder (under <see cref="Root"/>) holding one folder per release. The default value is <c>releases</c>.</summary>
    public string ReleasesFolder { get; init; } = "releases";

    /// <summary>Name of the symlink (under <see cref="Root"/>) to the live release. The default value is <c>current</c>.</summary>
    public string CurrentLink { get; init; } = "current";

    /// <summary>How many releases to keep; the current and previous ones are always kept. The default value is 5.</summary>
    public int KeepReleases { get; init; } = 5;

    /// <summary>Shell command that restarts the service, run in <see cref="Root"/>. Required.</summary>
    public required string RestartCommand { get; init; }

    /// <summary>Optional shell command run inside the new release folder before it is marked complete.</summary>
    public string? BuildCommand { get; init; }

    /// <summary>Optional check that the restarted service works; without it a successful restart is enough.</summary>
    public HealthCheck? HealthCheck { get; init; }

    /// <summary>How long a rollback after a cancellation may take (it runs under its own token). The default value is 2 minutes.</summary>
    public TimeSpan RollbackTimeout { get; init; } = TimeSpan.FromMinutes(2);

    internal string ReleasesPath => $"{Root.TrimEnd('/')}/{ReleasesFolder}";

    /// <summary>Every problem of the layout at once, as full sentences; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Root) || !Root.StartsWith('/'))
        {
            errors.Add($"root '{Root}' must be an absolute path on the host, e.g. /srv/app.");
        }

        if (!SafeName().IsMatch(ReleasesFolder))
        {
            errors.Add($"releases folder '{ReleasesFolder}' must be a plain folder name (letters, digits, '.', '_', '-').");
        }

        if (!SafeName().IsMatch(CurrentLink))
        {
            errors.Add($"current link '{CurrentLink}' must be a plain file name (letters, digits, '.', '_', '-').");
        }

        if (KeepReleases < 2)
        {
            errors.Add($"keep_releases is {KeepReleases}; it must be at least 2 so that a rollback target remains.");
        }

        if (string.IsNullOrWhiteSpace(RestartCommand))
        {
            errors.Add("restart command is empty; give the command that restarts the service.");
        }

        if (HealthCheck is { Attempts: < 1 })
        {
            errors.Add($"health check attempts is {HealthCheck.Attempts}; it must be at least 1.");
        }

        return errors;
    }

    internal static bool IsSafeReleaseName(string name) => SafeName().IsMatch(name) && !name.Contains(".tmp-", StringComparison.Ordinal);

    [GeneratedRegex("^(?!\\.{1,2}$)[A-Za-z0-9._+-]+$")]
    private static partial Regex SafeName();
}

/// <summary>How to tell that a restarted host works. Tried up to <see cref="Attempts"/> times, <see cref="Interval"/> apart.</summary>
public abstract record HealthCheck
{
    /// <summary>Tries before giving up. The default value is 5.</summary>
    public int Attempts { get; init; } = 5;

    /// <summary>Wait between tries. The default value is 2 seconds.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The answer (HTTP body, command output) must name the release the host was just switched to,
    /// so a host that restarts healthy but still serves the old release fails. The default value is false.
    /// </summary>
    public bool ExpectRelease { get; init; }
}

/// <summary>HTTP GET from the machine running Gantry; the URL is already rendered for the host.</summary>
/// <param name="Url">e.g. <c>http://10.0.0.5:8080/health</c>.</param>
public sealed record HttpHealthCheck(string Url) : HealthCheck
{
    /// <summary>Status that means healthy. The default value is 200.</summary>
    public int ExpectedStatus { get; init; } = 200;

    /// <summary>Text the response body must contain (ordinal substring); null checks the status only.</summary>
    public string? ExpectBody { get; init; }

    /// <summary>The text the body must contain for the release being checked (an expect_body naming the release); used instead of <see
    /// cref="ExpectBody"/> when set.</summary>
    public Func<string, string?>? ExpectBodyFor { get; init; }

    internal string? ExpectedBody(string? release) => release is not null && ExpectBodyFor is { } render ? render(release) : ExpectBody;

    /// <summary>Timeout of one request. The default value is 5 seconds.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>A command run on the host in the deploy root; exit code 0 means healthy.</summary>
/// <param name="Command">Shell command.</param>
public sealed record CommandHealthCheck(string Command) : HealthCheck;

/// <summary>Where a release's files come from.</summary>
public abstract record ReleaseSource;

/// <summary>
/// <c>git clone --depth 1 --branch &lt;tag&gt; &lt;origin&gt;</c>, run on the host; with <see cref="Commit"/>,
/// <c>git fetch --depth 1 &lt;origin&gt; &lt;commit&gt;</c> and a checkout of it instead.
/// </summary>
/// <param name="Origin">Repository URL as the host can reach it.</param>
public sealed record GitReleaseSource(string Origin) : ReleaseSource
{
    /// <summary>The full commit to fetch by SHA (a branch or commit deploy, whose release is named after it); null fetches the release as a
    /// tag.</summary>
    public string? Commit { get; init; }
}

/// <summary>A tar.gz made by the caller on the machine running Gantry, uploaded over SFTP and extracted.</summary>
/// <param name="ArchivePath">Local path of the .tar.gz.</param>
public sealed record ArchiveReleaseSource(string ArchivePath) : ReleaseSource;

/// <summary>One host and its layout (rendered for that host by the caller).</summary>
/// <param name="Host">The host.</param>
/// <param name="Layout">Its deploy layout.</param>
public sealed record DeployTarget(SshHost Host, DeployLayout Layout);
