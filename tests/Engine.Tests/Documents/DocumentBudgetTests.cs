using System.Text;
using Gantry.Engine.Documents;
using Gantry.Engine.Loading;
using Gantry.Testing.Fleet;

namespace Gantry.Engine.Tests.Documents;

/// <summary>Hostile documents (alias bombs, huge objects, deep nesting) are refused at a position, fast, before they cost memory.</summary>
public sealed class DocumentBudgetTests
{
    /// <summary>Nine levels of ten aliases each: 486 bytes that expand to 10⁹ nodes.</summary>
    private static string AliasBomb(int levels)
    {
        var text = new StringBuilder("id: bomb\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i <= levels; i++)
        {
            text.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        return text.ToString();
    }

    // Took is the CPU time of the loading thread, not the wall clock: the bounds below catch
    // super-linear work, and on a loaded machine the wall clock also counts waiting for a core.
    private static (string Message, TimeSpan Took, long Allocated) Load(string text, string file)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var (result, took) = ThreadCpuTime.Measure(() => DocumentLoader.LoadWorkflow(text, file));
        Assert.Null(result.Value);
        return (Assert.Single(result.Diagnostics).ToString(), took, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(7)]
    public void Load_AliasBomb_IsALocatedErrorInMilliseconds(int levels)
    {
        var (message, took, allocated) = Load(AliasBomb(levels), "bomb.yaml");

        // a4 expands to 111,111 values: the budget runs out at its 8th alias.
        Assert.Equal("bomb.yaml:6:45 invalid YAML: the document expands to more than 100,000 values (aliases counted as often as they are used); split it or remove repeated aliases", message);
        Assert.True(took < TimeSpan.FromMilliseconds(500), $"took {took}");
        Assert.True(allocated < 10_000_000, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Load_AliasAddingDepth_IsRefusedAtTheAlias()
    {
        var text = new StringBuilder("id: deep\nleaf: &deep ");
        text.Append(string.Concat(Enumerable.Repeat("[", 100))).Append('x').Append(string.Concat(Enumerable.Repeat("]", 100))).Append('\n');
        text.Append("steps: ").Append(string.Concat(Enumerable.Repeat("[", 40))).Append("*deep").Append(string.Concat(Enumerable.Repeat("]", 40))).Append('\n');

        var (message, _, _) = Load(text.ToString(), "deep.yaml");

        Assert.Equal("deep.yaml:3:48 invalid YAML: nested deeper than 128 levels (alias *deep adds 100)", message);
    }

    [Fact]
    public void Load_JsonObjectWith92kKeys_IsRefusedQuicklyAtTheKeyOverTheLimit()
    {
        var json = new StringBuilder("{\"id\":\"wide\"");
        for (var i = 0; i < 92_000; i++)
        {
            json.Append(",\"k").Append(i).Append("\":1");
        }

        json.Append('}');
        Assert.True(json.Length > 1_000_000);

        var (message, took, _) = Load(json.ToString(), "wide.json");

        Assert.StartsWith("wide.json:1:", message, StringComparison.Ordinal);
        Assert.EndsWith("invalid JSON: the document expands to more than 100,000 values (aliases counted as often as they are used); split it or remove repeated aliases", message, StringComparison.Ordinal);
        Assert.True(took < TimeSpan.FromSeconds(2), $"took {took}");
    }

    [Theory]
    [InlineData("wide.yaml")]
    [InlineData("wide.json")]
    public void Load_LastOfManyKeysDuplicated_IsFoundInLinearTime(string file)
    {
        var yaml = file.EndsWith(".yaml", StringComparison.Ordinal);
        var text = new StringBuilder(yaml ? "id: wide\nx:\n" : "{\"id\":\"wide\",\"x\":{");
        for (var i = 0; i < 40_000; i++)
        {
            text.Append(yaml ? $"  k{i}: 1\n" : $"\"k{i}\":1,");
        }

        text.Append(yaml ? "  k7: 2\n" : "\"k7\":2}}");

        var (message, took, _) = Load(text.ToString(), file);

        Assert.Equal(yaml ? "wide.yaml:40003:3 invalid YAML: Duplicate key k7" : $"wide.json:1:{text.Length - 7} invalid JSON: duplicate key 'k7'", message);

        // YAML duplicates are found by YamlDotNet's own reader; JSON's by Gantry's, which was quadratic.
        Assert.True(yaml || took < TimeSpan.FromSeconds(2), $"took {took}");
    }

    [Fact]
    public void Load_RepeatedAliasesWithinTheBudget_StillLoad()
    {
        var text = """
            id: shared
            x-hosts: &hosts [web1, web2]
            steps:
              - uses: log
                with: { message: one, extra: *hosts }
            """;

        var root = DocumentReader.Parse(text, "shared.yaml");

        Assert.Equal(["web1", "web2"], ((DocSequence)((DocMapping)root)["x-hosts"]!).Items.Select(i => i.ToString()));
    }

    [Theory]
    [InlineData("big.json", "{\"id\": 123456789012345678901234}", "big.json:1:8 invalid JSON: the integer 123456789012345678901234 does not fit in 64 bits; quote it to keep it as text")]
    [InlineData("big.json", "{\"id\": 1e400}", "big.json:1:8 invalid JSON: the number 1e400 is out of range; quote it to keep it as text")]
    [InlineData("big.yaml", "id: 1e400", "big.yaml:1:5 invalid YAML: the number 1e400 is out of range; quote it to keep it as text")]
    public void Load_NumberOutOfRange_IsALocatedError(string file, string text, string expected) =>
        Assert.Equal(expected, Load(text, file).Message);

    // Unresolved aliases as mapping keys sent YamlDotNet into endless recursion: a stack overflow,
    // which no catch stops, took the whole process down (found by FuzzTests.Load_RandomNesting).
    [Theory]
    [InlineData("id: x\n*a : 1\n*a : 2\n", "keys.yaml:2:1 invalid YAML: alias *a refers to no anchor defined before it")]
    [InlineData("id: x\n? *b\n: 1\n? *b\n: 2\nc: &b 3\n", "keys.yaml:2:3 invalid YAML: alias *b refers to no anchor defined before it")]
    [InlineData("id: x\nsteps: [*later]\nother: &later [y]\n", "keys.yaml:2:9 invalid YAML: alias *later refers to no anchor defined before it")]
    public void Load_AliasToAnAnchorNotDefinedBefore_IsALocatedErrorNotACrash(string text, string expected) =>
        Assert.Equal(expected, Load(text, "keys.yaml").Message);
}
