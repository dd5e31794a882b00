using System.Runtime.Versioning;
using Gantry.Engine.Runtime;

namespace Gantry.Providers.Tests.Builtins;

// File modes are Unix permissions; the Windows build only writes content.
[UnsupportedOSPlatform("windows")]
public sealed class FileActivitiesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gantry-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task SetIni_ExistingKey_UpdatesInPlaceAndReportsPrevious()
    {
        var file = Path.Combine(_dir, "app.ini");
        File.WriteAllText(file, "; app settings\n[opensky]\nversion = 1.0.0\nname = web\n\n[other]\nversion = 9\n");
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync($$"""
            id: ini
            steps:
              - id: set
                uses: file.set-ini
                with: { path: app.ini, base_dir: "{{_dir}}", key: opensky.version, value: 3.0.1 }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("; app settings\n[opensky]\nversion = 3.0.1\nname = web\n\n[other]\nversion = 9\n", File.ReadAllText(file));
        var outputs = await harness.OutputsAsync(run, "set");
        Assert.Equal(file, outputs["path"]);
        Assert.Equal(true, outputs["changed"]);
        Assert.Equal("1.0.0", outputs["previous"]);
        Assert.Equal([$"{file}: line 3 ([opensky] version) changed from 1.0.0 to 3.0.1"], await harness.LogAsync(run.Id));
    }

    [Fact]
    public async Task SetIni_SameValue_DoesNotRewriteFile()
    {
        var file = Path.Combine(_dir, "app.ini");
        File.WriteAllText(file, "[opensky]\nversion = 3.0.1\n");
        var written = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(file, written);
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync($$"""
            id: ini
            steps:
              - id: set
                uses: file.set-ini
                with: { path: "{{file}}", key: opensky.version, value: 3.0.1 }
            """);

        var outputs = await harness.OutputsAsync(run, "set");
        Assert.Equal(false, outputs["changed"]);
        Assert.Equal("3.0.1", outputs["previous"]);
        Assert.Equal(written, File.GetLastWriteTimeUtc(file));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task SetIni_MissingFileWithCreate_CreatesSectionAndKey()
    {
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync($$"""
            id: ini
            steps:
              - id: set
                uses: file.set-ini
                with: { path: new.ini, base_dir: "{{_dir}}", key: opensky.version, value: 3.0.1 }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("[opensky]\nversion = 3.0.1\n", File.ReadAllText(Path.Combine(_dir, "new.ini")));
        Assert.Null((await harness.OutputsAsync(run, "set"))["previous"]);
    }

    [Fact]
    public async Task SetIni_MissingFileWithoutCreate_FailsNamingThePath()
    {
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync($$"""
            id: ini
            steps:
              - id: set
                uses: file.set-ini
                with: { path: absent.ini, base_dir: "{{_dir}}", key: a.b, value: c, create: false }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal($"step set (steps[0]) failed: file.set-ini: {Path.Combine(_dir, "absent.ini")} does not exist; set create: true to create it", run.Message);
    }

    [Fact]
    public async Task SetIni_DuplicateLiteralKey_FailsNamingFileAndLinesAndLeavesTheFile()
    {
        var file = Path.Combine(_dir, "version.ini");
        const string text = "[opensky]\nopensky.version = 3.0.0\n[old]\nopensky.version = 2.0.0\n";
        File.WriteAllText(file, text);
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync($$"""
            id: ini
            steps:
              - id: set
                uses: file.set-ini
                with: { path: "{{file}}", key: opensky.version, value: 3.0.1 }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal($"step set (steps[0]) failed: file.set-ini: {file}: key opensky.version matches 2 lines: line 2 ([opensky] opensky.version), line 4 ([old] opensky.version); remove the duplicates so that one line holds it", run.Message);
        Assert.Equal(text, File.ReadAllText(file));
    }

    [Fact]
    public async Task SetIni_ExplicitSectionWithDot_UsesKeyWhole()
    {
        var file = Path.Combine(_dir, "php.ini");
        File.WriteAllText(file, "[Date]\ndate.timezone = UTC\n");
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync($$"""
            id: ini
            steps:
              - id: set
                uses: file.set-ini
                with: { path: "{{file}}", section: Date, key: date.timezone, value: Europe/Prague }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("[Date]\ndate.timezone = Europe/Prague\n", File.ReadAllText(file));
    }

    [Fact]
    public async Task Write_NewFileWithMode_WritesContentAndMode_ThenIsIdempotent()
    {
        var harness = new BuiltinsHarness();
        var yaml = $$"""
            id: write
            steps:
              - id: w
                uses: file.write
                with: { path: conf/app.env, base_dir: "{{_dir}}", content: "APP_ENV=production\n", mode: "0640" }
            """;

        var first = await harness.RunAsync(yaml);
        var second = await harness.RunAsync(yaml);

        var file = Path.Combine(_dir, "conf", "app.env");
        Assert.Equal("APP_ENV=production\n", File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(file));
        var firstOutputs = await harness.OutputsAsync(first, "w");
        Assert.Equal(true, firstOutputs["changed"]);
        Assert.Equal(19L, firstOutputs["bytes"]);
        Assert.Equal(file, firstOutputs["path"]);
        Assert.Equal(false, (await harness.OutputsAsync(second, "w"))["changed"]);
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "conf")));
    }

    [Fact]
    public async Task Write_UnquotedYamlMode_IsReadAsOctal()
    {
        var file = Path.Combine(_dir, "run.sh");
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync($$"""
            id: write
            steps:
              - uses: file.write
                with: { path: "{{file}}", content: "#!/bin/sh\n", mode: 0755, atomic: false }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Write_ExistingFileChangedContent_KeepsItsMode()
    {
        var file = Path.Combine(_dir, "secret.txt");
        File.WriteAllText(file, "old");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync($$"""
            id: write
            steps:
              - id: w
                uses: file.write
                with: { path: "{{file}}", content: new }
            """);

        Assert.Equal(true, (await harness.OutputsAsync(run, "w"))["changed"]);
        Assert.Equal("new", File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Write_BadMode_FailsQuotingIt()
    {
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync($$"""
            id: write
            steps:
              - id: w
                uses: file.write
                with: { path: "{{_dir}}/x", content: x, mode: rw-r--r-- }
            """);

        Assert.Equal("step w (steps[0]) failed: file.write: mode must be an octal string like \"0644\", got 'rw-r--r--'", run.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "x")));
    }
}
