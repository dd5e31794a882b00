namespace Gantry.Cli.Importing;

/// <summary>One host as an importer found it; becomes an entry under <c>hosts:</c>.</summary>
internal sealed class ImportedHost(string name, string address)
{
    public string Name { get; } = name;

    public string Address { get; set; } = address;

    public string? User { get; set; }

    public int? Port { get; set; }

    public string? LbServer { get; set; }

    public string? KeyFile { get; set; }

    public SortedDictionary<string, string> Vars { get; } = new(StringComparer.Ordinal);
}

/// <summary>What an inventory, an HAProxy configuration or a host list says about a fleet, before it is written as an environment.</summary>
internal sealed class ImportedFleet(string sourceKind)
{
    /// <summary>"ansible inventory", "haproxy configuration", "host list": named in the written file's header.</summary>
    public string SourceKind { get; } = sourceKind;

    public List<ImportedHost> Hosts { get; } = [];

    /// <summary>Rollout groups in order; a host is in at most one.</summary>
    public List<KeyValuePair<string, List<string>>> Groups { get; } = [];

    public string? LbAddress { get; set; }

    public string? LbBackend { get; set; }

    /// <summary>The load balancer's provider when <see cref="LbBackend"/> is set: haproxy (the default) or nginx.</summary>
    public string LbProvider { get; set; } = "haproxy";

    /// <summary>nginx: the upstream file nginx includes, which Gantry rewrites.</summary>
    public string? LbConfigFile { get; set; }

    /// <summary>Where releases live on every host (deploy.root); null writes a placeholder to adjust.</summary>
    public string? DeployRoot { get; set; }

    /// <summary>The command that restarts the service (deploy.restart); null writes a placeholder to adjust.</summary>
    public string? Restart { get; set; }

    /// <summary>The repository's URL (repository.url), or null to leave it out.</summary>
    public string? RepositoryUrl { get; set; }

    /// <summary>Things the source had that the environment does not carry (printed, and written as comments).</summary>
    public List<string> Notes { get; } = [];
}

/// <summary>The source cannot be read as the format it was given as: says where (file:line) and what was expected. Exit code 1.</summary>
internal sealed class ImportException(string message) : Exception(message);
