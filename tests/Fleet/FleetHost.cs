namespace Gantry.Testing.Fleet;

/// <summary>One host of a <see cref="RealFleet"/>.</summary>
/// <param name="Name">Host name, also its HAProxy server name (web1, web2, …).</param>
/// <param name="Group">Its group (group1, group2, …).</param>
/// <param name="Address">Its loopback address (127.0.0.2, …): sshd and the app listen there.</param>
/// <param name="Port">The app's HTTP port on <paramref name="Address"/>.</param>
/// <param name="DeployRoot">Its deploy root: releases/, current, revisions.log, app.pid.</param>
public sealed record FleetHost(string Name, string Group, string Address, int Port, string DeployRoot)
{
    /// <summary>The app's own URL, not through HAProxy.</summary>
    public Uri Url => new($"http://{Address}:{Port}/");
}
