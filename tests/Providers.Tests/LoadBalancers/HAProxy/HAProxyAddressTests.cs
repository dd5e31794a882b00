using System.Net;
using System.Net.Sockets;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.LoadBalancers.HAProxy;

namespace Gantry.Providers.Tests.LoadBalancers.HAProxy;

public sealed class HAProxyAddressTests
{
    [Fact]
    public void Parse_Unix_SocketPath()
    {
        var address = HAProxyAddress.Parse("unix:///run/haproxy/admin.sock");

        Assert.True(address.IsUnix);
        Assert.Equal("/run/haproxy/admin.sock", ((UnixDomainSocketEndPoint)address.EndPoint).ToString());
    }

    [Fact]
    public void Parse_TcpIp_HostAndPort()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9999), HAProxyAddress.Parse("tcp://127.0.0.1:9999").EndPoint);
    }

    [Fact]
    public void Parse_TcpName_DnsEndPoint()
    {
        Assert.Equal(new DnsEndPoint("lb1.internal", 9999), HAProxyAddress.Parse("tcp://lb1.internal:9999").EndPoint);
    }

    [Theory]
    [InlineData("http://lb:80", "HAProxy runtime API address \"http://lb:80\" has unknown scheme \"http\"; expected unix:///path/to/admin.sock or tcp://host:port.")]
    [InlineData("/run/haproxy.sock", "HAProxy runtime API address \"/run/haproxy.sock\" has no scheme; expected unix:///path/to/admin.sock or tcp://host:port.")]
    [InlineData("tcp://lb", "HAProxy runtime API address \"tcp://lb\" needs a host and a port from 1 to 65535; expected unix:///path/to/admin.sock or tcp://host:port.")]
    [InlineData("unix://run/x.sock", "HAProxy runtime API address \"unix://run/x.sock\" needs an absolute socket path; expected unix:///path/to/admin.sock or tcp://host:port.")]
    public void Parse_Invalid_ExplainsExpectedForms(string text, string message)
    {
        var error = Assert.Throws<LoadBalancerException>(() => HAProxyAddress.Parse(text));

        Assert.Equal(message, error.Message);
    }
}
