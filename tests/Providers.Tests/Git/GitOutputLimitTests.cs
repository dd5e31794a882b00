using Gantry.Providers.Git;

namespace Gantry.Providers.Tests.Git;

/// <summary>
/// Git's output is parsed, so a tail must never pass for the whole answer: more than the limit is an error.
/// The limit is lowered here (the real one is 64 MiB) so a real git command exceeds it quickly.
/// </summary>
public sealed class GitOutputLimitTests : IDisposable
{
    private const int Limit = 64 * 1024;
    private readonly DirectoryInfo _repository = Directory.CreateTempSubdirectory("gantry-git-limit-");
    private readonly GitCommandRunner _runner = new(new GitRunnerOptions { OutputLimit = Limit });

    public void Dispose() => _repository.Delete(recursive: true);

    [Fact]
    public async Task TryRunAsync_OutputLongerThanTheLimit_FailsNamingCommandFolderAndLimit_WithoutHanging()
    {
        // Four times the limit in lines, the shape of a long log or listing.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await CommitAsync("big.txt", Listing(4 * Limit), deadline.Token);

        var error = await Assert.ThrowsAsync<GitException>(() => _runner.TryRunAsync(_repository.FullName, ["show", "HEAD:big.txt"], deadline.Token));

        Assert.Equal(
            $"git show HEAD:big.txt in {_repository.FullName} wrote more than {Limit} characters (exit code 0); Gantry reads at most that much from git.",
            error.Message);
        Assert.False(deadline.IsCancellationRequested);
    }

    [Fact]
    public async Task TryRunAsync_OutputJustWithinTheLimit_ReturnedWhole()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var text = Listing(Limit);
        await CommitAsync("fits.txt", text, deadline.Token);

        var result = await _runner.TryRunAsync(_repository.FullName, ["show", "HEAD:fits.txt"], deadline.Token);

        Assert.Equal((0, text.Length, text), (result.ExitCode, result.StandardOutput.Length, result.StandardOutput));
    }

    /// <summary>Lines of 32 characters, at most <paramref name="characters"/> in all.</summary>
    private static string Listing(int characters) =>
        string.Concat(Enumerable.Range(0, characters / 32).Select(i => $"line {i:D8} of a long listing\n"));

    private async Task CommitAsync(string file, string text, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(Path.Combine(_repository.FullName, file), text, cancellationToken);
        await _runner.RunAsync(_repository.FullName, ["init", "--quiet"], cancellationToken);
        await _runner.RunAsync(_repository.FullName, ["add", file], cancellationToken);
        await _runner.RunAsync(_repository.FullName, ["-c", "user.name=Ops", "-c", "user.email=ops@example.com", "commit", "--quiet", "-m", file], cancellationToken);
    }
}
