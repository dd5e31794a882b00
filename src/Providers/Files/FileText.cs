using System.Text;

namespace Gantry.Providers.Files;

/// <summary>Path resolution, reading with BOM detection, octal modes and atomic writes shared by the file activities.</summary>
internal static class FileText
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>The full path: relative paths are taken from <paramref name="baseDir"/> if given, else the current directory.</summary>
    public static string Resolve(string path, string? baseDir) =>
        Path.GetFullPath(string.IsNullOrEmpty(baseDir) ? path : Path.Combine(Path.GetFullPath(baseDir), path));

    /// <summary>Reads UTF-8 text, remembering whether it started with a byte-order mark so a rewrite keeps it.</summary>
    public static (string Text, bool Bom) ReadUtf8(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var bom = bytes.AsSpan().StartsWith(Utf8Bom);
        return (Encoding.UTF8.GetString(bom ? bytes[Utf8Bom.Length..] : bytes), bom);
    }

    public static byte[] EncodeUtf8(string text, bool bom) =>
        bom ? [.. Utf8Bom, .. Encoding.UTF8.GetBytes(text)] : Encoding.UTF8.GetBytes(text);

    /// <summary>
    /// Parses an octal mode like "0644" or "755". YAML reads an unquoted 0644 as the number 644,
    /// so the digits are always octal, with or without the leading zero.
    /// </summary>
    public static bool TryParseMode(string text, out UnixFileMode mode)
    {
        mode = default;
        var digits = text.Trim();
        if (digits.Length is < 3 or > 4 || digits.Any(c => c is < '0' or > '7'))
        {
            return false;
        }

        mode = (UnixFileMode)Convert.ToInt32(digits, 8);
        return true;
    }

    public static string FormatMode(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0');

    /// <summary>
    /// Writes through a temporary file in the same folder and renames it over the target, so readers
    /// see the old file or the new one, never half of it. An existing file's permissions are kept
    /// unless <paramref name="mode"/> is given.
    /// </summary>
    public static void WriteAtomic(string path, byte[] bytes, UnixFileMode? mode)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid().ToString("N")[..8]}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows() && (mode ?? (File.Exists(path) ? File.GetUnixFileMode(path) : null)) is { } keep)
            {
                File.SetUnixFileMode(temp, keep);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Writes in place (for files other processes hold open by inode, like some log-watched configs).</summary>
    public static void WriteInPlace(string path, byte[] bytes, UnixFileMode? mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        if (!OperatingSystem.IsWindows() && mode is { } set)
        {
            File.SetUnixFileMode(path, set);
        }
    }
}
