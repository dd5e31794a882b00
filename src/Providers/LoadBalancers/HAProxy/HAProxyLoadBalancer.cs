namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>Creates the HAProxy driver for an environment's load balancer.</summary>
public static class HAProxyLoadBalancer
{
    /// <summary><c>provider: haproxy</c>: settings from <see cref="HAProxySettings"/>, Gantry's health check asked once before a server goes
    /// live.</summary>
    internal static LoadBalancerDriverRegistration Registration { get; } =
        LoadBalancerDriverRegistration.For<HAProxySettings>("haproxy", (settings, context) =>
            CreateDriver(
                settings.Address!,
                settings.Backend,
                timeProvider: context.Time,
                probe: EnvironmentHealthProbe.For(context.Environment, context.Time, once: true)));

    /// <summary>Creates a driver for <paramref name="backend"/> behind the runtime API at <paramref name="address"/>.</summary>
    /// <param name="address"><c>unix:///path/admin.sock</c> or <c>tcp://host:port</c>; the socket needs <c>level admin</c>.</param>
    /// <param name="backend">The HAProxy backend whose servers the groups name.</param>
    /// <param name="socketTimeout">Time a connect plus one command may take. The default value is 5 seconds.</param>
    /// <param name="timeProvider">Clock for waits and timeouts. The default value is the system clock.</param>
    /// <exception cref="LoadBalancerException">The address is not a unix or tcp address.</exception>
    /// <param name="probe">Gantry's own health check, asked once per server right before bringing it live (see HAProxyDriver); null waits for
    /// HAProxy's checks.</param>
    public static ILoadBalancerDriver CreateDriver(
        string address,
        string backend,
        TimeSpan? socketTimeout = null,
        TimeProvider? timeProvider = null,
        Nginx.IUpstreamProbe? probe = null
    ) => new HAProxyDriver(new HAProxyRuntimeClient(address, socketTimeout, timeProvider), backend, timeProvider, probe);
}
