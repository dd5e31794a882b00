using Gantry.Engine.Model;
using Gantry.Providers.LoadBalancers;
using Gantry.Server.Hosting;
using Gantry.Server.Runs;
using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary>An environment as lists show it; <c>Id</c> is what the API takes (the file name under workflows/environments/).</summary>
public sealed record EnvironmentSummary(string Id, string? Name, LoadBalancerProvider LoadBalancer, IReadOnlyList<string> Groups);

/// <summary>An environment as the API shows it: secrets by name only, never their values or references.</summary>
public sealed record EnvironmentView(
    string Id,
    string? Name,
    RepositorySettings Repository,
    LoadBalancerSettings LoadBalancer,
    IReadOnlyDictionary<string, GroupSettings> Groups,
    IReadOnlyDictionary<string, HostSettings> Hosts,
    DeploySettings Deploy,
    IReadOnlyList<string> SecretNames);

/// <summary><c>/api/environments</c>: list, show (secret names only), live load-balancer status.</summary>
internal static class EnvironmentsApi
{
    public static IEndpointRouteBuilder MapEnvironmentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/environments").WithTags("Environments").RequireAuthorization(Policies.Read);
        group.MapGet("/", List);
        group.MapGet("/{id}", Show);
        group.MapGet("/{id}/status", StatusAsync);
        return app;
    }

    public static Ok<IReadOnlyList<EnvironmentSummary>> List(EnvironmentFiles environments) =>
        TypedResults.Ok<IReadOnlyList<EnvironmentSummary>>(environments.Ids()
            .Select(id => (Id: id, environments.Find(id)!.Value.Environment))
            .Select(e => new EnvironmentSummary(e.Id, e.Environment.Name, e.Environment.LoadBalancer.Provider, e.Environment.Groups.Keys.ToList()))
            .ToList());

    public static Results<Ok<EnvironmentView>, ProblemHttpResult> Show(string id, EnvironmentFiles environments)
    {
        if (environments.Find(id) is not { } found)
        {
            return Problems.NotFound($"no environment '{id}'");
        }

        var e = found.Environment;
        return TypedResults.Ok(new EnvironmentView(e.Id, e.Name, e.Repository, e.LoadBalancer, e.Groups, e.Hosts, e.Deploy, e.Secrets.Keys.Order(StringComparer.Ordinal).ToList()));
    }

    /// <summary>Asks the load balancer now (nothing is remembered).</summary>
    public static async Task<Results<Ok<LoadBalancerStatus>, ProblemHttpResult>> StatusAsync(string id, EnvironmentFiles environments, LoadBalancerFactory factory, ServerContext context, CancellationToken cancellationToken)
    {
        if (environments.Find(id) is not { } found)
        {
            return Problems.NotFound($"no environment '{id}'");
        }

        try
        {
            return TypedResults.Ok(await factory.Create(found.Environment, context.DataDirectory).GetStatusAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (LoadBalancerException ex)
        {
            return Problems.Status(StatusCodes.Status502BadGateway, "Load balancer unavailable", ex.Message);
        }
    }
}
