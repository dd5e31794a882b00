using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.LoadBalancers.HAProxy;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.LoadBalancers.HAProxy;

[Collection(HAProxyCollection.Name)]
public sealed class HAProxyRuntimeClientTests(HAProxyTestSite haproxy) : IAsyncLifetime
{
    public Task InitializeAsync() => haproxy.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ShowStat_AdminUnixSocket_ListsServersByName()
    {
        var stat = await new HAProxyRuntimeClient(haproxy.Proxy.AdminAddress).ShowStatAsync("web", default);

        Assert.Equal(["web1", "web2", "web3", "web4"], stat.Rows.Select(r => r["svname"]));
        Assert.All(stat.Rows, r => Assert.Equal("UP", r["status"]));
    }

    [Fact]
    public async Task ShowServersState_AdminTcpSocket_ListsServersByName()
    {
        var state = await new HAProxyRuntimeClient(haproxy.Proxy.TcpAdminAddress).ShowServersStateAsync("web", default);

        Assert.Equal(["web1", "web2", "web3", "web4"], state.Rows.Select(r => r["srv_name"]));
    }

    [Fact]
    public async Task Session_SeveralCommands_RunOnOneConnectionAndVerifyEachChange()
    {
        var client = new HAProxyRuntimeClient(haproxy.Proxy.AdminAddress);

        await using (var session = await client.OpenSessionAsync(default))
        {
            await session.SetServerStateAsync("web", "web1", AdminState.Drain, default);
            await session.SetWeightAsync("web", "web2", 7, default);
            await session.SetServerStateAsync("web", "web3", AdminState.Maint, default);
            var stat = await session.ShowStatAsync("web", default);

            Assert.Equal(["DRAIN", "UP", "MAINT", "UP"], stat.Rows.Select(r => r["status"]));
            Assert.Equal("7", stat.Rows[1]["weight"]);
        }

        var statuses = await haproxy.Proxy.StatusesAsync();
        Assert.Equal("DRAIN", statuses["web1"]);
        Assert.Equal("MAINT", statuses["web3"]);
    }

    [Fact]
    public async Task SetServerState_UnknownServer_ThrowsWithHAProxyWords()
    {
        var client = new HAProxyRuntimeClient(haproxy.Proxy.AdminAddress);

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => client.SetServerStateAsync("web", "web9", AdminState.Drain, default));

        Assert.Equal($"HAProxy at {haproxy.Proxy.AdminAddress} rejected \"set server web/web9 state drain\" (server web/web9): No such server.", error.Message);
    }

    [Fact]
    public async Task SetServerState_UnknownBackend_ThrowsWithHAProxyWords()
    {
        var client = new HAProxyRuntimeClient(haproxy.Proxy.AdminAddress);

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => client.SetServerStateAsync("api", "web1", AdminState.Maint, default));

        Assert.Equal($"HAProxy at {haproxy.Proxy.AdminAddress} rejected \"set server api/web1 state maint\" (server api/web1): No such backend.", error.Message);
    }

    [Fact]
    public async Task SetServerState_UserLevelSocket_PermissionDeniedAndNothingChanged()
    {
        var client = new HAProxyRuntimeClient(haproxy.Proxy.UserAddress);

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => client.SetServerStateAsync("web", "web1", AdminState.Maint, default));

        Assert.Equal($"HAProxy at {haproxy.Proxy.UserAddress} rejected \"set server web/web1 state maint\" (server web/web1): Permission denied", error.Message);
        Assert.Equal("UP", (await haproxy.Proxy.StatusesAsync())["web1"]);
    }

    [Fact]
    public async Task SetWeight_UserLevelSocket_PermissionDenied()
    {
        var client = new HAProxyRuntimeClient(haproxy.Proxy.UserAddress);

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => client.SetWeightAsync("web", "web1", 5, default));

        Assert.Equal($"HAProxy at {haproxy.Proxy.UserAddress} rejected \"set weight web/web1 5\" (server web/web1): Permission denied", error.Message);
    }

    [Fact]
    public async Task Execute_UnknownCommand_FirstLineOfHAProxyReply()
    {
        var client = new HAProxyRuntimeClient(haproxy.Proxy.AdminAddress);

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => client.ExecuteAsync("frobnicate all", null, default));

        Assert.Equal($"HAProxy at {haproxy.Proxy.AdminAddress} rejected \"frobnicate all\": Unknown command, but maybe one of the following ones is a better match", error.Message);
    }

    [Fact]
    public async Task Execute_SocketFileMissing_ThrowsNamingAddress()
    {
        var address = $"unix://{haproxy.Proxy.Folder}/missing.sock";
        var client = new HAProxyRuntimeClient(address);

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => client.ShowStatAsync("web", default));

        Assert.Equal($"cannot reach HAProxy runtime API at {address} for \"show stat web 4 -1\": no socket file at {haproxy.Proxy.Folder}/missing.sock (is HAProxy running with \"stats socket {haproxy.Proxy.Folder}/missing.sock level admin\"?)", error.Message);
    }

    [Fact]
    public async Task Execute_SocketRefusesConnections_ThrowsNamingAddress()
    {
        var path = Path.Combine(haproxy.Proxy.Folder, "dead.sock");
        using var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        // Bound, never listening: the file exists and every connect is refused, like a hung HAProxy.
        dead.Bind(new UnixDomainSocketEndPoint(path));

        var client = new HAProxyRuntimeClient("unix://" + path);

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => client.ShowStatAsync("web", default));

        Assert.Equal($"cannot reach HAProxy runtime API at unix://{path} for \"show stat web 4 -1\": Connection refused", error.Message);
    }

    [Fact]
    public async Task Execute_SilentTcpSocket_TimesOutNamingAddress()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var address = $"tcp://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        var client = new HAProxyRuntimeClient(address, TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<LoadBalancerException>(() => client.ShowStatAsync("web", default));

        Assert.Equal($"HAProxy runtime API at {address} did not answer \"show stat web 4 -1\" within 300ms", error.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Execute_CallerCancels_OperationCanceledNotTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var client = new HAProxyRuntimeClient($"tcp://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ShowStatAsync("web", cancel.Token));
    }

    [Fact]
    public void Execute_CommandWithSemicolon_RefusedBeforeSending()
    {
        var error = Assert.Throws<ArgumentException>(() => HAProxyRuntimeClient.CommandLine("show info; shutdown sessions server web/web1"));

        Assert.Equal("HAProxy command \"show info; shutdown sessions server web/web1\" must be one command on one line (Parameter 'command')", error.Message);
    }
}
