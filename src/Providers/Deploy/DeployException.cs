namespace Gantry.Providers.Deploy;

/// <summary>
/// A deploy, staging or rollback could not start or failed. The message names the environment or
/// host and what to do. When one host failed, <see cref="Host"/> names it and the other properties
/// say how far the host got and what it is left on.
/// </summary>
public sealed class DeployException : Exception
{
    /// <summary>A failure that concerns the environment or the whole deploy, not one host.</summary>
    public DeployException(string message)
        : base(message)
    {
    }

    internal DeployException(string host, string release, DeployStep step, string? leftOn, string message, Exception? inner, bool unsettled = false)
        : base(message, inner)
    {
        Host = host;
        Release = release;
        Step = step;
        LeftOn = leftOn;
        Unsettled = unsettled;
    }

    /// <summary>
    /// The host's current link refused as unsafe (<c>PATH -> TARGET</c>, pointing out of the deploy root), when that was the failure.
    /// </summary>
    internal string? RefusedLink { get; init; }

    /// <summary>The host that failed; null when the failure is not about one host.</summary>
    public string? Host { get; }

    /// <summary>The release being deployed (or rolled back to); null when the failure is not about one host.</summary>
    public string? Release { get; }

    /// <summary>The step that failed; null when the failure is not about one host.</summary>
    public DeployStep? Step { get; }

    /// <summary>The release current on the host after the failure, when known.</summary>
    public string? LeftOn { get; }

    /// <summary>
    /// True when the host is left in an unknown or failing state: putting the previous release back
    /// failed, or its health check failed as well, or a rollback failed part-way. Such a host must
    /// stay out of rotation until someone looks at it.
    /// </summary>
    public bool Unsettled { get; }
}
