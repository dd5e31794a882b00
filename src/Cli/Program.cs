namespace Gantry.Cli;

/// <summary>The <c>gantry</c> command.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // --plugins is global: it decides which activities exist before any verb is parsed, and
        // commands that open the engine later (run, runs signal) must see the same folder.
        var rest = new List<string>(args);
        var at = rest.IndexOf("--plugins");
        if (at >= 0 && at + 1 < rest.Count)
        {
            Environment.SetEnvironmentVariable(CliServices.PluginsVariable, Path.GetFullPath(rest[at + 1]));
            rest.RemoveRange(at, 2);
        }

        Infrastructure.ServiceConsole.ConfigureForJournal();
        return GantryApp.Create().Run(rest);
    }
}
