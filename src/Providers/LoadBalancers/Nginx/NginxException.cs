namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>
/// A load-balancer action on nginx failed: bad options, an upstream file that cannot be read or
/// understood, or a test or reload command that failed. The message says what happened and, where
/// the previous configuration was restored, says so.
/// </summary>
public sealed class NginxException : InvalidOperationException
{
    /// <summary>Creates the exception with a full-sentence message.</summary>
    public NginxException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a full-sentence message and the failure that caused it.</summary>
    public NginxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
