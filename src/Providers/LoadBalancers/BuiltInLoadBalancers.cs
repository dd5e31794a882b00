using System.Runtime.CompilerServices;
using Gantry.Engine.Model;
using Gantry.Providers.LoadBalancers.HAProxy;
using Gantry.Providers.LoadBalancers.Nginx;
using Gantry.Providers.Sandbox;

namespace Gantry.Providers.LoadBalancers;

/// <summary>The products Gantry ships: each registers its name and settings as soon as this assembly is used.</summary>
internal static class BuiltInLoadBalancers
{
    public static IReadOnlyList<LoadBalancerDriverRegistration> All { get; } =
    [
        // The sandbox's settings class lives in the engine (it is the default); its driver is here.
        new(LoadBalancerProviders.Sandbox, (_, context) =>
            new SandboxLoadBalancerDriver(new SandboxFleet(context.Environment, context.DataDirectory), context.Time)),
        new(LoadBalancerProviders.None, (_, context) =>
            throw new LoadBalancerException(
                $"environment {context.Environment.Id} has no load balancer (load_balancer.provider: none); remove lb.* steps or configure one")),
        HAProxyLoadBalancer.Registration,
        NginxLoadBalancer.Registration,
    ];

    /// <summary>
    /// Runs when this assembly is first used, or when the engine's <see cref="LoadBalancerProviders"/>
    /// runs it on its first lookup: documents naming haproxy or nginx load in any host that has this assembly.
    /// </summary>
#pragma warning disable CA2255 // A library's module initializer is the point: the engine's loader has no reference to this assembly.
    [ModuleInitializer]
    internal static void Register() => _ = All;
#pragma warning restore CA2255
}
