namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>
/// Reads and replaces the configuration file that nginx includes. The local implementation is
/// <see cref="LocalConfigFileStore"/>; an SSH implementation does the same on the load-balancer host.
/// </summary>
public interface IConfigFileStore
{
    /// <summary>Reads the whole file, or returns <see langword="null"/> when it does not exist.</summary>
    Task<string?> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the file atomically (a reader sees either the old or the new content, never a mix),
    /// keeping the content it had before at <c>&lt;path&gt;.previous</c>.
    /// </summary>
    Task WriteAsync(string path, string content, CancellationToken cancellationToken);

    /// <summary>
    /// Puts the content kept at <c>&lt;path&gt;.previous</c> back in place, atomically.
    /// </summary>
    /// <exception cref="NginxException">There is no previous content to restore.</exception>
    Task RestorePreviousAsync(string path, CancellationToken cancellationToken);
}
