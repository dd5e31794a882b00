using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace Gantry.Cli.Infrastructure;

/// <summary>
/// Lets Spectre.Console.Cli create commands from the Microsoft DI container. The container's services
/// are made only when a command is about to run (<see cref="Build"/>): <c>--version</c>, <c>--help</c> and a
/// usage error do not scan the activity assemblies or load plugins.
/// </summary>
public sealed class TypeRegistrar : ITypeRegistrar
{
    private readonly Lazy<IServiceCollection> _services;
    private readonly List<Action<IServiceCollection>> _registrations = [];

    public TypeRegistrar(IServiceCollection services)
        : this(() => services)
    {
    }

    public TypeRegistrar(Func<IServiceCollection> createServices) => _services = new Lazy<IServiceCollection>(createServices);

    public ITypeResolver Build()
    {
        var services = _services.Value;
        _registrations.ForEach(register => register(services));
        _registrations.Clear();
        StartupTrace.Mark("command container");
        return new TypeResolver(services.BuildServiceProvider());
    }

    public void Register(Type service, Type implementation) => _registrations.Add(s => s.AddSingleton(service, implementation));

    public void RegisterInstance(Type service, object implementation) => _registrations.Add(s => s.AddSingleton(service, implementation));

    public void RegisterLazy(Type service, Func<object> factory) => _registrations.Add(s => s.AddSingleton(service, _ => factory()));
}

/// <summary>Resolves from the built provider; disposed with the app run.</summary>
public sealed class TypeResolver(ServiceProvider provider) : ITypeResolver, IDisposable
{
    public object? Resolve(Type? type) => type is null ? null : provider.GetService(type);

    public void Dispose() => provider.Dispose();
}
