using System.Diagnostics;
using Gantry.Cli.Infrastructure;
using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;

namespace Gantry.Cli.Tests.Startup;

/// <summary>
/// Start-up does only what the command needs: the DI services (an assembly scan, the plugins folder) are
/// made when Spectre builds its resolver (a command or help), not for a usage error, and the built binary
/// answers <c>--version</c> before Spectre's command model is even built.
/// </summary>
public sealed class LazyStartupTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Theory]
    [InlineData("no-such-verb")]
    [InlineData("runs", "list", "--no-such-option")]
    public void UsageErrors_DoNotCreateTheServices(params string[] args)
    {
        var created = 0;
        var result = Run(() => { created++; return CliServices.Create(); }, args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(0, created);
    }

    [Fact]
    public void ACommand_CreatesTheServicesOnce_AndRunsWithThem()
    {
        var path = _workspace.Write("workflows/hello.yaml", "id: hello\nsteps:\n  - id: say\n    uses: log\n    with:\n      message: hi\n");
        var created = 0;

        var result = Run(() => { created++; return CliServices.Create(); }, "validate", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("1 document valid", result.Output, StringComparison.Ordinal);
        Assert.Equal(1, created);
    }

    [Fact]
    public async Task BuiltBinary_AnswersVersion_WithoutTheCommandModelOrServices()
    {
        var gantryDll = Path.Combine(AppContext.BaseDirectory, "gantry.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _workspace.Root };
        start.ArgumentList.Add(gantryDll);
        start.ArgumentList.Add("--version");
        start.Environment[StartupTrace.Variable] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(BuildInfo.Describe(), (await stdout).Trim());
        var trace = await stderr;
        Assert.Matches(@"^startup: main \d+ ms", trace);
        // Neither the services nor Spectre's command container were made for it.
        Assert.DoesNotContain("services", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("command container", trace, StringComparison.Ordinal);
    }

    private static CommandAppResult Run(Func<Microsoft.Extensions.DependencyInjection.IServiceCollection> services, params string[] args)
    {
        var tester = new CommandAppTester(new TypeRegistrar(services), new CommandAppTesterSettings(), new TestConsole().Width(400));
        tester.Configure(GantryApp.Configure);
        return tester.Run(args);
    }
}
