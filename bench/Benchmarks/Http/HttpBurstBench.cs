namespace Gantry.Benchmarks.Http;

/// <summary>
/// <c>-- http [--store sqlite|postgres|both] [--starts 1000] [--concurrency 16] [--webhooks 50] [--warm-up 1000] [--gantry PATH] [--pg-statements]</c>:
/// starts a real <c>gantry serve</c> (the Release build of src/Cli unless <c>--gantry</c> says otherwise)
/// on each store, warms it with bursts of starts and webhooks and waits until its CPU is quiet (the JIT's tier-1
/// recompiles done), then measures a burst of run starts from a fixed number of clients and a burst of
/// signed push webhooks sent at once, each with the server's CPU time per request. PostgreSQL is a throwaway cluster with
/// fsync on (<see cref="Gantry.Testing.Fleet.PostgresFixture.Durable"/>); its CPU per start is printed, and with
/// <c>--pg-statements</c> the statements that took its time (<see cref="PostgresCost"/>).
/// </summary>
internal static class HttpBurstBench
{
    private const string Workflow = "burst";
    private const string Secret = "bench-webhook-secret";

    // One log step, like the load test's trivial workflow, startable by hand and by a push to develop.
    private const string WorkflowText = """
        id: burst
        inputs:
          ref: { type: string, default: "" }
        steps:
          - id: hello
            uses: log
            with: { message: "burst {{ inputs.ref }}" }
        on:
          push: { branch: develop }
        """;

    public static async Task RunAsync(string[] args)
    {
        var store = Option(args, "--store") ?? "both";
        var starts = int.Parse(Option(args, "--starts") ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
        var concurrency = int.Parse(Option(args, "--concurrency") ?? "16", System.Globalization.CultureInfo.InvariantCulture);
        var webhooks = int.Parse(Option(args, "--webhooks") ?? "50", System.Globalization.CultureInfo.InvariantCulture);
        var warmUp = int.Parse(Option(args, "--warm-up") ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
        var gantry = Path.GetFullPath(Option(args, "--gantry") ?? Path.Combine(RepositoryRoot(), "src/Cli/bin/Release/net10.0/gantry"));
        if (!File.Exists(gantry))
        {
            throw new FileNotFoundException($"no gantry executable at {gantry}; build src/Cli in Release or pass --gantry PATH");
        }

        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}; {Environment.ProcessorCount} cores");
        if (store is "sqlite" or "both")
        {
            await MeasureAsync("SQLite", gantry, db: null, new(starts, concurrency, webhooks, warmUp));
        }

        if (store is "postgres" or "both")
        {
            var statements = args.Contains("--pg-statements");
            await using var postgres = await Gantry.Testing.Fleet.PostgresFixture.StartAsync(durable: true, trackStatements: statements);
            var database = await postgres.CreateDatabaseAsync("gantry_http_bench");
            await MeasureAsync("PostgreSQL", gantry, database, new(starts, concurrency, webhooks, warmUp), new PostgresCost(postgres, database, statements));
        }
    }

    private static async Task MeasureAsync(string storeName, string gantry, string? db, BurstShape shape, PostgresCost? postgres = null)
    {
        var workspace = Directory.CreateTempSubdirectory("gantry-http-bench-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(workspace, "workflows", "environments"));
            await File.WriteAllTextAsync(Path.Combine(workspace, "workflows", $"{Workflow}.yaml"), WorkflowText + "\n");
            var secretFile = Path.Combine(workspace, "webhook-secret");
            await File.WriteAllTextAsync(secretFile, Secret);
            await using var serve = await ServeProcess.StartAsync(gantry, workspace, secretFile, db);
            using var load = new BurstLoad(serve, Workflow, Secret);
            // Three rounds: the runtime counts calls for its tier-1 recompiles only once no new method was
            // compiled for a while, so the first round mostly compiles, the later ones get the hot path optimized.
            for (var round = 0; round < 3; round++)
            {
                await load.StartsAsync($"warm-up{round}", shape.WarmUp / 3, shape.Concurrency);
                await load.PushWebhooksAsync($"warm-up{round}", shape.Webhooks);
                await serve.WaitQuietAsync(TimeSpan.FromSeconds(30));
            }

            Console.WriteLine($"{storeName}, load average {File.ReadAllText("/proc/loadavg").Trim()}");
            if (postgres is not null)
            {
                await postgres.StartAsync();
            }

            var cpu = serve.CpuTime;
            var burst = await load.StartsAsync($"starts x{shape.Concurrency}", shape.Starts, shape.Concurrency);
            Console.WriteLine($"  {burst.Line()}; server CPU {(serve.CpuTime - cpu).TotalMilliseconds / shape.Starts:F2} ms/start");
            if (postgres is not null)
            {
                await postgres.ReportAsync(shape.Starts);
            }
            cpu = serve.CpuTime;
            var hooks = await load.PushWebhooksAsync("signed push webhooks", shape.Webhooks);
            Console.WriteLine($"  {hooks.Line()}; server CPU {(serve.CpuTime - cpu).TotalMilliseconds / shape.Webhooks:F2} ms/delivery");
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    /// <summary>How many requests of each burst, from how many clients.</summary>
    private sealed record BurstShape(int Starts, int Concurrency, int Webhooks, int WarmUp);

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Workflows.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Workflows.sln above {AppContext.BaseDirectory}; pass --gantry PATH");
    }
}
