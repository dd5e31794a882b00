using Gantry.Providers.Git;

namespace Gantry.Providers.Tests.Fixtures;

/// <summary>
/// Real git repositories in a temp folder, shaped like the hotfix scenario:
/// a bare <c>origin.git</c> (HEAD = production) with
/// <list type="bullet">
/// <item><c>production</c>: "Release 2.9.0" (tag v2.9.0), "Release 3.0.0" (tag v3.0.0), lightweight junk tags v3, release-1, vfoo;</item>
/// <item><c>develop</c>: production + "Add the 3.1 feature" (tag v3.1.0-rc1);</item>
/// <item><c>opensky/config/version.ini</c> is the team's real shape (<see cref="Ini"/>): the literal key
/// <c>opensky.version = 3.0.0</c> under <c>[opensky]</c>, next to other keys, comments and a <c>[build]</c> <c>version</c>;</item>
/// <item><c>opensky/app/main.txt</c> = <c>bug\n</c>, which the developer's fix changes.</item>
/// </list>
/// A developer clone (<c>dev</c>) simulates people: pushing commits, merging the reviewed
/// <c>fix-the-bug</c> pull request. Every git call uses a fixed identity and date, and no global
/// or system git configuration, so two fixtures doing the same operations get identical SHAs.
/// </summary>
public sealed class GitScenarioFixture : IDisposable
{
    public const string VersionIni = "opensky/config/version.ini";
    public const string AppFile = "opensky/app/main.txt";

    private GitScenarioFixture(string root)
    {
        Root = root;
        File.WriteAllText(Path.Combine(root, "empty.gitconfig"), string.Empty);
        Environment = new Dictionary<string, string>
        {
            ["GIT_AUTHOR_NAME"] = "Gantry developer",
            ["GIT_AUTHOR_EMAIL"] = "dev@gantry.invalid",
            ["GIT_COMMITTER_NAME"] = "Gantry developer",
            ["GIT_COMMITTER_EMAIL"] = "dev@gantry.invalid",
            ["GIT_AUTHOR_DATE"] = "2026-01-01T12:00:00+0000",
            ["GIT_COMMITTER_DATE"] = "2026-01-01T12:00:00+0000",
            ["GIT_CONFIG_GLOBAL"] = Path.Combine(root, "empty.gitconfig"),
            ["GIT_CONFIG_NOSYSTEM"] = "1",
        };
        Runner = new GitCommandRunner(new GitRunnerOptions { Environment = Environment });
    }

    public string Root { get; }

    public string OriginPath => Path.Combine(Root, "origin.git");

    public string DeveloperPath => Path.Combine(Root, "dev");

    public string DataDirectory => Path.Combine(Root, "data");

    public IReadOnlyDictionary<string, string> Environment { get; }

    public GitCommandRunner Runner { get; }

