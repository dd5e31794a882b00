using System.Diagnostics;
using Gantry.Providers.LoadBalancers.Nginx;

namespace Gantry.Providers.Tests.LoadBalancers.Nginx;

public sealed class LocalCommandRunnerTests
{
    [Fact]
    public async Task RunAsync_Command_ReportsExitCodeAndBothOutputs()
    {
        var result = await LocalCommandRunner.Instance.RunAsync(["sh", "-c", "echo out; echo err >&2; exit 7"], CancellationToken.None);

        Assert.Equal(new CommandResult(7, "out\n", "err\n"), result);
    }

    [Fact]
    public async Task RunAsync_ArgumentsWithSpaces_PassedWithoutAShell()
    {
        var result = await LocalCommandRunner.Instance.RunAsync(["printf", "%s|", "a b", "$HOME"], CancellationToken.None);

        Assert.Equal("a b|$HOME|", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_MissingProgram_ThrowsNamingTheCommand()
    {
        var error = await Assert.ThrowsAsync<NginxException>(() => LocalCommandRunner.Instance.RunAsync(["/nonexistent/nginx", "-t"], CancellationToken.None));

        Assert.StartsWith("Command '/nonexistent/nginx -t' could not be started: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Cancelled_StopsTheProcess()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LocalCommandRunner.Instance.RunAsync(["sleep", "30"], cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }
}
