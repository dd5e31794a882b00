using Gantry.Cli.Infrastructure;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;

namespace Gantry.Cli.Tests.Service;

/// <summary>
/// The sample units in deploy/systemd: hardened as documented, and an ExecStart command line the CLI accepts as it
/// stands (systemd-analyze is not at hand, so the parse is the CLI's own, stopped right before the command runs).
/// </summary>
public sealed class UnitFilesTests
{
    public static TheoryData<string, string> Units => new()
    {
        { "gantry-serve.service", "serve" },
        { "gantry-worker.service", "worker" },
    };

    [Theory]
    [MemberData(nameof(Units))]
    public void Unit_IsANotifyServiceOfADedicatedUserThatCanWriteOnlyItsWorkspace(string file, string verb)
    {
        var service = Read(file)["Service"];

        Assert.Equal(["notify"], service["Type"]);
        Assert.Equal(["gantry"], service["User"]);
        Assert.Equal(["strict"], service["ProtectSystem"]);
        Assert.Equal(service["WorkingDirectory"], service["ReadWritePaths"]);
        Assert.Equal(["yes"], service["NoNewPrivileges"]);
        Assert.Equal(["yes"], service["PrivateTmp"]);
        Assert.Equal(["yes"], service["ProtectHome"]);
        Assert.Equal(["mixed"], service["KillMode"]);
        Assert.Equal(["0077"], service["UMask"]);
        // systemd must not SIGKILL before the grace and the hand-back are over.
        var grace = int.Parse(ExecStart(service)[Array.IndexOf(ExecStart(service), "--stop-grace") + 1].TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(int.Parse(service["TimeoutStopSec"][0], System.Globalization.CultureInfo.InvariantCulture) >= grace + 15, $"{file}: TimeoutStopSec must exceed --stop-grace {grace}s plus the hand-back");
        Assert.Equal(verb, ExecStart(service)[1]);
    }

    [Theory]
    [MemberData(nameof(Units))]
    public void ExecStart_IsACommandLineTheCliAccepts(string file, string verb)
    {
        var command = ExecStart(Read(file)["Service"]);
        Assert.EndsWith("/gantry", command[0], StringComparison.Ordinal);

        var parsed = ParseOnly(command[1..]);

        Assert.True(parsed.Settings is not null, $"{file}: '{string.Join(' ', command[1..])}' was not parsed:\n{parsed.Output}");
        Assert.True(parsed.Settings.Validate().Successful, $"{file}: {parsed.Settings.Validate().Message}");
        Assert.Equal(verb, parsed.Command);
    }

    [Fact]
    public void ParseOnly_AnOptionTheCliDoesNotKnow_IsRefused()
    {
        var parsed = ParseOnly(["serve", "--urls", "http://127.0.0.1:5080", "--stop-grce", "60s"]);

        Assert.Null(parsed.Settings);
        Assert.Contains("Unknown option 'stop-grce'", parsed.Output, StringComparison.Ordinal);
    }

    /// <summary>ExecStart split into words, systemd's %H (host name) specifier filled in.</summary>
    private static string[] ExecStart(Dictionary<string, List<string>> service) =>
        service["ExecStart"].Single().Replace("%H", "deploy-host", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static (CommandSettings? Settings, string? Command, string Output) ParseOnly(string[] args)
    {
        var capture = new CaptureSettings();
        var tester = new CommandAppTester(new TypeRegistrar(CliServices.Create()), new CommandAppTesterSettings(), new TestConsole().Width(400));
        tester.Configure(config =>
        {
            GantryApp.Configure(config);
            config.SetInterceptor(capture);
        });
        var result = tester.Run(args);
        return (capture.Settings, capture.Command, result.Output);
    }

    /// <summary>Section → key → values, as systemd reads a unit (comments and blank lines ignored, a key may repeat).</summary>
    private static Dictionary<string, Dictionary<string, List<string>>> Read(string file)
    {
        var units = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        Dictionary<string, List<string>>? section = null;
        var path = Path.Combine(TempWorkspace.RepositoryRoot(), "deploy", "systemd", file);
        foreach (var (raw, number) in File.ReadAllLines(path).Select((l, i) => (l.Trim(), i + 1)))
        {
            if (raw.Length == 0 || raw[0] is '#' or ';')
            {
                continue;
            }

            if (raw[0] == '[')
            {
                section = units[raw.Trim('[', ']')] = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                continue;
            }

            var equals = raw.IndexOf('=', StringComparison.Ordinal);
            Assert.True(section is not null && equals > 0, $"{file}:{number}: '{raw}' is not key=value inside a section");
            var key = raw[..equals];
            section![key] = section.TryGetValue(key, out var values) ? values : [];
            section[key].Add(raw[(equals + 1)..]);
        }

        return units;
    }

    /// <summary>Records the parsed settings and stops before the command runs.</summary>
    private sealed class CaptureSettings : ICommandInterceptor
    {
        public CommandSettings? Settings { get; private set; }

        public string? Command { get; private set; }

        public void Intercept(CommandContext context, CommandSettings settings)
        {
            Settings = settings;
            Command = context.Name;
            throw new OperationCanceledException("parsed only");
        }
    }
}
