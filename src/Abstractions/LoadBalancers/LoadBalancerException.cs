namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// A load balancer refused, failed or could not be reached, or an action was refused by Gantry's own
/// safety rules. The message is a full sentence naming what was attempted, on what, and why it failed.
/// </summary>
public sealed class LoadBalancerException : Exception
{
    /// <summary>Creates the exception with a complete, user-facing message.</summary>
    public LoadBalancerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a complete, user-facing message and its cause.</summary>
    public LoadBalancerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
