namespace Gantry.Cli;

/// <summary>The <c>gantry</c> command.</summary>
public static class Program
{
    public static int Main(string[] args) => GantryApp.Create().Run(args);
}
