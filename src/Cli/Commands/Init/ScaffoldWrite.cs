namespace Gantry.Cli.Commands.Init;

/// <summary>What <c>gantry init</c> did with one file.</summary>
internal enum ScaffoldOutcome { Created, Unchanged, Kept, Overwritten, Appended, Linked }

/// <summary>Writes scaffold files without ever replacing a team's own file unless asked to.</summary>
internal static class ScaffoldWrite
{
    /// <summary>Creates the file; one with the same text is left alone, one with other text is kept unless <paramref name="force"/>.</summary>
    public static ScaffoldOutcome Write(string root, ScaffoldFile file, bool force)
    {
        var path = Path.Combine(root, file.Path);
        if (File.Exists(path))
        {
            if (File.ReadAllText(path) == file.Text)
            {
                return ScaffoldOutcome.Unchanged;
            }

            if (!force)
            {
                return ScaffoldOutcome.Kept;
            }

            File.WriteAllText(path, file.Text);
            return ScaffoldOutcome.Overwritten;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, file.Text);
        return ScaffoldOutcome.Created;
    }

    /// <summary>Makes sure <paramref name="line"/> is a line of the file, adding it at the end (a team's other lines stay).</summary>
    public static ScaffoldOutcome EnsureLine(string root, string relative, string line)
    {
        var path = Path.Combine(root, relative);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(root);
            File.WriteAllText(path, line + "\n");
            return ScaffoldOutcome.Created;
        }

        var text = File.ReadAllText(path);
        if (text.ReplaceLineEndings("\n").Split('\n').Any(l => l.Trim() == line || l.Trim() == "/" + line))
        {
            return ScaffoldOutcome.Unchanged;
        }

        File.AppendAllText(path, (text.Length == 0 || text.EndsWith('\n') ? "" : "\n") + line + "\n");
        return ScaffoldOutcome.Appended;
    }
}
