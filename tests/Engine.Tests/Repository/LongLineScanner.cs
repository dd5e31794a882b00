namespace Gantry.Engine.Tests.Repository;

/// <summary>A source line longer than the limit: where it is (path relative to the scanned root, 1-based line) and how long.</summary>
internal sealed record LongLine(string Path, int Line, int Length)
{
    public override string ToString() => $"{Path}:{Line}: {Length} characters";
}

/// <summary>Finds the C# lines under a folder that are longer than a limit; build output (bin, obj) is not source.</summary>
internal static class LongLineScanner
{
    public const int Limit = 150;

    private static readonly HashSet<string> NotSource = new(StringComparer.Ordinal) { "bin", "obj", "node_modules" };

    public static List<LongLine> Scan(string root, int limit = Limit)
    {
        var found = new List<LongLine>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.Split('/').Any(NotSource.Contains))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length > limit)
                {
                    found.Add(new LongLine(relative, i + 1, lines[i].Length));
                }
            }
        }

        return found;
    }
}
