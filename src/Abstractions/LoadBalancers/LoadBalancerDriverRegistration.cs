using Gantry.Engine.Model;

namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// How Gantry.Providers' <c>LoadBalancerFactory</c> builds the driver of one provider name; a service
/// <see cref="Microsoft.Extensions.DependencyInjection.LoadBalancerServiceCollectionExtensions.AddLoadBalancer{TSettings}"/> adds.
/// Public because the contract (this package) and the factory (Gantry.Providers) ship apart.
/// </summary>
public sealed record LoadBalancerDriverRegistration(string Name, Func<LoadBalancerSettings, LoadBalancerContext, ILoadBalancerDriver> Create)
{
    /// <summary>Registers <typeparamref name="TSettings"/> as the settings of <paramref name="name"/> and wraps the typed driver factory.</summary>
    public static LoadBalancerDriverRegistration For<TSettings>(string name, Func<TSettings, LoadBalancerContext, ILoadBalancerDriver> create)
        where TSettings : LoadBalancerSettings, new()
    {
        LoadBalancerProviders.Register<TSettings>(name);
        return new(name, (settings, context) =>
            create(
                settings as TSettings
                    ?? throw new LoadBalancerException(
                        $"environment {context.Environment.Id}: load_balancer.provider {name} needs {typeof(TSettings).Name} settings, got "
                        + $"{settings.GetType().Name}; load the environment from its document, or build it with {typeof(TSettings).Name}"),
                context));
    }
}
