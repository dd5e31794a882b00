using Gantry.Engine.Model;
using Gantry.Providers.Sandbox;

namespace Gantry.Providers.Deploy;

/// <summary>Picks how releases reach hosts: simulated in the sandbox, over SSH everywhere else.</summary>
internal sealed class FleetDeployerFactory(TimeProvider time, IServiceProvider services)
{
    public IFleetDeployer Create(EnvironmentDefinition environment) =>
        environment.Deploy.Source switch
        {
            Engine.Model.ReleaseSource.Sandbox => new SandboxDeployer(time),
            _ => services.GetService(typeof(SshFleetDeployerMarker)) is SshFleetDeployerMarker marker
                ? marker.Create(environment)
                : throw new DeployException(
                    $"environment {environment.Id} deploys with source '{environment.Deploy.Source.ToString().ToLowerInvariant()}' over SSH, which "
                    + "this build does not include"),
        };
}

/// <summary>Lets the SSH deployer plug in without the factory depending on SSH types.</summary>
internal sealed class SshFleetDeployerMarker(Func<EnvironmentDefinition, IFleetDeployer> create)
{
    public IFleetDeployer Create(EnvironmentDefinition environment) => create(environment);
}
