using Gantry.Providers.Files;

namespace Gantry.Providers.Tests.Builtins;

public sealed class IniEditorTests
{
    /// <summary>The team's real file: the literal key opensky.version under [opensky], next to other keys and comments.</summary>
    private const string ScenarioFile =
        "; Written by the release scripts; read by opensky/app/config.php\n" +
        "[opensky]\n" +
        "opensky.name = OpenSky\n" +
        "opensky.version = 3.0.0 ; bumped by every release\n" +
        "\n" +
        "[build]\n" +
        "# version of the build toolchain, not of the app\n" +
        "version = 14\n";

    public static TheoryData<string, string, string, string, string?> DottedKeyCases => new()
    {
        {
            "scenario: literal opensky.version under [opensky], inline comment and other keys kept",
            ScenarioFile,
            "opensky.version",
            ScenarioFile.Replace("opensky.version = 3.0.0 ;", "opensky.version = 2.0.0 ;", StringComparison.Ordinal),
            "3.0.0"
        },
        {
            "literal dotted key in a file without sections",
            "# flat file\nopensky.name = OpenSky\nopensky.version=3.0.0\n",
            "opensky.version",
            "# flat file\nopensky.name = OpenSky\nopensky.version=2.0.0\n",
            "3.0.0"
        },
        {
            "literal dotted key in a section named otherwise",
            "[app]\nopensky.version = 3.0.0\n",
            "opensky.version",
            "[app]\nopensky.version = 2.0.0\n",
            "3.0.0"
        },
        {
            "[opensky] + version when there is no literal key",
            "[opensky]\nversion = 3.0.0\nname=web\n",
            "opensky.version",
            "[opensky]\nversion = 2.0.0\nname=web\n",
            "3.0.0"
        },
        {
            "the literal key wins over version in [opensky]",
            "[opensky]\nversion = 1\nopensky.version = 3.0.0\n",
            "opensky.version",
            "[opensky]\nversion = 1\nopensky.version = 2.0.0\n",
            "3.0.0"
        },
        {
            "version in another section is left alone; added to [opensky]",
            "[build]\nversion = 14\n\n[opensky]\nname = web\n\n# end\n",
            "opensky.version",
            "[build]\nversion = 14\n\n[opensky]\nname = web\nversion = 2.0.0\n\n# end\n",
            null
        },
        {
            "added with the prefix when [opensky]'s keys carry it",
            "[opensky]\nopensky.name = OpenSky\n\n[build]\nversion = 14\n",
            "opensky.version",
            "[opensky]\nopensky.name = OpenSky\nopensky.version = 2.0.0\n\n[build]\nversion = 14\n",
            null
        },
        {
            "added as a dotted key after the keys of a file without sections",
            "; flat\nname = web\n\n",
            "opensky.version",
            "; flat\nname = web\nopensky.version = 2.0.0\n\n",
            null
        },
        {
            "a file with sections but no [opensky] gets a new section at the end",
            "; settings\n[other]\nx=1\n",
            "opensky.version",
            "; settings\n[other]\nx=1\n\n[opensky]\nversion=2.0.0\n",
            null
        },
        {
            "empty file",
            "",
            "opensky.version",
            "[opensky]\nversion = 2.0.0\n",
            null
        },
        {
            "CRLF line endings are kept on the changed line and the rest",
            "; top\r\n[opensky]\r\nopensky.version = 3.0.0\r\nname = web\r\n",
            "opensky.version",
            "; top\r\n[opensky]\r\nopensky.version = 2.0.0\r\nname = web\r\n",
            "3.0.0"
        },
        {
            "CRLF kept on an added line",
            "[opensky]\r\nversion = 1.0.0\r\n",
            "opensky.build",
            "[opensky]\r\nversion = 1.0.0\r\nbuild = 2.0.0\r\n",
            null
        },
        {
            "no trailing newline stays without one",
            "[opensky]\nopensky.version = 3.0.0",
            "opensky.version",
            "[opensky]\nopensky.version = 2.0.0",
            "3.0.0"
        },
        {
            "no trailing newline stays without one when a key is added at the end",
            "[opensky]\nname = web",
            "opensky.version",
            "[opensky]\nname = web\nversion = 2.0.0",
            null
        },
        {
            "comments, blank lines, commented-out keys and trailing spaces are kept",
            "# top\n[opensky]\n; opensky.version = 0.1\nopensky.version = 1.0.0 \n\n# end\n",
            "opensky.version",
            "# top\n[opensky]\n; opensky.version = 0.1\nopensky.version = 2.0.0 \n\n# end\n",
            "1.0.0"
        },
        {
            "key without a dot is set before the first header",
            "# top\nversion = 1\n[opensky]\nversion = 1.0.0\n",
            "version",
            "# top\nversion = 2.0.0\n[opensky]\nversion = 1.0.0\n",
            "1"
        },
        {
            "key without a dot is added after leading comments",
            "# top\n[opensky]\nversion = 1.0.0\n",
            "version",
            "# top\nversion = 2.0.0\n[opensky]\nversion = 1.0.0\n",
            null
        },
        {
            "indented section header and key",
            "  [ opensky ]\n  version   =   1.0.0\n",
            "opensky.version",
            "  [ opensky ]\n  version   =   2.0.0\n",
            "1.0.0"
        },
    };

