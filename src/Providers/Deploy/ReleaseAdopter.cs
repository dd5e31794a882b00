using System.Globalization;
using System.Text;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.Deploy;

/// <summary>
/// Adopts the releases another tool (Capistrano, Fabric, a script) left on a host, so that Gantry's status and
/// rollback treat them as its own: the current release and every release tree older than it get the completion
/// marker Gantry writes into its own releases (the test it applies before switching to one), and revisions.log gets
/// one line each, oldest first, each naming the release before it: <c>found</c> for the older ones, <c>adopt</c>
/// for the current one, last, so the log's newest switch is the release the host runs. Folder times are kept (they
/// order releases) and used as the lines' times. Folders newer than current (a deploy that did not finish) and
/// empty ones are left alone. Adopting again changes nothing.
/// </summary>
internal sealed class ReleaseAdopter(SshConnectionPool pool, TimeProvider time)
{
    /// <summary>revisions.log action of the release current when the host was adopted.</summary>
    public const string AdoptAction = "adopt";

    /// <summary>revisions.log action of an older release found on the host when it was adopted (not a switch).</summary>
    public const string FoundAction = "found";

    private static readonly RemoteCommandOptions Quiet = new() { ReportOutput = false };

    /// <param name="onlyForeign">
    /// Adopt only when the current release is another tool's (a tree without Gantry's marker): the first Gantry deploy
    /// on a host another tool deployed; a host Gantry deployed or adopted is left as it is, without a line.
    /// </param>
    public async Task<Adoption> AdoptAsync(DeployTarget target, string runId, CancellationToken cancellationToken, bool onlyForeign = false)
    {
        var (host, layout) = (target.Host, target.Layout);
        var connection = await pool.GetAsync(host, cancellationToken).ConfigureAwait(false);
        var inventory = Inventory.Parse(
            (
                await connection
                    .RunAsync(InventoryScript(layout), Quiet with { DisplayCommand = $"list releases in {layout.ReleasesPath}" }, cancellationToken)
                    .ConfigureAwait(false)
            ).StandardOutput);
        if (inventory.Current is not { } current)
        {
            return new Adoption(null, [], inventory.Entries.Select(e => $"{e.Name} (no current release points at it)").ToList());
        }

        var at = inventory.Entries.FindIndex(e => e.Name == current);
        if (at < 0)
        {
            throw new DeployException(
                host.Name,
                current,
                DeployStep.Inspect,
                current,
                $"Cannot adopt {host}: current points to {current}, which is not a release folder in {layout.ReleasesPath}.",
                null);
        }

        if (onlyForeign && inventory.Entries[at].Kind != EntryKind.Tree)
        {
            return new Adoption(current, [], []);
        }

        var skipped = new List<string>();
        var plan = new List<(Entry Entry, string Action)>();
        for (var i = 0; i < inventory.Entries.Count; i++)
        {
            var entry = inventory.Entries[i];
            if (entry.Kind == EntryKind.Empty)
            {
                skipped.Add($"{entry.Name} (empty)");
            }
            else if (i < at && entry.Kind == EntryKind.Tree)
            {
                skipped.Add($"{entry.Name} (newer than the current {current}: a deploy that did not finish?)");
            }
            else if (i > at && entry.Kind == EntryKind.Tree)
            {
                plan.Add((entry, FoundAction));
            }
        }

        var lastSwitch = inventory.Log.Select(Revision.Parse).LastOrDefault(r => r is not null && r.Action != FoundAction);
        if (inventory.Entries[at].Kind == EntryKind.Tree || lastSwitch?.Release != current)
        {
            plan.Insert(0, (inventory.Entries[at], AdoptAction));
        }

        if (plan.Count == 0)
        {
            return new Adoption(current, [], skipped);
        }

        // Oldest first, each line naming the complete release below it, the current one last.
        var complete = inventory.Entries.Where(e => e.Kind == EntryKind.Gantry || plan.Any(p => p.Entry == e)).ToList();
        var script = new StringBuilder("set -e\n").Append(CultureInfo.InvariantCulture, $"cd {PosixShell.Quote(layout.Root)}\n");
        foreach (var (entry, action) in Enumerable.Reverse(plan))
        {
            var previous = complete.SkipWhile(e => e != entry).Skip(1).FirstOrDefault()?.Name;
            script.Append(AdoptLines(layout, entry, action, previous, runId));
        }

        await connection
            .RunAsync(
                script.ToString(),
                Quiet with
                {
                    DisplayCommand = $"adopt {string.Join(", ", plan.Select(p => p.Entry.Name))} in {layout.ReleasesPath}",
                },
                cancellationToken)
            .ConfigureAwait(false);
        return new Adoption(current, plan.Select(p => p.Entry.Name).ToList(), skipped);
    }

