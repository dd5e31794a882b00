using Gantry.Engine.Tests.Documents;

namespace Gantry.Engine.Tests.Repository;

/// <summary>No line of src/**/*.cs is longer than 150 characters, so code reads without side-scrolling in a review.</summary>
public sealed class SourceLineLengthTests
{
    [Fact]
    public void SourceFiles_HaveNoLineOver150Characters()
    {
        var src = Path.Combine(RepositoryDocumentsTests.RepositoryRoot(), "src");

        var found = LongLineScanner.Scan(src);

        Assert.True(
            found.Count == 0,
            $"lines over {LongLineScanner.Limit} characters (wrap them: one argument per line, chained calls split before "
                + $"the dot, long strings split with +):{Environment.NewLine}"
                + string.Join(Environment.NewLine, found.Select(l => "src/" + l)));
    }

    [Fact]
    public void Scan_ReportsEachLineOverTheLimitWithItsPlace_AndSkipsBuildOutput()
    {
        var root = Directory.CreateTempSubdirectory("gantry-long-lines-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "Engine", "obj"));
            File.WriteAllLines(Path.Combine(root, "Engine", "Short.cs"), ["namespace A;", new string('x', 150)]);
            File.WriteAllLines(
                Path.Combine(root, "Engine", "Long.cs"),
                ["namespace A;", "// " + new string('é', 148), "", "var s = \"" + new string('y', 200) + "\";"]);
            File.WriteAllText(Path.Combine(root, "Engine", "obj", "Generated.cs"), new string('z', 400));

            var found = LongLineScanner.Scan(root);

            Assert.Equal([new LongLine("Engine/Long.cs", 2, 151), new LongLine("Engine/Long.cs", 4, 211)], found);
            Assert.Equal("Engine/Long.cs:4: 211 characters", found[1].ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
