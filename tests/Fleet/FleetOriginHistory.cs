using System.Globalization;

namespace Gantry.Testing.Fleet;

/// <summary>
/// A history with the weight of a real project's, for <see cref="RealFleetOptions.OriginHistory"/>:
/// <c>vendor/</c> files of random text (about as compressible as minified code, so neither git's
/// compression nor its deltas make them small) on branch <c>production</c>, rewritten commit after
/// commit. A tag's tree then holds <see cref="TreeBytes"/> and a <c>clone --depth 1</c> moves them
/// through git's pack protocol, as a fetch from a real origin does; the whole history is larger.
/// Build it once and give its folder to every fleet: each fleet's origin starts from a clone of it.
/// </summary>
public static class FleetOriginHistory
{
    /// <summary>Files in a tree.</summary>
    public const int Files = 40;

    /// <summary>Size of one file.</summary>
    public const int FileBytes = 100 * 1024;

    /// <summary>Commits; each after the first rewrites a quarter of the files.</summary>
    public const int Commits = 8;

    /// <summary>What one tree holds: 4 MB.</summary>
    public const int TreeBytes = Files * FileBytes;

    /// <summary>Creates the repository under <paramref name="folder"/> and returns its path.</summary>
    public static async Task<string> CreateAsync(string folder, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var git = FleetOrigin.GitEnvironment(folder);
        var repository = Path.Combine(folder, "history");
        await FleetCommand.RunAsync("git", ["init", "-q", "-b", "production", repository], git, cancellationToken);
        var random = new Random(20);
        for (var commit = 0; commit < Commits; commit++)
        {
            for (var file = 0; file < Files; file++)
            {
                if (commit == 0 || file % 4 == commit % 4)
                {
                    await WriteRandomTextAsync(Path.Combine(repository, "vendor", $"lib{file:00}.js"), random, cancellationToken);
                }
            }

            await FleetCommand.RunAsync("git", ["-C", repository, "add", "--all"], git, cancellationToken);
            var message = string.Create(CultureInfo.InvariantCulture, $"Vendor update {commit + 1}");
            await FleetCommand.RunAsync("git", ["-C", repository, "commit", "-q", "-m", message], git, cancellationToken);
        }

        return repository;
    }

    private static async Task WriteRandomTextAsync(string path, Random random, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[FileBytes * 3 / 4];
        random.NextBytes(bytes);
        await File.WriteAllTextAsync(path, Convert.ToBase64String(bytes), cancellationToken);
    }
}
