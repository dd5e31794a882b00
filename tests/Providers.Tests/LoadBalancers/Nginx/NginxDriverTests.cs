using System.Collections.Concurrent;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.LoadBalancers.Nginx;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.LoadBalancers.Nginx;

/// <summary>The driver against a real nginx and real backends on loopback.</summary>
public sealed class NginxDriverTests
{
    private static readonly string[] Group1 = ["web1", "web2"];
    private static readonly string[] Group2 = ["web3", "web4"];
    private static readonly LoadBalancerTimings Timings = new() { SettleDelay = TimeSpan.FromMilliseconds(200) };

    private static CancellationToken Token => CancellationToken.None;

    [Fact]
    public async Task TakeOutAsync_Group1_RequestsReachOnlyGroup2()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var driver = new NginxDriver(nginx.Options());

        await driver.TakeOutAsync(Group1, Timings, null, Token);
        await nginx.WaitForReloadsAsync(1);

        var answers = await nginx.SendAsync(20);
        Assert.Equal(Group2, answers.Keys.Order());
        Assert.Equal(
            $"""
            # Written by Gantry: taking servers out and bringing them live rewrites this file.
            upstream web {'{'}
                server {nginx["web1"].Address} down;
                server {nginx["web2"].Address} down;
                server {nginx["web3"].Address};
                server {nginx["web4"].Address};
            {'}'}

            """,
            await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token));
        Assert.Equal(
            [AdminState.Maint, AdminState.Maint, AdminState.Ready, AdminState.Ready],
            (await driver.ReadServersAsync(Token)).Select(s => s.Admin));
    }

    [Fact]
    public async Task BringLiveAsync_AfterTakeOut_AllServersGetTraffic()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var driver = new NginxDriver(nginx.Options());
        await driver.TakeOutAsync(Group1, Timings, null, Token);
        await nginx.WaitForReloadsAsync(1);

        await driver.BringLiveAsync(Group1, Timings, null, Token);
        await nginx.WaitForReloadsAsync(2);

        var answers = await nginx.SendAsync(20);
        Assert.Equal(["web1", "web2", "web3", "web4"], answers.Keys.Order());
        Assert.All(await driver.ReadServersAsync(Token), s => Assert.Equal(AdminState.Ready, s.Admin));
    }

    [Fact]
    public async Task ReadServersAsync_AfterManualEdit_ReportsTheFile()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var driver = new NginxDriver(nginx.Options());
        await File.WriteAllTextAsync(
            nginx.UpstreamConfigPath,
            $"""
            # edited by hand during an incident
            upstream web{'{'}
              server {nginx["web1"].Address} weight=3;
              server   {nginx["web2"].Address}  max_fails=2 down ;  # broken disk
              server {nginx["web3"].Address}; server 127.0.0.1:1 down;
            {'}'}
            """,
            Token);

        var servers = await driver.ReadServersAsync(Token);

        Assert.Equal(
            [
                new ServerState("web1", AdminState.Ready, HealthState.NoCheck, 0, 3),
                new ServerState("web2", AdminState.Maint, HealthState.NoCheck, 0, null),
                new ServerState("web3", AdminState.Ready, HealthState.NoCheck, 0, null),
                new ServerState("web4", AdminState.Maint, HealthState.NoCheck, 0, null, $"{nginx["web4"].Address} is not listed in upstream 'web'"),
                new ServerState("127.0.0.1:1", AdminState.Maint, HealthState.NoCheck, 0, null, "address is not among the configured servers"),
            ],
            servers);
    }

    [Fact]
    public async Task TakeOutAsync_TemplateProducesInvalidConfig_RestoresPreviousFileAndThrows()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var original = await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token);
        var driver = new NginxDriver(nginx.Options(template: "upstream {{ name }} {\n{{ for s in servers }}  serve {{ s.address }};\n{{ end }}}\n"));

        var error = await Assert.ThrowsAsync<NginxException>(() => driver.TakeOutAsync(Group1, Timings, null, Token));

        Assert.Equal(
            $"""
            Taking out 'web1', 'web2' on nginx upstream 'web' failed. Command '{NginxFixture.NginxPath} -t -c {nginx.MainConfigPath}' exited with code 1. The previous content of '{nginx.UpstreamConfigPath}' was restored and nginx reloaded with it.
            Standard error ends with:
            nginx: [emerg] unknown directive "serve" in {nginx.UpstreamConfigPath}:2
            nginx: configuration file {nginx.MainConfigPath} test failed
            """,
            error.Message);
        Assert.Equal(original, await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token));
        await nginx.WaitForReloadsAsync(1);
        Assert.Equal(["web1", "web2", "web3", "web4"], (await nginx.SendAsync(20)).Keys.Order());
    }

    [Fact]
    public async Task TakeOutAsync_TestCommandFails_RestoresPreviousFileAndThrows()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var original = await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token);
        var script = await WriteScriptAsync(nginx, "test.sh", "echo 'config check refused: lint failed' >&2\nexit 3");
        var driver = new NginxDriver(nginx.Options() with { TestCommand = ["sh", script] });

        var error = await Assert.ThrowsAsync<NginxException>(() => driver.TakeOutAsync(Group1, Timings, null, Token));

        Assert.Equal(
            $"""
            Taking out 'web1', 'web2' on nginx upstream 'web' failed. Command 'sh {script}' exited with code 3. The previous content of '{nginx.UpstreamConfigPath}' was restored and nginx reloaded with it.
            Standard error ends with:
            config check refused: lint failed
            """,
            error.Message);
        Assert.Equal(original, await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token));
        await nginx.WaitForReloadsAsync(1);
        Assert.Equal(["web1", "web2", "web3", "web4"], (await nginx.SendAsync(20)).Keys.Order());
    }

    [Fact]
    public async Task TakeOutAsync_ReloadFails_RestoresPreviousFileAndReloadsIt()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var original = await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token);
        var marker = Path.Combine(nginx.Folder, "refused-once");
        var script = await WriteScriptAsync(
            nginx,
            "reload.sh",
            $"""
            if [ -e {marker} ]; then exec {NginxFixture.NginxPath} -s reload -c {nginx.MainConfigPath}; fi
            touch {marker}
            echo 'reload refused: nginx.pid is stale' >&2
            exit 4
            """);
        var driver = new NginxDriver(nginx.Options() with { ReloadCommand = ["sh", script] });

        var error = await Assert.ThrowsAsync<NginxException>(() => driver.TakeOutAsync(Group1, Timings, null, Token));

        Assert.Equal(
            $"""
            Taking out 'web1', 'web2' on nginx upstream 'web' failed. Command 'sh {script}' exited with code 4. The previous content of '{nginx.UpstreamConfigPath}' was restored and nginx reloaded with it.
            Standard error ends with:
            reload refused: nginx.pid is stale
            """,
            error.Message);
        Assert.Equal(original, await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token));
        await nginx.WaitForReloadsAsync(1);
        Assert.Equal(["web1", "web2", "web3", "web4"], (await nginx.SendAsync(20)).Keys.Order());
    }

    [Fact]
    public async Task TakeOutAsync_AlreadyOut_NeitherWritesNorReloads()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var commands = new RecordingCommandRunner(LocalCommandRunner.Instance);
        var driver = new NginxDriver(nginx.Options(), commands);
        await driver.TakeOutAsync(Group1, Timings, null, Token);
        await nginx.WaitForReloadsAsync(1);
        var written = File.GetLastWriteTimeUtc(nginx.UpstreamConfigPath);
        commands.Commands.Clear();
        var progress = new ConcurrentQueue<string>();

        await driver.TakeOutAsync(["web2", "web1"], Timings, new SynchronousProgress(progress.Enqueue), Token);

        Assert.Empty(commands.Commands);
        Assert.Equal(["nginx upstream 'web' already has 'web2', 'web1' out of rotation; nothing to change."], progress);
        Assert.Equal(written, File.GetLastWriteTimeUtc(nginx.UpstreamConfigPath));
        Assert.Equal(1, nginx.ReloadCount);
    }

    [Fact]
    public async Task TakeOutThenBringLive_UnderLoad_NoRequestFails()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var driver = new NginxDriver(nginx.Options());
        var failures = new ConcurrentQueue<string>();
        var answers = new ConcurrentDictionary<string, int>();
        var retried = 0;
        using var stop = new CancellationTokenSource();

        // Clients like browsers: keep-alive, and a GET whose reused connection a reload closed
        // before any answer is sent again (what every real client does; see KeepAliveClient).
        // Why the client retries rather than the driver: a reload already closes nginx's idle
        // keep-alive connections gracefully (in-flight requests finish), but a request written at
        // the moment its idle connection is closed is lost to the server by HTTP/1.1's design
        // (RFC 9112 §9.3.1), whatever the driver does; users' clients recover by sending it once
        // more. What the test asserts is what a user sees: no request fails after that one retry,
        // and one that fails on a fresh connection, or twice, counts as lost.
        async Task ClientLoopAsync()
        {
            using var client = new KeepAliveClient(TimeSpan.FromSeconds(5));
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(nginx.Url, Token);
                    var body = await response.Content.ReadAsStringAsync(Token);
                    if (response.IsSuccessStatusCode)
                    {
                        answers.AddOrUpdate(body, 1, (_, n) => n + 1);
                    }
                    else
                    {
                        failures.Enqueue($"{(int)response.StatusCode} {body}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue(ex.ToString());
                }
            }

            Interlocked.Add(ref retried, client.RetriedOnClosedConnection);
        }

        int Answered() => answers.Values.Sum();

        var clients = Enumerable.Range(0, 3).Select(_ => Task.Run(ClientLoopAsync, Token)).ToArray();
        await EventuallyAsync(() => answers.Count == 4, "every backend answers before the test starts");
        await driver.TakeOutAsync(Group1, Timings, null, Token);
        await nginx.WaitForReloadsAsync(1);
        var group1Hits = nginx["web1"].Hits + nginx["web2"].Hits;

        // Deploy group 1: its web servers go away and come back while it is out of rotation, and
        // traffic goes on meanwhile (50 more answers, all from group 2).
        await nginx["web1"].StopAsync();
        await nginx["web2"].StopAsync();
        var answeredWhileDown = Answered() + 50;
        await EventuallyAsync(() => Answered() >= answeredWhileDown, "50 answers while group 1 is down");
        nginx["web1"].Restart();
        nginx["web2"].Restart();
        Assert.Equal(group1Hits, nginx["web1"].Hits + nginx["web2"].Hits);

        await driver.BringLiveAsync(Group1, Timings, null, Token);
        await nginx.WaitForReloadsAsync(2);
        var answeredAfter = Answered() + 50;
        await EventuallyAsync(() => Answered() >= answeredAfter && nginx["web1"].Hits + nginx["web2"].Hits > group1Hits, "group 1 answers again");
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.True(failures.IsEmpty, $"{failures.Count} request(s) failed ({retried} retried on a closed keep-alive connection):\n{string.Join("\n", failures)}");
        Assert.Equal(["web1", "web2", "web3", "web4"], answers.Keys.Order());
        Assert.DoesNotContain("connect() failed", await File.ReadAllTextAsync(nginx.ErrorLogPath, Token), StringComparison.Ordinal);

        // A failure ends the wait at once, with the failure, rather than at the deadline.
        Task EventuallyAsync(Func<bool> condition, string what) =>
            Eventually.TrueAsync(
                () =>
                {
                    Assert.True(failures.IsEmpty, $"while waiting until {what}: {string.Join("\n", failures)}");
                    return Task.FromResult(condition());
                },
                () => Task.FromResult($"{what}; answers: {string.Join(", ", answers)}"),
                TimeSpan.FromSeconds(15));
    }

    private static async Task<string> WriteScriptAsync(NginxFixture nginx, string name, string body)
    {
        var path = Path.Combine(nginx.Folder, name);
        await File.WriteAllTextAsync(path, body + "\n", Token);
        return path;
    }

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