    /// <summary>Marks the release complete keeping its folder's time, then logs it with that time.</summary>
    private string AdoptLines(DeployLayout layout, Entry entry, string action, string? previous, string runId)
    {
        var folder = PosixShell.Quote($"{layout.ReleasesFolder}/{entry.Name}");
        var at = entry.Modified is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : time.GetUtcNow();
        var epoch = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var fields = string.Join(
            ' ',
            PosixShell.Quote(at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            action,
            PosixShell.Quote(entry.Name),
            PosixShell.Quote(previous ?? "-"),
            PosixShell.Quote(runId));
        return $"[ -f {folder}/{ReleaseDeployer.CompleteMarker} ] || {{ : > {folder}/{ReleaseDeployer.CompleteMarker}; touch -d @{epoch} {folder}; "
            + $"}}\n"
            + $"c=-; if [ -e {folder}/.git ]; then c=$(git -C {folder} rev-parse --short HEAD 2>/dev/null) || c=-; elif [ -f {folder}/REVISION ]; "
            + $"then c=$(head -c 7 {folder}/REVISION); fi\n"
            + $"printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' {fields} \"$c\" >> {ReleaseDeployer.RevisionsLog}\n";
    }

    /// <summary>Prints current, then one line per release folder (kind, modification time, name), then revisions.log.</summary>
    private static string InventoryScript(DeployLayout layout)
    {
        var folder = PosixShell.Quote(layout.ReleasesFolder);
        var prefix = HostDeployScript.Prefix;
        return $"cd {PosixShell.Quote(layout.Root)} 2>/dev/null || exit 0\n"
            + $"cur=$(readlink {PosixShell.Quote(layout.CurrentLink)} 2>/dev/null || true); cur=${{cur%/}}; cur=${{cur##*/}}; echo "
            + $"\"{prefix}current=$cur\"\n"
            + $"if [ -d {folder} ]; then for d in {folder}/*; do [ -d \"$d\" ] && [ ! -L \"$d\" ] || continue; n=${{d##*/}}; "
            + $"if [ -f \"$d\"/{ReleaseDeployer.CompleteMarker} ]; then k=gantry; elif [ -n \"$(ls -A \"$d\")\" ]; then k=tree; else k=empty; fi; "
            + $"echo \"{prefix}entry=$k $(stat -c %Y \"$d\") $n\"; done; fi\n"
            + $"if [ -f {ReleaseDeployer.RevisionsLog} ]; then tail -n 500 {ReleaseDeployer.RevisionsLog} | sed 's/^/{prefix}log=/'; fi\n"
            + "true";
    }

    /// <summary>What adopting a host did: its current release, the releases adopted now (newest first), folders left alone and why.</summary>
    public sealed record Adoption(string? Current, IReadOnlyList<string> Adopted, IReadOnlyList<string> Skipped);

    private enum EntryKind { Gantry, Tree, Empty }

    private sealed record Entry(EntryKind Kind, long? Modified, string Name);

    /// <summary>The host's releases newest first (by folder time, as Gantry orders its own), current, and revisions.log.</summary>
    private sealed record Inventory(string? Current, List<Entry> Entries, List<string> Log)
    {
        public static Inventory Parse(string stdout)
        {
            string? current = null;
            var entries = new List<Entry>();
            var log = new List<string>();
            foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!HostDeployScript.TryRead(line, out var key, out var value))
                {
                    continue;
                }

                switch (key)
                {
                    case "current" when value.Length > 0: current = value; break;
                    case "log": log.Add(value); break;
                    case "entry" when value.Split(' ', 3) is [var kind, var modified, var name] && DeployLayout.IsSafeReleaseName(name):
                        entries.Add(new Entry(
                            kind switch { "gantry" => EntryKind.Gantry, "tree" => EntryKind.Tree, _ => EntryKind.Empty },
                            long.TryParse(modified, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) ? seconds : null,
                            name));
                        break;
                }
            }

            entries = entries.OrderByDescending(e => e.Modified ?? 0).ThenByDescending(e => e.Name, StringComparer.Ordinal).ToList();
            return new Inventory(current, entries, log);
        }
    }
}
