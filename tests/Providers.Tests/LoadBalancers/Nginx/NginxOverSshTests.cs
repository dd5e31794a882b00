using Gantry.Providers.LoadBalancers;
using Gantry.Providers.LoadBalancers.Nginx;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.LoadBalancers.Nginx;

/// <summary>
/// The nginx driver managing a real nginx on the "load-balancer host" 127.0.0.2 over real SSH. The
/// fleet's sshd runs on this machine, so the remote commands reach the nginx and files of the test.
/// </summary>
[Collection(SshFleetCollection.Name)]
public sealed class NginxOverSshTests(SshFleetFixture fleet)
{
    private static readonly string[] Group1 = ["web1", "web2"];
    private static readonly LoadBalancerTimings Timings = new() { SettleDelay = TimeSpan.FromMilliseconds(200) };

    private static CancellationToken Token => CancellationToken.None;

    [Fact]
    public async Task TakeOutAsync_OverSsh_RewritesTheFileReloadsAndServesOnlyTheRest()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var original = await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token);
        var driver = Driver(nginx);

        await driver.TakeOutAsync(Group1, Timings, null, Token);
        await nginx.WaitForReloadsAsync(1);

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
        Assert.Equal(original, await File.ReadAllTextAsync(nginx.UpstreamConfigPath + ".previous", Token));
        Assert.Equal(1, nginx.ReloadCount);
        Assert.Equal(["web3", "web4"], (await nginx.SendAsync(20)).Keys.Order());
        Assert.Equal(
            [AdminState.Maint, AdminState.Maint, AdminState.Ready, AdminState.Ready],
            (await driver.ReadServersAsync(Token)).Select(s => s.Admin));
        Assert.Equal(["nginx.conf", "upstream.conf", "upstream.conf.previous"], Directory.GetFiles(nginx.Folder, "*.conf*").Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task TakeOutAsync_NginxTestFailsOverSsh_RestoresThePreviousFileAndThrows()
    {
        await using var nginx = await NginxFixture.StartAsync("web1", "web2", "web3", "web4");
        var original = await File.ReadAllTextAsync(nginx.UpstreamConfigPath, Token);
        var driver = Driver(nginx, template: "upstream {{ name }} {\n{{ for s in servers }}  serve {{ s.address }};\n{{ end }}}\n");

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
    public async Task SshConfigFileStore_MissingFile_ReadsNullAndRestoreSaysThereIsNoPrevious()
    {
        var host = new SshLoadBalancerHost(fleet.Hosts[0], fleet.Options());
        var store = new SshConfigFileStore(host);
        var path = Path.Combine(fleet.Root, $"absent-{Guid.NewGuid():N}.conf");

        Assert.Null(await store.ReadAsync(path, Token));
        var error = await Assert.ThrowsAsync<NginxException>(() => store.RestorePreviousAsync(path, Token));
        Assert.Equal($"Cannot restore '{path}' on {fleet.Hosts[0]}: there is no previous content at '{path}.previous'.", error.Message);
    }

    private NginxDriver Driver(NginxFixture nginx, string? template = null)
    {
        var host = new SshLoadBalancerHost(fleet.Hosts[0], fleet.Options());
        return new NginxDriver(nginx.Options(template), new SshCommandRunner(host), new SshConfigFileStore(host));
    }
}
