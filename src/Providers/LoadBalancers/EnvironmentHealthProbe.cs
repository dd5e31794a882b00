using Gantry.Engine.Activities;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Providers.Deploy;
using Gantry.Providers.LoadBalancers.Nginx;

namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// The environment's deploy health check (<c>deploy.health.url</c>, rendered for the host), asked
/// from this machine before nginx brings a server live: the status, and expect_body when it does not
/// depend on the release. Tried up to <c>retries</c> times, <c>interval</c> apart, as after a deploy.
/// </summary>
/// <param name="once">Ask once, no retries: the check right before HAProxy is told a server is up must be fresh.</param>
internal sealed class EnvironmentHealthProbe(EnvironmentDefinition environment, HealthCheckSettings health, TimeProvider time, bool once = false)
    : IUpstreamProbe
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A probe for the environment, or null when it has no HTTP health check to ask.</summary>
    public static EnvironmentHealthProbe? For(EnvironmentDefinition environment, TimeProvider time, bool once = false) =>
        environment.Deploy.Health is { Url: { Length: > 0 } } health ? new EnvironmentHealthProbe(environment, health, time, once) : null;

    public async Task<string?> ProbeAsync(string server, CancellationToken cancellationToken)
    {
        var (name, settings) = environment.Hosts.FirstOrDefault(h => (h.Value.LbServer ?? h.Key) == server);
        if (settings is null)
        {
            return $"no host of environment {environment.Id} has lb_server {server}, so its health check cannot be asked";
        }

        var host = HostVariables.For(environment, name);
        var url = DeployTargets.Template(health.Url!, host);
        var body = health.ExpectBody is { } text && !text.Contains("{{", StringComparison.Ordinal) ? text : null;
        string? problem = null;
        var attempts = once ? 1 : Math.Max(1, health.Retries);
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            problem = await AskAsync(url, body, cancellationToken).ConfigureAwait(false);
            if (problem is null)
            {
                return null;
            }

            if (attempt < attempts)
            {
                await Task.Delay(health.Interval, time, cancellationToken).ConfigureAwait(false);
            }
        }

        return $"{problem} ({attempts} {(attempts == 1 ? "attempt" : "attempts")})";
    }

    private async Task<string?> AskAsync(string url, string? expectBody, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status != health.ExpectStatus)
            {
                return $"GET {url} answered {status}, expected {health.ExpectStatus}";
            }

            return
                expectBody is null
                || (await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false)).Contains(expectBody, StringComparison.Ordinal)
                ? null
                : $"GET {url} answered {status} but the body does not contain '{expectBody}'";
        }
        catch (HttpRequestException ex)
        {
            return $"GET {url} failed: {ex.Message}";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return $"GET {url} got no answer within {RequestTimeout.TotalSeconds:0} s";
        }
    }
}
