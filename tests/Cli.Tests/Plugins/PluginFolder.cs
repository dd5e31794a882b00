namespace Gantry.Cli.Tests.Plugins;

/// <summary>A temp plugins folder holding copies of the sample plugins built next to the tests (bin/.../plugins/).</summary>
internal sealed class PluginFolder : IDisposable
{
    public static readonly string Built = Path.Combine(AppContext.BaseDirectory, "plugins");

    public string Root { get; } = Directory.CreateTempSubdirectory("gantry-plugins-").FullName;

    /// <summary>Copies a built sample plugin under <paramref name="folderName"/>, leaving out the named files.</summary>
    public string Add(string plugin, string? folderName = null, params string[] leaveOut)
    {
        var target = Path.Combine(Root, folderName ?? plugin);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Path.Combine(Built, plugin)).Where(f => !leaveOut.Contains(Path.GetFileName(f))))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    public string AddFile(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
