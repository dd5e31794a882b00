using Gantry.Providers.Git;
using Gantry.Providers.Tests.Fixtures;
using Microsoft.Extensions.Logging;
using static Gantry.Providers.Tests.Fixtures.GitScenarioFixture;

namespace Gantry.Providers.Tests.Git;

public class GitWorkspaceTests
{
    private const string Hotfix = "hotfix/3.0.1";
    private const string CredentialToken = "s3cr3t-token";
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Hotfix_WholeScenario_OriginHasTagMergesAndFix()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();
        var v300 = await scenario.OriginRevAsync("v3.0.0^{commit}");
        var oldDevelop = await scenario.OriginRevAsync("develop");

        var start = await workspace.FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));
        var bump = await workspace.CommitAndPushAsync(Hotfix, "Bump version to 3.0.1", [VersionIni], None);
        var fix = await scenario.DeveloperMergesFixAsync(Hotfix);
        var hotfixTip = await scenario.OriginRevAsync(Hotfix);
        var finish = await workspace.FlowFinishAsync(GitFlowKind.Hotfix, "3.0.1", None);

        Assert.Equal(new FlowBranch(Hotfix, v300, Created: true), start);
        Assert.Equal(new CommitResult(await scenario.OriginRevAsync($"{hotfixTip}^1"), Committed: true, Pushed: true), bump);
        var production = await scenario.OriginRevAsync("production");
        var develop = await scenario.OriginRevAsync("develop");
        Assert.Equal(new FlowFinishResult("v3.0.1", production, production, develop, Pushed: true), finish);

        Assert.Equal("tag", await scenario.OriginAsync("cat-file", "-t", "v3.0.1"));
        Assert.Equal(production, await scenario.OriginRevAsync("v3.0.1^{commit}"));
        Assert.Equal("Hotfix 3.0.1", await scenario.OriginAsync("tag", "-l", "--format=%(contents:subject)", "v3.0.1"));
        Assert.Equal($"{production} {v300} {hotfixTip} Merge branch '{Hotfix}' into production", await scenario.OriginAsync("log", "-1", "--format=%H %P %s", "production"));
        Assert.Equal($"{develop} {oldDevelop} {production} Merge tag 'v3.0.1' into develop", await scenario.OriginAsync("log", "-1", "--format=%H %P %s", "develop"));
        Assert.True(await scenario.OriginIsAncestorAsync(fix, "production"));
        Assert.True(await scenario.OriginIsAncestorAsync(fix, "develop"));
        Assert.Equal(Ini("3.0.1"), await scenario.OriginAsync("show", "production:" + VersionIni) + "\n");
        Assert.Equal("refs/heads/develop\nrefs/heads/fix-the-bug\nrefs/heads/production", await scenario.OriginAsync("for-each-ref", "--format=%(refname)", "refs/heads"));
        Assert.Equal(new LatestTag("v3.0.1", Semver.SemVersion.Parse("3.0.1"), production), await workspace.LatestTagAsync("stable", None));
    }

    [Theory]
    [InlineData(GitFlowKind.Hotfix, "3.0.1")]
    [InlineData(GitFlowKind.Release, "3.1.0")]
    public async Task Finish_SameStepsAsRealGitFlow_OriginRefsIdentical(GitFlowKind kind, string version)
    {
        using var ours = await CreateAsync();
        using var theirs = await CreateAsync();
        Assert.Equal(await theirs.OriginRefsAsync(), await ours.OriginRefsAsync());
        var branch = kind == GitFlowKind.Hotfix ? Hotfix : "release/" + version;
        var command = kind == GitFlowKind.Hotfix ? "hotfix" : "release";
        var message = kind == GitFlowKind.Hotfix ? "Hotfix " + version : "Release " + version;

        // git-flow AVH 1.12.3 appends the tag name to a -m message (its filter hook echoes all its arguments).
        var workspace = ours.CreateWorkspace(flow: new GitFlowOptions { TagMessageTemplate = "{Kind} {version} {tag}" });
        await workspace.FlowStartAsync(kind, version, None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini(version));
        await workspace.CommitAndPushAsync(branch, $"Bump version to {version}", [VersionIni], None);
        await ours.DeveloperMergesFixAsync(branch);
        await workspace.FlowFinishAsync(kind, version, None);

        var clone = Path.Combine(theirs.Root, "flow");
        await theirs.GitAsync(theirs.Root, "clone", "-q", theirs.OriginPath, clone);
        await theirs.GitAsync(clone, "branch", "develop", "origin/develop");
        foreach (var (key, value) in new[]
        {
            ("gitflow.branch.master", "production"), ("gitflow.branch.develop", "develop"), ("gitflow.prefix.feature", "feature/"),
            ("gitflow.prefix.bugfix", "bugfix/"), ("gitflow.prefix.release", "release/"), ("gitflow.prefix.hotfix", "hotfix/"),
            ("gitflow.prefix.support", "support/"), ("gitflow.prefix.versiontag", "v"),
        })
        {
            await theirs.GitAsync(clone, "config", key, value);
        }

        await theirs.GitAsync(clone, "flow", "init", "-d");
        await theirs.GitAsync(clone, "flow", command, "start", version);
        await WriteAsync(clone, VersionIni, Ini(version));
        await theirs.GitAsync(clone, "commit", "-q", "-am", $"Bump version to {version}");
        await theirs.GitAsync(clone, "push", "-q", "-u", "origin", branch);
        await theirs.DeveloperMergesFixAsync(branch);
        await theirs.GitAsync(clone, "pull", "-q", "--ff-only");
        await theirs.GitAsync(clone, "flow", command, "finish", "-m", message, "-p", version);

        Assert.Equal(await theirs.OriginRefsAsync(), await ours.OriginRefsAsync());
    }

    [Fact]
    public async Task Release_StartFromDevelopAndFinish_BecomesStable()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();

        var start = await workspace.FlowStartAsync(GitFlowKind.Release, "v3.1.0", None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.1.0"));
        await workspace.CommitAndPushAsync("release/3.1.0", "Bump version to 3.1.0", [VersionIni], None);
        var finish = await workspace.FlowFinishAsync(GitFlowKind.Release, "3.1.0", None);

        Assert.Equal(new FlowBranch("release/3.1.0", await scenario.OriginRevAsync("v3.1.0-rc1^{commit}"), Created: true), start);
        Assert.Equal("Merge branch 'release/3.1.0' into production", await scenario.OriginAsync("log", "-1", "--format=%s", "production"));
        Assert.Equal("Merge tag 'v3.1.0' into develop", await scenario.OriginAsync("log", "-1", "--format=%s", "develop"));
        Assert.Equal("the 3.1 feature", await scenario.OriginAsync("show", "production:opensky/app/feature.txt"));
        Assert.Equal("refs/heads/develop\nrefs/heads/production", await scenario.OriginAsync("for-each-ref", "--format=%(refname)", "refs/heads"));
        Assert.Equal(new LatestTag("v3.1.0", Semver.SemVersion.Parse("3.1.0"), finish.ProductionCommit), await workspace.LatestTagAsync("stable", None));
    }

    [Fact]
    public async Task LatestTag_References_ResolvedAgainstOrigin()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();

        var stable = await workspace.LatestTagAsync("stable", None);
        var latest = await workspace.LatestTagAsync("latest", None);
        var exact = await workspace.LatestTagAsync("v2.9.0", None);
        var missing = await Assert.ThrowsAsync<GitException>(() => workspace.LatestTagAsync("v3.0.5", None));

        Assert.Equal(new LatestTag("v3.0.0", Semver.SemVersion.Parse("3.0.0"), await scenario.OriginRevAsync("v3.0.0^{commit}")), stable);
        Assert.Equal(new LatestTag("v3.1.0-rc1", Semver.SemVersion.Parse("3.1.0-rc1"), await scenario.OriginRevAsync("develop")), latest);
        Assert.Equal(await scenario.OriginRevAsync("v2.9.0^{commit}"), exact.Commit);
        Assert.Equal("Tag 'v3.0.5' does not exist. Nearest existing tags: v2.9.0, v3.0.0, v3.1.0-rc1.", missing.Message);
    }

    [Fact]
    public async Task Finish_BackMergeConflicts_AbortsListsPathsAndLeavesCloneClean()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();
        await workspace.FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));
        await workspace.CommitAndPushAsync(Hotfix, "Bump version to 3.0.1", [VersionIni], None);
        await scenario.DeveloperCommitsAsync("develop", VersionIni, Ini("3.1.0-dev"), "Start 3.1 development");
        var originBefore = await scenario.OriginRefsAsync();

        var error = await Assert.ThrowsAsync<GitMergeConflictException>(() => workspace.FlowFinishAsync(GitFlowKind.Hotfix, "3.0.1", None));

        Assert.Equal(
            "Merging 'v3.0.1' into 'develop' conflicts in: opensky/config/version.ini. The merge was aborted and the clone left clean. "
            + "Resolve it on origin so that 'v3.0.1' merges cleanly into 'develop', then rerun the step.",
            error.Message);
        Assert.Equal([VersionIni], error.ConflictingPaths);
        Assert.Equal(string.Empty, (await scenario.GitAsync(workspace.WorkingDirectory, "status", "--porcelain")).StandardOutput);
        Assert.False(File.Exists(Path.Combine(workspace.WorkingDirectory, ".git", "MERGE_HEAD")));
        Assert.Equal(originBefore, await scenario.OriginRefsAsync());
    }

    [Fact]
    public async Task CommitAndPush_OriginMoved_SaysFetchAndRebaseOrRerun()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();
        await workspace.FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        await scenario.DeveloperCommitsAsync(Hotfix, "NOTES.md", "notes\n", "Add notes");
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));

        var error = await Assert.ThrowsAsync<GitPushRejectedException>(
            () => workspace.CommitAndPushAsync(Hotfix, "Bump version to 3.0.1", [VersionIni], None));

        var lines = error.Message.Split(Environment.NewLine);
        Assert.Equal(
            "Push rejected: origin/hotfix/3.0.1 has moved since the clone was fetched. Fetch and rebase onto origin/hotfix/3.0.1, or rerun the step so it starts from a fresh fetch.",
            lines[0]);
        Assert.Equal("git push --porcelain --atomic origin refs/heads/hotfix/3.0.1:refs/heads/hotfix/3.0.1 failed with exit code 1:", lines[1]);
        Assert.Equal(Hotfix, error.Branch);
    }

    [Fact]
    public async Task CommitAndPush_Rerun_NothingToCommitNothingToPush()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();
        await workspace.FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));
        var first = await workspace.CommitAndPushAsync(Hotfix, "Bump version to 3.0.1", [VersionIni], None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));

        var second = await workspace.CommitAndPushAsync(Hotfix, "Bump version to 3.0.1", [VersionIni], None);

        Assert.Equal(first with { Committed = false, Pushed = false }, second);
        Assert.Equal(first.Commit, await scenario.OriginRevAsync(Hotfix));
    }

    [Fact]
    public async Task Start_Rerun_ChecksOutExistingBranch()
    {
        using var scenario = await CreateAsync();
        var first = await scenario.CreateWorkspace().FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        var workspace = scenario.CreateWorkspace();
        await workspace.FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));
        var bump = await workspace.CommitAndPushAsync(Hotfix, "Bump version to 3.0.1", [VersionIni], None);

        var rerun = await scenario.CreateWorkspace().FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);

        Assert.True(first.Created);
        Assert.Equal(new FlowBranch(Hotfix, bump.Commit, Created: false), rerun);
        Assert.Equal(Hotfix, (await scenario.GitAsync(workspace.WorkingDirectory, "symbolic-ref", "--short", "HEAD")).StandardOutput.Trim());
    }

    [Fact]
    public async Task Start_VersionAlreadyTagged_Refuses()
    {
        using var scenario = await CreateAsync();

        var error = await Assert.ThrowsAsync<GitException>(() => scenario.CreateWorkspace().FlowStartAsync(GitFlowKind.Hotfix, "3.0.0", None));

        Assert.Equal("Tag 'v3.0.0' already exists: version 3.0.0 was already released. Start a hotfix with a new version.", error.Message);
    }

    [Fact]
    public async Task Finish_InterruptedBeforePush_RerunOnlyPushes()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();
        await workspace.FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));
        await workspace.CommitAndPushAsync(Hotfix, "Bump version to 3.0.1", [VersionIni], None);
        await scenario.DeveloperMergesFixAsync(Hotfix);
        var hook = Path.Combine(scenario.OriginPath, "hooks", "pre-receive");
        await File.WriteAllTextAsync(hook, "#!/bin/sh\necho 'origin is read-only for maintenance' >&2\nexit 1\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var originBefore = await scenario.OriginRefsAsync();

        var interrupted = await Assert.ThrowsAsync<GitException>(() => workspace.FlowFinishAsync(GitFlowKind.Hotfix, "3.0.1", None));
        var localProduction = (await scenario.GitAsync(workspace.WorkingDirectory, "rev-parse", "production")).StandardOutput.Trim();
        var localTag = (await scenario.GitAsync(workspace.WorkingDirectory, "rev-parse", "v3.0.1")).StandardOutput.Trim();
        var originAfterInterruption = await scenario.OriginRefsAsync();
        File.Delete(hook);
        var resumed = await scenario.CreateWorkspace().FlowFinishAsync(GitFlowKind.Hotfix, "3.0.1", None);
        var again = await scenario.CreateWorkspace().FlowFinishAsync(GitFlowKind.Hotfix, "3.0.1", None);

        Assert.Equal(
            "git push --porcelain --atomic origin refs/heads/develop:refs/heads/develop refs/heads/production:refs/heads/production refs/tags/v3.0.1:refs/tags/v3.0.1 failed with exit code 1:",
            interrupted.Message.Split(Environment.NewLine)[0]);
        Assert.Contains("remote: origin is read-only for maintenance", interrupted.Message, StringComparison.Ordinal);
        Assert.Equal(originBefore, originAfterInterruption);
        Assert.True(resumed.Pushed);
        Assert.Equal(localProduction, await scenario.OriginRevAsync("production"));
        Assert.Equal(localTag, await scenario.OriginRevAsync("v3.0.1"));
        Assert.Equal("2", await scenario.OriginAsync("rev-list", "--count", "--merges", "v3.0.0..production"));
        Assert.Equal(resumed with { Pushed = false }, again);
    }

    [Fact]
    public async Task Finish_AlreadyFinishedOnOrigin_FreshCloneCompletesWithoutDuplicates()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();
        await workspace.FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));
        await workspace.CommitAndPushAsync(Hotfix, "Bump version to 3.0.1", [VersionIni], None);
        var finished = await workspace.FlowFinishAsync(GitFlowKind.Hotfix, "3.0.1", None);
        var originAfter = await scenario.OriginRefsAsync();

        var rerun = await scenario.CreateWorkspace("other-environment").FlowFinishAsync(GitFlowKind.Hotfix, "3.0.1", None);

        Assert.Equal(finished with { Pushed = false }, rerun);
        Assert.Equal(originAfter, await scenario.OriginRefsAsync());
    }

    [Fact]
    public async Task EnsureClone_AfterDirtyInterruptedState_CleanOnProduction()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();
        await workspace.EnsureCloneAsync(None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), "garbage");
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, "stray.txt"), "x");
        // The locks a git killed half-way leaves: each makes every later command of its kind fail with "File exists".
        foreach (var stale in new[] { "index.lock", "config.lock", "HEAD.lock", "packed-refs.lock", "refs/heads/production.lock" })
        {
            await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, ".git", stale), string.Empty);
        }

        var newProduction = await scenario.DeveloperCommitsAsync("production", "NOTES.md", "notes\n", "Add notes");

        await workspace.EnsureCloneAsync(None);

        Assert.Equal(string.Empty, (await scenario.GitAsync(workspace.WorkingDirectory, "status", "--porcelain", "--ignored")).StandardOutput);
        Assert.Equal(newProduction, (await scenario.GitAsync(workspace.WorkingDirectory, "rev-parse", "HEAD")).StandardOutput.Trim());
        Assert.Equal("production", (await scenario.GitAsync(workspace.WorkingDirectory, "symbolic-ref", "--short", "HEAD")).StandardOutput.Trim());
    }

    [Fact]
    public async Task EnsureClone_FirstCloneKilledHalfWay_TheNextOneClonesAfresh()
    {
        using var scenario = await CreateAsync();
        var connected = Path.Combine(scenario.Root, "connected");
        var stalledSsh = Path.Combine(scenario.Root, "stalled-ssh");
        await File.WriteAllTextAsync(stalledSsh, $"#!/bin/sh\ntouch '{connected}'\nexec sleep 600\n");
        File.SetUnixFileMode(stalledSsh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var stalled = new GitWorkspace(new GitWorkspaceOptions
        {
            // An SSH remote whose server never answers: git has made its clone's folder and waits for the pack.
            RepositoryUrl = "stalled-host:" + scenario.OriginPath,
            DataDirectory = scenario.DataDirectory,
            EnvironmentName = "prod",
            GitEnvironment = new Dictionary<string, string>(scenario.Environment) { ["GIT_SSH_COMMAND"] = stalledSsh },
        });
        using var cancel = new CancellationTokenSource();
        var clone = stalled.EnsureCloneAsync(cancel.Token);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (!File.Exists(connected))
            {
                await Task.Delay(20, deadline.Token);
            }
        }

        // Cancelling SIGKILLs git and its ssh, as a cancelled run or a killed worker does: git cleans nothing up.
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => clone);
        Assert.False(Directory.Exists(stalled.WorkingDirectory), "a clone that never finished is not where the next run looks");
        var clones = Path.GetDirectoryName(stalled.WorkingDirectory)!;
        Assert.Empty(Directory.GetFileSystemEntries(clones));
        Directory.CreateDirectory(Path.Combine(clones, ".prod.clone-of-a-process-killed-with-its-git", ".git", "objects")); // nobody cleaned

        var workspace = scenario.CreateWorkspace();
        await workspace.EnsureCloneAsync(None);

        Assert.Equal(await scenario.OriginRevAsync("production"), (await scenario.GitAsync(workspace.WorkingDirectory, "rev-parse", "HEAD")).StandardOutput.Trim());
        Assert.Equal("production", (await scenario.GitAsync(workspace.WorkingDirectory, "symbolic-ref", "--short", "HEAD")).StandardOutput.Trim());
        Assert.Equal(["prod"], Directory.GetFileSystemEntries(Path.GetDirectoryName(workspace.WorkingDirectory)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task EnsureClone_CloneAnEarlierVersionLeftOnABranchYetToBeBorn_IsMadeAfresh()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();

        // What an in-place 'git clone' killed before its checkout leaves: a repository, its remote, no commit.
        Directory.CreateDirectory(workspace.WorkingDirectory);
        await scenario.GitAsync(workspace.WorkingDirectory, "init", "-q", "-b", "production");
        await scenario.GitAsync(workspace.WorkingDirectory, "remote", "add", "origin", scenario.OriginPath);

        await workspace.EnsureCloneAsync(None);

        Assert.Equal(await scenario.OriginRevAsync("production"), (await scenario.GitAsync(workspace.WorkingDirectory, "rev-parse", "HEAD")).StandardOutput.Trim());
        Assert.Equal("production", (await scenario.GitAsync(workspace.WorkingDirectory, "symbolic-ref", "--short", "HEAD")).StandardOutput.Trim());
    }

    [Fact]
    public async Task EnsureClone_WholeCloneWithItsRefsPacked_IsKept()
    {
        using var scenario = await CreateAsync();
        var workspace = scenario.CreateWorkspace();
        await workspace.EnsureCloneAsync(None);
        await scenario.GitAsync(workspace.WorkingDirectory, "pack-refs", "--all"); // as git gc does: no refs/heads/production file
        var kept = Path.Combine(workspace.WorkingDirectory, ".git", "info", "kept-by-this-clone");
        await File.WriteAllTextAsync(kept, "");

        await workspace.EnsureCloneAsync(None);

        Assert.False(File.Exists(Path.Combine(workspace.WorkingDirectory, ".git", "refs", "heads", "production")));
        Assert.True(File.Exists(kept), "the clone was kept, not made again");
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => new GitWorkspace(new GitWorkspaceOptions
        {
            RepositoryUrl = " ",
            DataDirectory = "/data",
            EnvironmentName = "../prod",
            Flow = new GitFlowOptions { DevelopBranch = "production", HotfixPrefix = "" },
        }));

        Assert.Equal(
            string.Join(Environment.NewLine,
                "Invalid git workspace options:",
                "- RepositoryUrl is empty: give the URL or path of the repository to clone.",
                "- EnvironmentName '../prod' cannot name a folder: use letters, digits, '.', '_' or '-' (like 'prod').",
                "- ProductionBranch and DevelopBranch are both 'production'; they must differ.",
                "- HotfixPrefix '' is not a branch prefix: it must be non-empty (like 'hotfix/') and contain no spaces.")
            + " (Parameter 'options')",
            error.Message);
    }

    [Fact]
    public async Task LatestTag_CredentialsInUrl_NeverInMessageOrLogs()
    {
        using var scenario = await CreateAsync();
        var logger = new ListLogger();
        var workspace = new GitWorkspace(
            new GitWorkspaceOptions
            {
                RepositoryUrl = "https://gantry:s3cr3t-token@127.0.0.1:9/opensky.git",
                DataDirectory = scenario.DataDirectory,
                EnvironmentName = "prod",
                GitEnvironment = scenario.Environment,
            },
            logger);

        var error = await Assert.ThrowsAsync<GitException>(() => workspace.LatestTagAsync("stable", None));
        var cloneError = await Assert.ThrowsAsync<GitException>(() => workspace.EnsureCloneAsync(None));

        Assert.Equal("git ls-remote --tags https://***@127.0.0.1:9/opensky.git failed with exit code 128:", error.Message.Split(Environment.NewLine)[0]);
        Assert.StartsWith("git clone --origin origin https://***@127.0.0.1:9/opensky.git ", cloneError.Message, StringComparison.Ordinal);
        Assert.NotEmpty(logger.Lines);
        foreach (var text in logger.Lines.Concat([error.ToString(), cloneError.ToString(), error.StandardErrorTail ?? string.Empty]))
        {
            Assert.DoesNotContain("s3cr3t-token", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task FlowAndCommitPush_CredentialsInUrl_NeverInResultsOrLogs()
    {
        using var scenario = await CreateAsync();
        var logger = new ListLogger();
        var workspace = CredentialedWorkspace(scenario, logger);

        await workspace.FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));
        var bump = await workspace.CommitAndPushAsync(Hotfix, "Bump version to 3.0.1", [VersionIni], None);
        await scenario.DeveloperMergesFixAsync(Hotfix);
        var finish = await workspace.FlowFinishAsync(GitFlowKind.Hotfix, "3.0.1", None);

        Assert.True(bump.Pushed);
        Assert.Equal(("v3.0.1", true), (finish.Tag, finish.Pushed));
        Assert.Equal(finish.ProductionCommit, await scenario.OriginRevAsync("v3.0.1^{commit}"));
        Assert.Contains(logger.Lines, l => l.Contains("https://***@127.0.0.1:9/opensky.git", StringComparison.Ordinal));
        foreach (var text in logger.Lines.Append(bump.ToString()).Append(finish.ToString()))
        {
            Assert.DoesNotContain(CredentialToken, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CommitAndPush_RejectedWithCredentialsInUrl_NeverInMessageOrLogs()
    {
        using var scenario = await CreateAsync();
        var logger = new ListLogger();
        var workspace = CredentialedWorkspace(scenario, logger);
        await workspace.FlowStartAsync(GitFlowKind.Hotfix, "3.0.1", None);
        await scenario.DeveloperCommitsAsync(Hotfix, "NOTES.md", "notes\n", "Add notes");
        await File.WriteAllTextAsync(Path.Combine(workspace.WorkingDirectory, VersionIni), Ini("3.0.1"));

        var error = await Assert.ThrowsAsync<GitPushRejectedException>(
            () => workspace.CommitAndPushAsync(Hotfix, "Bump version to 3.0.1", [VersionIni], None));

        Assert.StartsWith("Push rejected: origin/hotfix/3.0.1 has moved since the clone was fetched.", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(logger.Lines);
        foreach (var text in logger.Lines.Concat([error.ToString(), error.StandardErrorTail ?? string.Empty]))
        {
            Assert.DoesNotContain(CredentialToken, text, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A workspace whose origin URL carries a token, as a hosted origin's would; git's own
    /// <c>url.insteadOf</c> maps it to the local origin so that clone, fetch and push really work.
    /// </summary>
    private static GitWorkspace CredentialedWorkspace(GitScenarioFixture scenario, ListLogger logger)
    {
        const string Url = $"https://gantry:{CredentialToken}@127.0.0.1:9/opensky.git";
        var config = Path.Combine(scenario.Root, "credentialed.gitconfig");
        File.WriteAllText(config, $"[url \"{scenario.OriginPath}\"]\n\tinsteadOf = {Url}\n");
        var environment = scenario.Environment.ToDictionary();
        environment["GIT_CONFIG_GLOBAL"] = config;
        return new GitWorkspace(
            new GitWorkspaceOptions
            {
                RepositoryUrl = Url,
                DataDirectory = scenario.DataDirectory,
                EnvironmentName = "prod",
                GitEnvironment = environment,
            },
            logger);
    }

    private sealed class ListLogger : ILogger<GitWorkspace>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
