using System.Text.Json;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.Status;
using Gantry.Server.Hosting;
using Gantry.Server.Runs;
using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary>An environment as lists show it; <c>Id</c> is what the API takes (the file name under workflows/environments/).</summary>
public sealed record EnvironmentSummary(string Id, string? Name, string LoadBalancer, IReadOnlyList<string> Groups);

/// <summary>An environment as the API shows it: secrets by name only, never their values or references.</summary>
public sealed record EnvironmentView(
    string Id,
    string? Name,
    RepositorySettings Repository,
    object LoadBalancer, // the provider's own settings class, so every field of it is shown
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
        return TypedResults.Ok(
            WithoutUrlCredentials(
                new EnvironmentView(
                    e.Id,
                    e.Name,
                    e.Repository,
                    e.LoadBalancer,
                    e.Groups,
                    e.Hosts,
                    e.Deploy,
                    e.Secrets.Keys.Order(StringComparer.Ordinal).ToList())));
    }

    /// <summary>
    /// The view with the user-info of every URL in it hidden (<c>https://user:token@host</c> becomes
    /// <c>https://***@host</c>), wherever the URL is written: repository, health check, host variables.
    /// A copy through JSON, so the loaded environment that runs use keeps its real URLs.
    /// </summary>
    private static EnvironmentView WithoutUrlCredentials(EnvironmentView view) =>
        JsonSerializer.Deserialize<EnvironmentView>(UrlCredentials.Strip(JsonSerializer.Serialize(view, CopyOptions)), CopyOptions)!;

    private static readonly JsonSerializerOptions CopyOptions = new() { IncludeFields = false };

    /// <summary>
    /// The environment as it is now (nothing is remembered): per group the load balancer's state and
    /// servers, per host the release current points to, the releases kept and when and by which run
    /// each was made current, health and the host's server in the load balancer. A host or load
    /// balancer that cannot be read is reported in the body (<c>error</c>, <c>loadBalancerError</c>).
    /// </summary>
    public static async Task<Results<Ok<FleetStatus>, ProblemHttpResult>> StatusAsync(
        string id,
        EnvironmentFiles environments,
        FleetStatusReader reader,
        ServerContext context,
        CancellationToken cancellationToken)
    {
        if (environments.Find(id) is not { } found)
        {
            return Problems.NotFound($"no environment '{id}'");
        }

        return TypedResults.Ok(await reader.ReadAsync(found.Environment, context.DataDirectory, cancellationToken).ConfigureAwait(false));
    }
}