    public static async Task<GitScenarioFixture> CreateAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "gantry-git-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var fixture = new GitScenarioFixture(root);
        await fixture.BuildAsync();
        return fixture;
    }

    public GitWorkspace CreateWorkspace(string environment = "prod", GitFlowOptions? flow = null, string? url = null) =>
        new(new GitWorkspaceOptions
        {
            RepositoryUrl = url ?? OriginPath,
            DataDirectory = DataDirectory,
            EnvironmentName = environment,
            Flow = flow ?? new GitFlowOptions(),
            GitEnvironment = Environment,
        });

    public Task<GitResult> GitAsync(string directory, params string[] arguments) =>
        Runner.RunAsync(directory, arguments, CancellationToken.None);

    public async Task<string> OriginAsync(params string[] arguments) =>
        (await GitAsync(OriginPath, arguments)).StandardOutput.Trim();

    public Task<string> OriginRevAsync(string reference) => OriginAsync("rev-parse", reference);

    /// <summary>Every branch and tag of origin with what it points to, sorted.</summary>
    public Task<string> OriginRefsAsync() => OriginAsync("for-each-ref", "--format=%(refname) %(objecttype) %(objectname)", "refs/heads", "refs/tags");

    public async Task<bool> OriginIsAncestorAsync(string ancestor, string descendant) =>
        (await Runner.TryRunAsync(OriginPath, ["merge-base", "--is-ancestor", ancestor, descendant], CancellationToken.None)).ExitCode == 0;

    /// <summary>The developer commits one file on <paramref name="branch"/> of origin and pushes; returns the commit.</summary>
    public async Task<string> DeveloperCommitsAsync(string branch, string path, string content, string message)
    {
        await DeveloperCheckoutAsync(branch, $"origin/{branch}");
        await WriteAsync(DeveloperPath, path, content);
        await GitAsync(DeveloperPath, "add", path);
        await GitAsync(DeveloperPath, "commit", "-q", "-m", message);
        await GitAsync(DeveloperPath, "push", "-q", "origin", branch);
        return (await GitAsync(DeveloperPath, "rev-parse", "HEAD")).StandardOutput.Trim();
    }

    /// <summary>
    /// The developer branches <c>fix-the-bug</c> off <paramref name="target"/>, fixes the bug, pushes;
    /// the reviewer merges the pull request into <paramref name="target"/> (a --no-ff merge, as GitHub
    /// does). Returns the fix commit.
    /// </summary>
    public async Task<string> DeveloperMergesFixAsync(string target)
    {
        await DeveloperCheckoutAsync("fix-the-bug", $"origin/{target}");
        await WriteAsync(DeveloperPath, AppFile, "fixed\n");
        await GitAsync(DeveloperPath, "commit", "-q", "-am", "Fix the bug");
        var fix = (await GitAsync(DeveloperPath, "rev-parse", "HEAD")).StandardOutput.Trim();
        await GitAsync(DeveloperPath, "push", "-q", "origin", "fix-the-bug");
        await DeveloperCheckoutAsync(target, $"origin/{target}");
        await GitAsync(DeveloperPath, "merge", "-q", "--no-ff", "-m", "Merge pull request #42 from team/fix-the-bug", "fix-the-bug");
        await GitAsync(DeveloperPath, "push", "-q", "origin", target);
        return fix;
    }

    public static async Task WriteAsync(string repository, string path, string content)
    {
        var full = Path.Combine(repository, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, content);
    }

    /// <summary>The version file as the team has it: the literal key <c>opensky.version</c> under <c>[opensky]</c>, other keys, comments, and a <c>version</c> of something else.</summary>
    public static string Ini(string version) =>
        $"; OpenSky release settings; the hotfix and the daily release bump opensky.version\n[opensky]\nopensky.name = OpenSky\nopensky.version = {version}\n\n[build]\n; the toolchain's version, not the app's\nversion = 14\n";

    public void Dispose()
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind must not fail a test.
        }
    }

    private async Task DeveloperCheckoutAsync(string branch, string startPoint)
    {
        await GitAsync(DeveloperPath, "fetch", "-q", "--prune", "origin");
        await GitAsync(DeveloperPath, "checkout", "-q", "-B", branch, startPoint);
    }

    private async Task BuildAsync()
    {
        await GitAsync(Root, "init", "-q", "--bare", "-b", "production", OriginPath);
        var seed = Path.Combine(Root, "seed");
        await GitAsync(Root, "init", "-q", "-b", "production", seed);

        await WriteAsync(seed, VersionIni, Ini("2.9.0"));
        await WriteAsync(seed, AppFile, "bug\n");
        await GitAsync(seed, "add", "--all");
        await GitAsync(seed, "commit", "-q", "-m", "Release 2.9.0");
        await GitAsync(seed, "tag", "-a", "-m", "Release 2.9.0", "v2.9.0");

        await WriteAsync(seed, VersionIni, Ini("3.0.0"));
        await GitAsync(seed, "commit", "-q", "-am", "Release 3.0.0");
        await GitAsync(seed, "tag", "-a", "-m", "Release 3.0.0", "v3.0.0");
        foreach (var junk in new[] { "v3", "release-1", "vfoo" })
        {
            await GitAsync(seed, "tag", junk);
        }

        await GitAsync(seed, "checkout", "-q", "-b", "develop");
        await WriteAsync(seed, "opensky/app/feature.txt", "the 3.1 feature\n");
        await GitAsync(seed, "add", "--all");
        await GitAsync(seed, "commit", "-q", "-m", "Add the 3.1 feature");
        await GitAsync(seed, "tag", "-a", "-m", "Release 3.1.0-rc1", "v3.1.0-rc1");

        await GitAsync(seed, "remote", "add", "origin", OriginPath);
        await GitAsync(seed, "push", "-q", "origin", "production", "develop", "--tags");
        await GitAsync(Root, "clone", "-q", OriginPath, DeveloperPath);
    }
}
