namespace Gantry.Testing.Fleet;

/// <summary>Shape and timings of a <see cref="RealFleet"/>; small delays keep the tests fast.</summary>
public sealed record RealFleetOptions
{
    /// <summary>Groups behind HAProxy, named group1, group2, … The default value is 2.</summary>
    public int Groups { get; init; } = 2;

    /// <summary>Hosts in each group, named web1, web2, … in group order. The default value is 2.</summary>
    public int HostsPerGroup { get; init; } = 2;

    /// <summary>The tag every host runs at start. The default value is v3.0.0.</summary>
    public string InitialTag { get; init; } = "v3.0.0";

    /// <summary>How long a host's app stays unavailable during a restart. The default value is 300 ms.</summary>
    public TimeSpan RestartDownTime { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// HAProxy's health-check interval; a server goes down after 2 failed checks and up after 1
    /// passing one, so a host restarted without draining gets requests for a while, as in production.
    /// The default value is 200 ms.
    /// </summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The environment's load_balancer.drain_timeout. The default value is 10 s.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The environment's load_balancer.health_timeout. The default value is 20 s.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Pause between two requests of a <see cref="LoadLoop"/>. The default value is 5 ms.</summary>
    public TimeSpan LoadInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>A <see cref="LoadLoop"/> stops by itself after this many requests. The default value is 100,000.</summary>
    public int LoadMaxRequests { get; init; } = 100_000;

    /// <summary>A <see cref="LoadLoop"/> stops by itself after this long. The default value is 10 minutes.</summary>
    public TimeSpan LoadMaxDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Requests per second of a <see cref="SteadyLoad"/>. The default value is 100, the (#20) load.</summary>
    public int SteadyLoadRate { get; init; } = 100;

    /// <summary>Every this many requests of a <see cref="SteadyLoad"/> one goes to the app's one-second route. The default value is 20 (5 %).</summary>
    public int SlowRequestEvery { get; init; } = 20;

    /// <summary>
    /// A repository whose production branch the origin's history starts from (<see cref="FleetOriginHistory"/>: a few MB, so a
    /// clone of a tag costs a real fetch). The default value is null: the scenario's few small commits only.
    /// </summary>
    public string? OriginHistory { get; init; }

    /// <summary>
    /// The repository's workflows folder copied into the workspace; null finds it by walking up
    /// from the running assembly to the folder holding Workflows.sln.
    /// </summary>
    public string? WorkflowsDirectory { get; init; }
}
