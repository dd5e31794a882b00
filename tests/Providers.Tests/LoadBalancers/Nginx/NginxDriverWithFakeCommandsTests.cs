using Gantry.Providers.LoadBalancers;
using Gantry.Providers.LoadBalancers.Nginx;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Providers.Tests.LoadBalancers.Nginx;

/// <summary>The driver's own logic, with scripted commands, real files and a fake clock: no nginx needed.</summary>
public sealed class NginxDriverWithFakeCommandsTests : IDisposable
{
    private const string Initial = "upstream web {\n    server 10.0.0.1:80;\n    server 10.0.0.2:80;\n    server 10.0.0.3:80 down;\n}\n";

    private readonly string _folder = Directory.CreateTempSubdirectory("gantry-nginx-unit-").FullName;
    private readonly SettleTimeProvider _time = new();

    private string UpstreamPath => Path.Combine(_folder, "upstream.conf");

    private NginxOptions Options => new()
    {
        UpstreamName = "web",
        UpstreamConfigPath = UpstreamPath,
        MainConfigPath = "/etc/nginx/nginx.conf",
        Servers = new Dictionary<string, string> { ["a"] = "10.0.0.1:80", ["b"] = "10.0.0.2:80", ["c"] = "10.0.0.3:80" },
        UpstreamTemplate = "upstream {{ name }} {\n{{ for s in servers }}    server {{ s.address }}{{ if s.down }} down{{ end }};\n{{ end }}}\n",
    };

    private static LoadBalancerTimings Timings => new() { SettleDelay = TimeSpan.FromSeconds(5) };

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task TakeOutAsync_Change_TestsThenReloadsWithTheMainConfig()
    {
        File.WriteAllText(UpstreamPath, Initial);
        var commands = new RecordingCommandRunner();
        var driver = new NginxDriver(Options, commands, timeProvider: _time);

        var takeOut = driver.TakeOutAsync(["a"], Timings, null, CancellationToken.None);
        await _time.SettleTimerStarted.Task;
        _time.Advance(TimeSpan.FromSeconds(5));
        await takeOut;

        Assert.Equal(["nginx -t -c /etc/nginx/nginx.conf", "nginx -s reload -c /etc/nginx/nginx.conf"], commands.Commands);
        Assert.Equal("upstream web {\n    server 10.0.0.1:80 down;\n    server 10.0.0.2:80;\n    server 10.0.0.3:80 down;\n}\n", File.ReadAllText(UpstreamPath));
        Assert.Equal(Initial, File.ReadAllText(UpstreamPath + ".previous"));
    }

