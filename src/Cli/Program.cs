namespace Gantry.Cli;

/// <summary>The <c>gantry</c> command.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Infrastructure.StartupTrace.Mark("main");
        // --plugins is global: it decides which activities exist before any verb is parsed, and
        // commands that open the engine later (run, runs signal) must see the same folder.
        var rest = new List<string>(args);
        var at = rest.IndexOf("--plugins");
        if (at >= 0 && at + 1 < rest.Count)
        {
            Environment.SetEnvironmentVariable(CliServices.PluginsVariable, Path.GetFullPath(rest[at + 1]));
            rest.RemoveRange(at, 2);
        }

        // The version alone needs neither the command model nor a console: Spectre's reflection over
        // every verb's settings is most of a cold start's JIT.
        if (rest is ["--version" or "-v"])
        {
            Console.Out.WriteLine(BuildInfo.Describe());
            return ExitCodes.Ok;
        }

        Infrastructure.ServiceConsole.ConfigureForJournal();
        var app = GantryApp.Create();
        Infrastructure.StartupTrace.Mark("configured");
        var exitCode = app.Run(rest);
        Infrastructure.StartupTrace.Mark("exit");
        return exitCode;
    }
}
