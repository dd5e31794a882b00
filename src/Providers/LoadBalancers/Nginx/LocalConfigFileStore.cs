using System.Text;

namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>
/// Keeps the upstream file on this machine. Writes go to a temporary file in the same folder that
/// is then renamed over the target, so nginx never reads a half-written file.
/// </summary>
public sealed class LocalConfigFileStore : IConfigFileStore
{
    /// <summary>The suffix of the copy kept of the content before the last write.</summary>
    public const string PreviousSuffix = ".previous";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>A shared instance; the store has no state.</summary>
    public static LocalConfigFileStore Instance { get; } = new();

    /// <inheritdoc />
    public async Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, Utf8NoBom, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(string path, string content, CancellationToken cancellationToken)
    {
        var previous = path + PreviousSuffix;
        if (File.Exists(path))
        {
            await ReplaceAsync(
                    previous,
                    await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false),
                    modeFrom: path,
                    cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            // A stale copy from an older file must not be restored over this new one.
            File.Delete(previous);
        }

        await ReplaceAsync(path, Utf8NoBom.GetBytes(content), modeFrom: path, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RestorePreviousAsync(string path, CancellationToken cancellationToken)
    {
        var previous = path + PreviousSuffix;
        if (File.Exists(previous))
        {
            await ReplaceAsync(
                    path,
                    await File.ReadAllBytesAsync(previous, cancellationToken).ConfigureAwait(false),
                    modeFrom: previous,
                    cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            throw new NginxException($"Cannot restore '{path}': there is no previous content at '{previous}'.");
        }
    }

    private static async Task ReplaceAsync(string target, byte[] content, string modeFrom, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
        var temp = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                // fsync has no asynchronous form: the bytes reach the disk before the rename makes them the config.
#pragma warning disable CA1849
                stream.Flush(flushToDisk: true);
#pragma warning restore CA1849
            }

            if (!OperatingSystem.IsWindows() && File.Exists(modeFrom))
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(modeFrom));
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
