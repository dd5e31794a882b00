using Gantry.Engine.Model;

namespace Gantry.Providers.LoadBalancers;

/// <summary>What a load-balancer product gets to build its driver for one environment.</summary>
/// <param name="Environment">The environment whose <c>load_balancer:</c> names the product; its hosts and groups.</param>
/// <param name="DataDirectory">Gantry's data folder for this workspace (<c>.gantry</c>), for state a product keeps on disk.</param>
/// <param name="Time">The clock every wait and timeout uses.</param>
public sealed record LoadBalancerContext(EnvironmentDefinition Environment, string DataDirectory, TimeProvider Time);
