using System.Text;

namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>
/// Keeps the upstream file on the load-balancer host over SSH. A write uploads the new content over
/// SFTP to a temporary file beside the target, copies the old file to <c>&lt;path&gt;.previous</c>,
/// and renames the new one over the target, so nginx never reads a half-written file.
/// </summary>
/// <remarks>Content is read with <c>cat</c> line by line: a file that does not end with a newline is read with one.</remarks>
public sealed class SshConfigFileStore(SshLoadBalancerHost host) : IConfigFileStore
{
    /// <summary>Exit code the scripts below use for "the file is not there".</summary>
    private const int Missing = 86;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <inheritdoc />
    public Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);

        var file = Ssh.PosixShell.Quote(path);
        return host.WithConnectionAsync(
            async connection =>
            {
                var result = await host.ExecuteAsync(connection, $"if [ -e {file} ]; then cat -- {file}; else exit {Missing}; fi", cancellationToken)
                    .ConfigureAwait(false);
                return result.ExitCode switch
                {
                    0 => result.StandardOutput,
                    Missing => null,
                    _ => throw Failed($"Reading '{path}'", result),
                };
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task WriteAsync(string path, string content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(path);

        var upload = $"{path}.tmp-{Guid.NewGuid():N}";
        var (file, previous, uploaded, staged) = (
            Ssh.PosixShell.Quote(path),
            Ssh.PosixShell.Quote(path + LocalConfigFileStore.PreviousSuffix),
            Ssh.PosixShell.Quote(upload),
            Ssh.PosixShell.Quote(upload + ".new"));

        // cp -p then cat keeps the target's owner and mode on the new file; a stale .previous from an
        // older file must not be restored over a file that did not exist.
        var script =
            $"if [ -e {file} ]; then cp -p -- {file} {previous} && cp -p -- {file} {staged} && cat -- {uploaded} > {staged} && mv -f -- {staged} "
            + $"{file}; "
            + $"else rm -f -- {previous} && mv -f -- {uploaded} {file}; fi; status=$?; rm -f -- {uploaded} {staged}; exit $status";
        return host.WithConnectionAsync(
            async connection =>
            {
                using (var stream = new MemoryStream(Utf8NoBom.GetBytes(content)))
                {
                    await connection.UploadAsync(stream, upload, cancellationToken).ConfigureAwait(false);
                }

                var result = await host.ExecuteAsync(connection, script, cancellationToken).ConfigureAwait(false);
                return result.Succeeded ? true : throw Failed($"Replacing '{path}'", result);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task RestorePreviousAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);

        var previousPath = path + LocalConfigFileStore.PreviousSuffix;
        var (file, previous, staged) = (
            Ssh.PosixShell.Quote(path),
            Ssh.PosixShell.Quote(previousPath),
            Ssh.PosixShell.Quote($"{path}.tmp-{Guid.NewGuid():N}"));
        var script =
            $"[ -e {previous} ] || exit {Missing}; cp -p -- {previous} {staged} && mv -f -- {staged} {file}; status=$?; rm -f -- {staged}; exit "
            + "$status";
        return host.WithConnectionAsync(
            async connection =>
            {
                var result = await host.ExecuteAsync(connection, script, cancellationToken).ConfigureAwait(false);
                return result.ExitCode switch
                {
                    0 => true,
                    Missing => throw new NginxException($"Cannot restore '{path}' on {host.Host}: there is no previous content at '{previousPath}'."),
                    _ => throw Failed($"Restoring '{path}'", result),
                };
            },
            cancellationToken);
    }

    private NginxException Failed(string what, Ssh.CommandResult result) =>
        new($"{what} on {host.Host} failed with exit code {result.ExitCode}: {result.StandardError.Trim()}");
}
