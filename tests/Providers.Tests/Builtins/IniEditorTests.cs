using Gantry.Providers.Files;

namespace Gantry.Providers.Tests.Builtins;

public sealed class IniEditorTests
{
    public static TheoryData<string, string, string, string, string, string?> Cases => new()
    {
        {
            "existing key keeps its spacing",
            "[opensky]\nversion = 1.0.0\nname=web\n",
            "opensky", "version",
            "[opensky]\nversion = 2.0.0\nname=web\n",
            "1.0.0"
        },
        {
            "existing key without spaces stays without spaces",
            "[opensky]\nversion=1.0.0\n",
            "opensky", "version",
            "[opensky]\nversion=2.0.0\n",
            "1.0.0"
        },
        {
            "same key in another section is left alone",
            "[other]\nversion = 9\n\n[opensky]\nversion = 1.0.0\n",
            "opensky", "version",
            "[other]\nversion = 9\n\n[opensky]\nversion = 2.0.0\n",
            "1.0.0"
        },
        {
            "missing key is appended to its section before the blank separator",
            "[opensky]\nname = web\n\n[other]\nx = 1\n",
            "opensky", "version",
            "[opensky]\nname = web\nversion = 2.0.0\n\n[other]\nx = 1\n",
            null
        },
        {
            "missing section is appended after a blank line",
            "; settings\n[other]\nx=1\n",
            "opensky", "version",
            "; settings\n[other]\nx=1\n\n[opensky]\nversion=2.0.0\n",
            null
        },
        {
            "no trailing newline",
            "[opensky]\nversion = 1.0.0",
            "opensky", "version",
            "[opensky]\nversion = 2.0.0",
            "1.0.0"
        },
        {
            "no trailing newline, appended key ends with one",
            "[opensky]\nname = web",
            "opensky", "version",
            "[opensky]\nname = web\nversion = 2.0.0\n",
            null
        },
        {
            "comments, blank lines and commented-out keys are preserved",
            "# top\n[opensky]\n; version = 0.1\nversion = 1.0.0 \n\n# end\n",
            "opensky", "version",
            "# top\n[opensky]\n; version = 0.1\nversion = 2.0.0\n\n# end\n",
            "1.0.0"
        },
        {
            "key without section is set before the first header",
            "# top\nversion = 1\n[opensky]\nversion = 1.0.0\n",
            "", "version",
            "# top\nversion = 2.0.0\n[opensky]\nversion = 1.0.0\n",
            "1"
        },
        {
            "key without section is added after leading comments",
            "# top\n[opensky]\nversion = 1.0.0\n",
            "", "version",
            "# top\nversion = 2.0.0\n[opensky]\nversion = 1.0.0\n",
            null
        },
        {
            "CRLF line endings are kept",
            "[opensky]\r\nversion = 1.0.0\r\n",
            "opensky", "build",
            "[opensky]\r\nversion = 1.0.0\r\nbuild = 2.0.0\r\n",
            null
        },
        {
            "empty file",
            "",
            "opensky", "version",
            "[opensky]\nversion = 2.0.0\n",
            null
        },
        {
            "indented section header and key",
            "  [ opensky ]\n  version   =   1.0.0\n",
            "opensky", "version",
            "  [ opensky ]\n  version   =   2.0.0\n",
            "1.0.0"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Set_Table_EditsOnlyTheKey(string scenario, string before, string section, string key, string after, string? previous)
    {
        var edit = IniEditor.Set(before, section, key, "2.0.0");

        Assert.True(edit.Changed, scenario);
        Assert.Equal(after, edit.Text);
        Assert.Equal(previous, edit.Previous);
    }

    [Fact]
    public void Set_SameValue_IsUnchangedAndReturnsTextAsIs()
    {
        const string text = "[opensky]\nversion   = 2.0.0\n";

        var edit = IniEditor.Set(text, "opensky", "version", "2.0.0");

        Assert.False(edit.Changed);
        Assert.Same(text, edit.Text);
        Assert.Equal("2.0.0", edit.Previous);
    }

    [Fact]
    public void Set_Twice_SecondIsUnchanged()
    {
        var first = IniEditor.Set("[a]\nx = 1\n", "b", "y", "2");
        var second = IniEditor.Set(first.Text, "b", "y", "2");

        Assert.True(first.Changed);
        Assert.False(second.Changed);
        Assert.Equal("[a]\nx = 1\n\n[b]\ny = 2\n", second.Text);
    }
}
