namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>
/// Asks a server whether it answers before nginx is told to send it traffic: open-source nginx
/// keeps no health state, so without this a server that died after its deploy check would be put
/// live (nginx's retry of a failed GET hides it; a POST fails).
/// </summary>
public interface IUpstreamProbe
{
    /// <summary>Checks one server (by its name in the upstream's <see cref="NginxOptions.Servers"/>).</summary>
    /// <returns>Null when it answers as expected; otherwise what was wrong, as a sentence fragment naming the check.</returns>
    Task<string?> ProbeAsync(string server, CancellationToken cancellationToken);
}
