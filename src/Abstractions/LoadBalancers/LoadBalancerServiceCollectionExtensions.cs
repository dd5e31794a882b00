using Gantry.Engine.Model;
using Gantry.Providers.LoadBalancers;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a load-balancer product: its <c>provider:</c> name, its settings class and how its driver is built.</summary>
public static class LoadBalancerServiceCollectionExtensions
{
    /// <summary>
    /// Makes <c>load_balancer: { provider: <paramref name="name"/>, ... }</c> bind to
    /// <typeparamref name="TSettings"/> (its properties are the block's fields, snake_case, with
    /// their <c>[Description]</c> in the generated schema) and <c>lb.*</c> steps drive the driver
    /// <paramref name="createDriver"/> returns. Registering the same name again replaces the driver.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another settings class already has <paramref name="name"/>.</exception>
    public static IServiceCollection AddLoadBalancer<TSettings>(
        this IServiceCollection services, string name, Func<TSettings, LoadBalancerContext, ILoadBalancerDriver> createDriver)
        where TSettings : LoadBalancerSettings, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(createDriver);
        services.AddSingleton(LoadBalancerDriverRegistration.For(name, createDriver));
        return services;
    }
}
