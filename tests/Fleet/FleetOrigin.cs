namespace Gantry.Testing.Fleet;

/// <summary>
/// The bare git origin of the scenario, and a developer clone that plays the people:
/// <list type="bullet">
/// <item><c>production</c> (HEAD): "Release 2.9.0" (tag v2.9.0), "Release 3.0.0" (tag v3.0.0), lightweight tags that are no version (v3, release-1);</item>
/// <item><c>develop</c>: production + "Add the 3.1 feature", tagged v3.1.0-rc.1 (a pre-release) and nightly;</item>
/// <item><c>opensky/config/version.ini</c> is the team's real shape (<see cref="Ini"/>): the literal key
/// <c>opensky.version = X.Y.Z</c> under <c>[opensky]</c>, next to other keys and comments; the app reports it;
/// <c>opensky/app/main.txt</c> holds <c>bug</c>, which the developer's fix changes.</item>
/// </list>
/// </summary>
public sealed class FleetOrigin
{
    public const string VersionIni = "opensky/config/version.ini";
    public const string AppFile = "opensky/app/main.txt";

    private readonly Dictionary<string, string> _git;

    private readonly string? _history;

    private FleetOrigin(string folder, string? history)
    {
        Folder = folder;
        _history = history;
        _git = GitEnvironment(folder);
    }

