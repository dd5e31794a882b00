using System.Diagnostics;
using Gantry.Providers.Git;

namespace Gantry.Providers.Tests.Git;

public class GitCommandRunnerTests
{
    [Fact]
    public async Task RunAsync_Failure_MessageNamesCommandExitCodeAndStderr()
    {
        var folder = Directory.CreateTempSubdirectory("gantry-git-runner-").FullName;
        try
        {
            var runner = new GitCommandRunner(new GitRunnerOptions { Environment = new Dictionary<string, string> { ["GIT_CEILING_DIRECTORIES"] = Path.GetDirectoryName(folder)! } });

            var error = await Assert.ThrowsAsync<GitException>(() => runner.RunAsync(folder, ["log", "--format=%s %an", "-1"], CancellationToken.None));

            Assert.Equal(
                "git log \"--format=%s %an\" -1 failed with exit code 128:" + Environment.NewLine
                + "fatal: not a git repository (or any of the parent directories): .git",
                error.Message);
            Assert.Equal(128, error.ExitCode);
            Assert.Equal("git log \"--format=%s %an\" -1", error.CommandLine);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TryRunAsync_ReturnsOutputs()
    {
        var result = await new GitCommandRunner().TryRunAsync(Path.GetTempPath(), ["--version"], CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("git version ", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsGitAndItsChildren()
    {
        var runner = new GitCommandRunner();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var stopwatch = Stopwatch.StartNew();

        // An alias starting with '!' makes git run a child process: cancelling must kill the whole tree.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => runner.RunAsync(Path.GetTempPath(), ["-c", "alias.wait=!sleep 30", "wait"], cancellation.Token));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task RunAsync_CredentialsInArguments_MaskedInMessage()
    {
        var runner = new GitCommandRunner(new GitRunnerOptions { Secrets = ["hunter2"] });

        var error = await Assert.ThrowsAsync<GitException>(
            () => runner.RunAsync(Path.GetTempPath(), ["-c", "http.extraHeader=Authorization: Bearer hunter2", "ls-remote", "file:///nonexistent/gantry-user:tok3n@x"], CancellationToken.None));

        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("git -c \"http.extraHeader=Authorization: Bearer ***\" ls-remote", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fatal: unable to access 'https://user:token@example.invalid/r.git/'", "fatal: unable to access 'https://***@example.invalid/r.git/'")]
    [InlineData("git clone https://x-access-token:ghs_abc123@github.com/o/r.git dir", "git clone https://***@github.com/o/r.git dir")]
    [InlineData("ssh://git@host:22/repo.git", "ssh://***@host:22/repo.git")]
    [InlineData("git@github.com:o/r.git and /srv/repo.git", "git@github.com:o/r.git and /srv/repo.git")]
    public void Mask_UrlUserInfo_Replaced(string text, string expected)
    {
        Assert.Equal(expected, new GitOutputMasker().Mask(text));
    }

    [Fact]
    public void BuildSshCommand_KeyAndKnownHosts_QuotedForTheShell()
    {
        Assert.Equal(
            "ssh -i '/keys/deploy key' -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o BatchMode=yes -o UserKnownHostsFile='/keys/it'\\''s known_hosts'",
            GitCommandRunner.BuildSshCommand("/keys/deploy key", "/keys/it's known_hosts"));
    }
}