    [Fact]
    public async Task TakeOutAsync_AfterReload_WaitsSettleDelayOnTheTimeProvider()
    {
        File.WriteAllText(UpstreamPath, Initial);
        var progress = new List<string>();
        var driver = new NginxDriver(Options, new RecordingCommandRunner(), timeProvider: _time);

        var takeOut = driver.TakeOutAsync(["a", "b"], Timings, new ListProgress(progress), CancellationToken.None);
        await _time.SettleTimerStarted.Task;
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(takeOut.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        await takeOut;

        Assert.Equal(
            [
                $"Taking out 'a', 'b' on nginx upstream 'web': writing '{UpstreamPath}'.",
                "Taking out 'a', 'b' on nginx upstream 'web': nginx reloaded.",
                "Taking out 'a', 'b' on nginx upstream 'web': waiting 5 s for in-flight requests to finish on the old nginx workers.",
            ],
            progress);
    }

    [Fact]
    public async Task BringLiveAsync_Change_DoesNotWaitSettleDelay()
    {
        File.WriteAllText(UpstreamPath, Initial);
        var driver = new NginxDriver(Options, new RecordingCommandRunner(), timeProvider: _time);

        await driver.BringLiveAsync(["c"], Timings, null, CancellationToken.None);

        Assert.Equal("upstream web {\n    server 10.0.0.1:80;\n    server 10.0.0.2:80;\n    server 10.0.0.3:80;\n}\n", File.ReadAllText(UpstreamPath));
    }

    [Fact]
    public async Task BringLiveAsync_AlreadyLive_RunsNoCommand()
    {
        File.WriteAllText(UpstreamPath, Initial);
        var commands = new RecordingCommandRunner();
        var driver = new NginxDriver(Options, commands, timeProvider: _time);

        await driver.BringLiveAsync(["a", "b"], Timings, null, CancellationToken.None);

        Assert.Empty(commands.Commands);
        Assert.False(File.Exists(UpstreamPath + ".previous"));
    }

    [Fact]
    public async Task TakeOutAsync_ConfiguredServerMissingFromFile_WritesItDown()
    {
        File.WriteAllText(UpstreamPath, "upstream web { server 10.0.0.1:80; server 10.0.0.2:80; }\n");
        var driver = new NginxDriver(Options, new RecordingCommandRunner(), timeProvider: _time);

        await driver.BringLiveAsync(["b"], Timings, null, CancellationToken.None);

        Assert.Equal("upstream web {\n    server 10.0.0.1:80;\n    server 10.0.0.2:80;\n    server 10.0.0.3:80 down;\n}\n", File.ReadAllText(UpstreamPath));
    }

    [Fact]
    public async Task TakeOutAsync_UnknownServers_ThrowsNamingThemAndTheValidNames()
    {
        File.WriteAllText(UpstreamPath, Initial);
        var driver = new NginxDriver(Options, new RecordingCommandRunner(), timeProvider: _time);

        var error = await Assert.ThrowsAsync<NginxException>(() => driver.TakeOutAsync(["a", "web9", "x"], Timings, null, CancellationToken.None));

        Assert.Equal("Unknown server 'web9', 'x' for nginx upstream 'web'. Valid names are: a, b, c.", error.Message);
    }

    [Fact]
    public async Task TakeOutAsync_FileListsAnUnconfiguredAddress_RefusesWithoutWriting()
    {
        File.WriteAllText(UpstreamPath, Initial.Replace("}", "    server 10.0.0.9:80;\n}", StringComparison.Ordinal));
        var commands = new RecordingCommandRunner();
        var driver = new NginxDriver(Options, commands, timeProvider: _time);

        var error = await Assert.ThrowsAsync<NginxException>(() => driver.TakeOutAsync(["a"], Timings, null, CancellationToken.None));

        Assert.Equal($"Taking out 'a' on nginx upstream 'web' was refused: '{UpstreamPath}' lists '10.0.0.9:80', which no configured server has, and rewriting the file would drop it. Add it to Servers or remove it from the file.", error.Message);
        Assert.Empty(commands.Commands);
        Assert.False(File.Exists(UpstreamPath + ".previous"));
    }

    [Fact]
    public async Task ReadServersAsync_FileMissing_ThrowsWithHint()
    {
        var driver = new NginxDriver(Options, new RecordingCommandRunner(), timeProvider: _time);

        var error = await Assert.ThrowsAsync<NginxException>(() => driver.ReadServersAsync(CancellationToken.None));

        Assert.Equal($"The nginx upstream file '{UpstreamPath}' does not exist. Write the 'upstream web' block once by hand and include it from the main configuration.", error.Message);
    }

    [Fact]
    public async Task ReadServersAsync_NoUpstreamBlock_ThrowsWithHint()
    {
        File.WriteAllText(UpstreamPath, Initial.Replace("upstream web", "upstream website", StringComparison.Ordinal));
        var driver = new NginxDriver(Options, new RecordingCommandRunner(), timeProvider: _time);

        var error = await Assert.ThrowsAsync<NginxException>(() => driver.ReadServersAsync(CancellationToken.None));

        Assert.Equal($"The file '{UpstreamPath}' has no 'upstream web {{ ... }}' block. Check UpstreamConfigPath and UpstreamName, or write the block once by hand.", error.Message);
    }

    [Fact]
    public async Task TakeOutAsync_ReloadFailsAndSoDoesTheRestoringReload_ReportsBoth()
    {
        File.WriteAllText(UpstreamPath, Initial);
        var commands = new RecordingCommandRunner()
            .Then(new CommandResult(0, string.Empty, "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"))
            .Then(new CommandResult(1, string.Empty, "2026/01/02 03:04:05 [error] 77#77: open() \"/run/nginx.pid\" failed (2: No such file or directory)\n"))
            .Then(new CommandResult(1, string.Empty, "2026/01/02 03:04:06 [error] 78#78: open() \"/run/nginx.pid\" failed (2: No such file or directory)\n"));
        var driver = new NginxDriver(Options, commands, timeProvider: _time);

        var error = await Assert.ThrowsAsync<NginxException>(() => driver.TakeOutAsync(["a"], Timings, null, CancellationToken.None));

        Assert.Equal(
            $"""
            Taking out 'a' on nginx upstream 'web' failed. Command 'nginx -s reload -c /etc/nginx/nginx.conf' exited with code 1. The previous content of '{UpstreamPath}' was restored, but reloading it failed too. Command 'nginx -s reload -c /etc/nginx/nginx.conf' exited with code 1.
            Standard error ends with:
            nginx: [error] open() "/run/nginx.pid" failed (2: No such file or directory)
            Standard error ends with:
            nginx: [error] open() "/run/nginx.pid" failed (2: No such file or directory)
            """,
            error.Message);
        Assert.Equal(Initial, File.ReadAllText(UpstreamPath));
    }

    [Fact]
    public async Task TakeOutAsync_TestCommandHangs_TimesOutRestoresAndSaysSo()
    {
        File.WriteAllText(UpstreamPath, Initial);
        var commands = new HangingOnceCommandRunner();
        var driver = new NginxDriver(Options with { CommandTimeout = TimeSpan.FromSeconds(10) }, commands, timeProvider: _time);

        var takeOut = driver.TakeOutAsync(["a"], Timings, null, CancellationToken.None);
        await commands.Hanging.Task;
        _time.Advance(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<NginxException>(() => takeOut);

        Assert.Equal($"Taking out 'a' on nginx upstream 'web' failed. Command 'nginx -t -c /etc/nginx/nginx.conf' did not finish within 10 s. The previous content of '{UpstreamPath}' was restored and nginx reloaded with it.", error.Message);
        Assert.Equal(["nginx -t -c /etc/nginx/nginx.conf", "nginx -s reload -c /etc/nginx/nginx.conf"], commands.Commands);
        Assert.Equal(Initial, File.ReadAllText(UpstreamPath));
    }

    [Fact]
    public async Task TakeOutAsync_CancelledDuringTheTest_RestoresThePreviousFile()
    {
        File.WriteAllText(UpstreamPath, Initial);
        var commands = new HangingOnceCommandRunner();
        var driver = new NginxDriver(Options, commands, timeProvider: _time);
        using var cancel = new CancellationTokenSource();

        var takeOut = driver.TakeOutAsync(["a"], Timings, null, cancel.Token);
        await commands.Hanging.Task;
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => takeOut);
        Assert.Equal(Initial, File.ReadAllText(UpstreamPath));
        Assert.Equal(["nginx -t -c /etc/nginx/nginx.conf", "nginx -s reload -c /etc/nginx/nginx.conf"], commands.Commands);
    }

    [Fact]
    public async Task TakeOutAsync_TemplateUsesUnknownVariable_ThrowsBeforeWriting()
    {
        File.WriteAllText(UpstreamPath, Initial);
        var driver = new NginxDriver(Options with { UpstreamTemplate = "upstream {{ name }} { {{ for s in servers }}server {{ s.adress }}; {{ end }}}" }, new RecordingCommandRunner(), timeProvider: _time);

        var error = await Assert.ThrowsAsync<NginxException>(() => driver.TakeOutAsync(["a"], Timings, null, CancellationToken.None));

        Assert.Equal("The nginx upstream template failed to render: <input>(1,57) : error : Cannot get member with name adress.", error.Message);
        Assert.Equal(Initial, File.ReadAllText(UpstreamPath));
    }

    private sealed class ListProgress(List<string> messages) : IProgress<string>
    {
        public void Report(string value) => messages.Add(value);
    }

    /// <summary>A fake clock that tells when the 5 s settle wait has started, so the test advances time only after it.</summary>
    private sealed class SettleTimeProvider : FakeTimeProvider
    {
        public TaskCompletionSource SettleTimerStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime == TimeSpan.FromSeconds(5))
            {
                SettleTimerStarted.TrySetResult();
            }

            return timer;
        }
    }

    /// <summary>The first command hangs until cancelled; every later one succeeds.</summary>
    private sealed class HangingOnceCommandRunner : ICommandRunner
    {
        public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Commands { get; } = [];

        public async Task<CommandResult> RunAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken)
        {
            Commands.Add(string.Join(' ', argv));
            if (Commands.Count == 1)
            {
                Hanging.SetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return new CommandResult(0, string.Empty, string.Empty);
        }
    }
}
