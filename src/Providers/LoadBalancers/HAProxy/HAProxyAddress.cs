using System.Net;
using System.Net.Sockets;

namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>Where HAProxy's runtime API listens: <c>unix:///path/admin.sock</c> or <c>tcp://host:port</c>.</summary>
internal sealed record HAProxyAddress(string Text, EndPoint EndPoint)
{
    public bool IsUnix => EndPoint is UnixDomainSocketEndPoint;

    public static HAProxyAddress Parse(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        const string Expected = "expected unix:///path/to/admin.sock or tcp://host:port";
        var schemeEnd = address.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            throw new LoadBalancerException($"HAProxy runtime API address \"{address}\" has no scheme; {Expected}.");
        }

        var scheme = address[..schemeEnd];
        var rest = address[(schemeEnd + 3)..];
        switch (scheme.ToLowerInvariant())
        {
            case "unix":
                if (!rest.StartsWith('/'))
                {
                    throw new LoadBalancerException($"HAProxy runtime API address \"{address}\" needs an absolute socket path; {Expected}.");
                }

                return new HAProxyAddress(address, new UnixDomainSocketEndPoint(rest));
            case "tcp":
                var colon = rest.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], out var port) || port is < 1 or > 65535)
                {
                    throw new LoadBalancerException(
                        $"HAProxy runtime API address \"{address}\" needs a host and a port from 1 to 65535; {Expected}.");
                }

                var host = rest[..colon].Trim('[', ']');
                EndPoint endPoint = IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
                return new HAProxyAddress(address, endPoint);
            default:
                throw new LoadBalancerException($"HAProxy runtime API address \"{address}\" has unknown scheme \"{scheme}\"; {Expected}.");
        }
    }

    public override string ToString() => Text;
}
