using Gantry.Server;

await GantryServer.RunAsync(GantryServerOptions.FromArgs(args), CancellationToken.None).ConfigureAwait(false);

/// <summary>The server's entry point; partial so tests can name the assembly's program.</summary>
public partial class Program;