    /// <summary>
    /// What every git command of the fixture runs with: the developer's identity and an empty global
    /// configuration (written into <paramref name="folder"/>), so the machine's own git settings never apply.
    /// </summary>
    internal static Dictionary<string, string> GitEnvironment(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "empty.gitconfig"), string.Empty);
        return new Dictionary<string, string>
        {
            ["GIT_AUTHOR_NAME"] = "Gantry developer",
            ["GIT_AUTHOR_EMAIL"] = "dev@gantry.invalid",
            ["GIT_COMMITTER_NAME"] = "Gantry developer",
            ["GIT_COMMITTER_EMAIL"] = "dev@gantry.invalid",
            ["GIT_CONFIG_GLOBAL"] = Path.Combine(folder, "empty.gitconfig"),
            ["GIT_CONFIG_NOSYSTEM"] = "1",
        };
    }

    public string Folder { get; }

    public string BarePath => Path.Combine(Folder, "origin.git");

    public string DeveloperPath => Path.Combine(Folder, "dev");

    /// <param name="history">A repository whose production branch the scenario's history starts from (<see cref="FleetOriginHistory"/>); null starts from nothing.</param>
    public static async Task<FleetOrigin> CreateAsync(string folder, string? history, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var origin = new FleetOrigin(folder, history);
        await origin.BuildAsync(cancellationToken);
        return origin;
    }

    public Task<string> GitAsync(string directory, CancellationToken cancellationToken, params string[] arguments) =>
        FleetCommand.RunAsync("git", ["-C", directory, .. arguments], _git, cancellationToken);

    /// <summary>The version file as the team has it: the literal key <c>opensky.version</c> under <c>[opensky]</c>, other keys, comments, and a <c>version</c> of something else.</summary>
    public static string Ini(string version) =>
        $"; OpenSky release settings; the hotfix and the daily release bump opensky.version\n[opensky]\nopensky.name = OpenSky\nopensky.version = {version}\n\n[build]\n; the toolchain's version, not the app's\nversion = 14\n";

    /// <summary>
    /// The developer branches fix-the-bug off <paramref name="target"/> on origin, fixes the bug and
    /// pushes; a teammate merges it into <paramref name="target"/> with a merge commit, as GitHub does.
    /// Returns the merge commit.
    /// </summary>
    public async Task<string> MergeFixAsync(string target, CancellationToken cancellationToken)
    {
        await GitAsync(DeveloperPath, cancellationToken, "fetch", "-q", "--prune", "origin");
        await GitAsync(DeveloperPath, cancellationToken, "checkout", "-q", "-B", "fix-the-bug", $"origin/{target}");
        await File.WriteAllTextAsync(Path.Combine(DeveloperPath, AppFile), "fixed\n", cancellationToken);
        await GitAsync(DeveloperPath, cancellationToken, "commit", "-q", "-am", "Fix the bug");
        await GitAsync(DeveloperPath, cancellationToken, "push", "-q", "origin", "fix-the-bug");
        await GitAsync(DeveloperPath, cancellationToken, "checkout", "-q", "-B", target, $"origin/{target}");
        await GitAsync(DeveloperPath, cancellationToken, "merge", "-q", "--no-ff", "-m", "Merge pull request #42 from team/fix-the-bug", "fix-the-bug");
        await GitAsync(DeveloperPath, cancellationToken, "push", "-q", "origin", target);
        return (await GitAsync(DeveloperPath, cancellationToken, "rev-parse", "HEAD")).Trim();
    }

    /// <summary>Commits "Release X" on production with opensky.version = X, tags it vX (annotated) and pushes both.</summary>
    /// <param name="configuredVersion">The version written into version.ini; another than <paramref name="version"/> plays a tag whose bump was forgotten.</param>
    public async Task PublishReleaseAsync(string version, CancellationToken cancellationToken, string? configuredVersion = null)
    {
        await GitAsync(DeveloperPath, cancellationToken, "fetch", "-q", "--prune", "origin");
        await GitAsync(DeveloperPath, cancellationToken, "checkout", "-q", "-B", "production", "origin/production");
        await WriteAsync(DeveloperPath, VersionIni, Ini(configuredVersion ?? version), cancellationToken);
        await GitAsync(DeveloperPath, cancellationToken, "commit", "-q", "--allow-empty", "-am", $"Release {version}");
        await GitAsync(DeveloperPath, cancellationToken, "tag", "-a", "-m", $"Release {version}", $"v{version}");
        await GitAsync(DeveloperPath, cancellationToken, "push", "-q", "origin", "production", $"v{version}");
    }

    private static async Task WriteAsync(string repository, string path, string content, CancellationToken cancellationToken)
    {
        var full = Path.Combine(repository, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, content, cancellationToken);
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        await FleetCommand.RunAsync("git", ["init", "-q", "--bare", "-b", "production", BarePath], _git, ct);
        var seed = Path.Combine(Folder, "seed");
        if (_history is null)
        {
            await FleetCommand.RunAsync("git", ["init", "-q", "-b", "production", seed], _git, ct);
        }
        else
        {
            await FleetCommand.RunAsync("git", ["clone", "-q", "--branch", "production", _history, seed], _git, ct);
            await GitAsync(seed, ct, "remote", "remove", "origin");
        }

        await WriteAsync(seed, VersionIni, Ini("2.9.0"), ct);
        await WriteAsync(seed, AppFile, "bug\n", ct);
        await GitAsync(seed, ct, "add", "--all");
        await GitAsync(seed, ct, "commit", "-q", "-m", "Release 2.9.0");
        await GitAsync(seed, ct, "tag", "-a", "-m", "Release 2.9.0", "v2.9.0");

        await WriteAsync(seed, VersionIni, Ini("3.0.0"), ct);
        await GitAsync(seed, ct, "commit", "-q", "-am", "Release 3.0.0");
        await GitAsync(seed, ct, "tag", "-a", "-m", "Release 3.0.0", "v3.0.0");
        await GitAsync(seed, ct, "tag", "v3");
        await GitAsync(seed, ct, "tag", "release-1");

        await GitAsync(seed, ct, "checkout", "-q", "-b", "develop");
        await WriteAsync(seed, "opensky/app/feature.txt", "the 3.1 feature\n", ct);
        await GitAsync(seed, ct, "add", "--all");
        await GitAsync(seed, ct, "commit", "-q", "-m", "Add the 3.1 feature");
        await GitAsync(seed, ct, "tag", "-a", "-m", "Release 3.1.0-rc.1", "v3.1.0-rc.1");
        await GitAsync(seed, ct, "tag", "nightly");

        await GitAsync(seed, ct, "remote", "add", "origin", BarePath);
        await GitAsync(seed, ct, "push", "-q", "origin", "production", "develop", "--tags");
        await FleetCommand.RunAsync("git", ["clone", "-q", BarePath, DeveloperPath], _git, ct);
    }
}
