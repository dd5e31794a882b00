namespace Gantry.Engine.Stores;

/// <summary>
/// Files that hold tokens, secrets or journals (<c>gantry.db</c> with the token hashes, and its
/// <c>-wal</c>/<c>-shm</c>, the first admin token) are created readable by their owner only (0600).
/// SQLite gives its -wal and -shm files the database file's mode, so creating the database 0600 covers them.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> empty with mode 0600 unless it exists.</summary>
    public static void CreateEmpty(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        try
        {
            using (Open(path, FileMode.CreateNew))
            {
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another opener (a process or thread starting at the same moment) created it between the check and here.
        }
    }

    /// <summary>Writes <paramref name="text"/> to a new file with mode 0600 and moves it over <paramref name="path"/> (atomic replace).</summary>
    public static void WriteAllText(string path, string text)
    {
        var temp = path + ".tmp";
        using (var stream = Open(temp, FileMode.Create))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The files of <paramref name="paths"/> that exist and that others than their owner may read or write.</summary>
    public static IEnumerable<(string Path, UnixFileMode Mode)> TooOpen(IEnumerable<string> paths) =>
        OperatingSystem.IsWindows()
            ? []
            : paths.Where(File.Exists).Select(p => (p, File.GetUnixFileMode(p))).Where(f => (f.Item2 & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0);

    /// <summary>A mode as ls shows it in octal, e.g. 0644.</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    private static FileStream Open(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows() && mode == FileMode.Create)
        {
            // An existing file keeps its mode on truncation; tighten it too.
            File.SetUnixFileMode(path, OwnerOnly);
        }

        return stream;
    }
}