    [Theory]
    [MemberData(nameof(DottedKeyCases))]
    public void Set_DottedKey_EditsOnlyTheMatchingLine(string scenario, string before, string key, string after, string? previous)
    {
        var edit = IniEditor.Set(before, key, "2.0.0");

        Assert.True(edit.Changed, scenario);
        Assert.Equal(after, edit.Text);
        Assert.Equal(previous, edit.Previous);
    }

    [Fact]
    public void Set_ScenarioFile_ChangesOneLineAndNothingElse()
    {
        var edit = IniEditor.Set(ScenarioFile, "opensky.version", "3.0.1");

        var changed = edit.Text.Split('\n').Zip(ScenarioFile.Split('\n')).Where(p => p.First != p.Second).ToList();
        Assert.Equal([("opensky.version = 3.0.1 ; bumped by every release", "opensky.version = 3.0.0 ; bumped by every release")], changed);
        Assert.Equal("line 4 ([opensky] opensky.version)", edit.Where);
    }

    [Fact]
    public void Set_LiteralKeyTwice_FailsNamingEachLine()
    {
        const string text = "[opensky]\nopensky.version = 3.0.0\n\n[legacy]\nopensky.version = 2.0.0\n";

        var error = Assert.Throws<IniAmbiguousKeyException>(() => IniEditor.Set(text, "opensky.version", "3.0.1"));

        Assert.Equal("key opensky.version matches 2 lines: line 2 ([opensky] opensky.version), line 5 ([legacy] opensky.version); remove the duplicates so that one line holds it", error.Message);
    }

    [Fact]
    public void Set_SectionKeyTwice_FailsNamingEachLine()
    {
        const string text = "[opensky]\nversion = 3.0.0\nversion = 3.0.0\n";

        var error = Assert.Throws<IniAmbiguousKeyException>(() => IniEditor.Set(text, "opensky.version", "3.0.1"));

        Assert.Equal("key opensky.version matches 2 lines: line 2 ([opensky] version), line 3 ([opensky] version); remove the duplicates so that one line holds it", error.Message);
    }

    public static TheoryData<string, string, string, string, string?> ExplicitSectionCases => new()
    {
        {
            "same key in another section is left alone",
            "[other]\nversion = 9\n\n[opensky]\nversion = 1.0.0\n",
            "opensky",
            "[other]\nversion = 9\n\n[opensky]\nversion = 2.0.0\n",
            "1.0.0"
        },
        {
            "missing key is appended to its section before the blank separator",
            "[opensky]\nname = web\n\n[other]\nx = 1\n",
            "opensky",
            "[opensky]\nname = web\nversion = 2.0.0\n\n[other]\nx = 1\n",
            null
        },
    };

    [Theory]
    [MemberData(nameof(ExplicitSectionCases))]
    public void Set_ExplicitSection_EditsOnlyThatSection(string scenario, string before, string section, string after, string? previous)
    {
        var edit = IniEditor.Set(before, section, "version", "2.0.0");

        Assert.True(edit.Changed, scenario);
        Assert.Equal(after, edit.Text);
        Assert.Equal(previous, edit.Previous);
    }

    [Fact]
    public void Set_SameValue_IsUnchangedAndReturnsTextAsIs()
    {
        const string text = "[opensky]\nopensky.version   = 2.0.0\n";

        var edit = IniEditor.Set(text, "opensky.version", "2.0.0");

        Assert.False(edit.Changed);
        Assert.Same(text, edit.Text);
        Assert.Equal("2.0.0", edit.Previous);
    }

    [Fact]
    public void Set_Twice_SecondIsUnchanged()
    {
        var first = IniEditor.Set("[a]\nx = 1\n", "b.y", "2");
        var second = IniEditor.Set(first.Text, "b.y", "2");

        Assert.True(first.Changed);
        Assert.False(second.Changed);
        Assert.Equal("[a]\nx = 1\n\n[b]\ny = 2\n", second.Text);
    }
}
