using System.Text.Json;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Deploy;

/// <summary>Why a host was quarantined, by which run and when.</summary>
public sealed record QuarantinedHost(string Reason, string Run, DateTimeOffset Since);

/// <summary>
/// Hosts of an environment left in an unknown state (a failed host whose rollback failed too):
/// kept in maintenance until someone acts on them (<c>lb.ready</c> on the host, or a later deploy
/// that succeeds on it). Kept in Gantry's data folder, <c>quarantine/&lt;environment&gt;.json</c>,
/// since the host itself may be unreachable; the load balancer, <c>gantry status</c> and the
/// deploy steps read it.
/// </summary>
internal sealed class Quarantine(string dataDirectory, string environmentId)
{
    private static readonly object Writing = new();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private string File => Path.Combine(dataDirectory, "quarantine", environmentId + ".json");

    /// <summary>Quarantined hosts by host name; empty when none.</summary>
    public IReadOnlyDictionary<string, QuarantinedHost> Read()
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, QuarantinedHost>>(System.IO.File.ReadAllText(File), Json) ?? [];
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new Dictionary<string, QuarantinedHost>();
        }
        catch (JsonException ex)
        {
            throw new DeployException($"{File} (the quarantined hosts of {environmentId}) cannot be read: {ex.Message}; fix or delete it");
        }
    }

    /// <summary>
    /// After a deploy or rollback step: quarantines each host it left unsettled, and takes each host
    /// it put on a release successfully out of quarantine. Returns the hosts quarantined now.
    /// </summary>
    public IReadOnlyList<string> Record(FleetResult result, string runId, DateTimeOffset now, IStepLog log)
    {
        var quarantined = Read();
        foreach (var host in result.Hosts.Where(h => h.Succeeded && quarantined.ContainsKey(h.Host)))
        {
            Release(host.Host);
            log.Info($"{host.Host} is out of quarantine: it is on {host.Current} and healthy", host.Host);
        }

        var unsettled = result.Hosts.Where(h => h.Unsettled).ToList();
        foreach (var host in unsettled)
        {
            Add(host.Host, host.Error ?? "its state is unknown", runId, now);
            log.Warn($"{host.Host} is quarantined: left in maintenance, skipped by lb.restore and lb.all until lb.ready on it or a deploy that succeeds on it", host.Host);
        }

        return unsettled.Select(h => h.Host).ToList();
    }

    /// <summary>The sentence a failed step's message ends with when it quarantined hosts.</summary>
    public static string Describe(IReadOnlyList<string> hosts) =>
        hosts.Count == 0 ? "" : $". QUARANTINED (left out of rotation until lb.ready on it or a deploy that succeeds on it): {string.Join(", ", hosts)}";

    public void Add(string host, string reason, string run, DateTimeOffset since) =>
        Change(hosts => hosts[host] = new QuarantinedHost(reason, run, since));

    /// <summary>Takes the host out of quarantine; false when it was not in it.</summary>
    public bool Release(string host)
    {
        var released = false;
        Change(hosts => released = hosts.Remove(host));
        return released;
    }

    private void Change(Action<Dictionary<string, QuarantinedHost>> change)
    {
        lock (Writing)
        {
            var hosts = new Dictionary<string, QuarantinedHost>(Read(), StringComparer.Ordinal);
            var before = hosts.Count;
            change(hosts);
            if (hosts.Count == before && before == 0)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(File)!);
            var temp = File + ".tmp";
            System.IO.File.WriteAllText(temp, JsonSerializer.Serialize(hosts, Json));
            System.IO.File.Move(temp, File, overwrite: true);
        }
    }
}
