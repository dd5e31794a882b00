using System.Globalization;
using System.Text;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.Deploy;

/// <summary>
/// The shell text a deploy sends to a host, and what it reports back. A deploy is one script per
/// host (read the state, fetch unless a complete release is there, switch, log, restart, prune)
/// rather than one SSH round trip per step: on a fleet the round trips, not the work, were most of
/// a group's deploy time. The script reports on stdout in lines that start with <see cref="Prefix"/>
/// (state, and the step it is starting, also on stderr so a failure's stderr tail is the failing
/// step's own); those lines never reach the journal.
/// </summary>
internal static class HostDeployScript
{
    public const string Prefix = "@gantry ";

    /// <summary>revisions.log lines read with the state: enough to date every kept release.</summary>
    private const int RevisionsRead = 50;

    /// <summary>
    /// A fetch's leftovers older than this are a killed session's. Deploys to one host do not run at once (the
    /// environment's concurrency key), so the hour is a margin for a workflow without one, not a guess at a fetch's length.
    /// </summary>
    private const int AbandonedFetchMinutes = 60;

    /// <summary>
    /// Lines that print the host's state (current, complete and incomplete releases, the last
    /// revisions.log lines) and leave <c>$cur</c> set to the current release; the script is then in
    /// the deploy root, or has exited when the root does not exist and <paramref name="createRoot"/> is off.
    /// </summary>
    public static string ReadState(DeployLayout layout, bool createRoot)
    {
        var folder = PosixShell.Quote(layout.ReleasesFolder);
        var lines = new StringBuilder();
        if (createRoot)
        {
            lines.Append(CultureInfo.InvariantCulture, $"mkdir -p {PosixShell.Quote(layout.ReleasesPath)} || exit 1\n");
        }

        lines
            .Append(CultureInfo.InvariantCulture, $"cd {PosixShell.Quote(layout.Root)} 2>/dev/null || exit 0\n")
            .Append(CultureInfo.InvariantCulture, $"cur=$(readlink {PosixShell.Quote(layout.CurrentLink)} 2>/dev/null || true); cur=${{cur%/}}\n")
            .Append(UnsafeCurrentCheck(layout))
            .Append(CultureInfo.InvariantCulture, $"cur=${{cur##*/}}; echo \"{Prefix}current=$cur\"\n")
            .Append(
                CultureInfo.InvariantCulture,
                $"if [ -d {folder} ]; then ls -1t {folder} | while IFS= read -r d; do if [ -f {folder}/\"$d\"/{ReleaseDeployer.CompleteMarker} ]; ")
            .Append(CultureInfo.InvariantCulture, $"then echo \"{Prefix}release=$d\"; else echo \"{Prefix}other=$d\"; fi; done; fi\n")
            .Append(
                CultureInfo.InvariantCulture,
                $"if [ -f {ReleaseDeployer.RevisionsLog} ]; then tail -n {RevisionsRead} {ReleaseDeployer.RevisionsLog} | sed 's/^/{Prefix}log=/'; ")
            .Append("fi\n");
        return lines.ToString();
    }

    /// <summary>
    /// A line that stops the script, changing nothing, when the current link points anywhere but a release folder
    /// of this root (<c>releases/NAME</c>, <c>./releases/NAME</c> or the absolute path other tools write): a link to
    /// <c>/etc</c> or <c>../../</c> is no release Gantry may switch away from, adopt, prune or restart beside.
    /// </summary>
    private static string UnsafeCurrentCheck(DeployLayout layout)
    {
        var relative = PosixShell.Quote(layout.ReleasesFolder + "/");
        var absolute = PosixShell.Quote(layout.ReleasesPath + "/");
        return "n=${cur##*/}; case \"$n\" in .|..) n=/;; esac\n"
            + $"case \"$cur\" in '') ;; {relative}\"$n\"|./{relative}\"$n\"|{absolute}\"$n\") ;; "
            + $"*) printf '%s%s -> %s\\n' {PosixShell.Quote(Prefix + "unsafe-current=")} "
            + $"{PosixShell.Quote(layout.Root.TrimEnd('/') + "/" + layout.CurrentLink)} \"$cur\"; exit 0;; esac\n";
    }

    /// <summary>
    /// The deploy script: the state; nothing more when <paramref name="release"/> is already current
    /// and complete, or when <paramref name="stopAtForeign"/> and the current release is another tool's
    /// (reported, for the caller to adopt it first); else <paramref name="fetch"/> unless a complete
    /// release is there, then <paramref name="activation"/> (null stops after the fetch, for a build hook to run).
    /// </summary>
    public static string Deploy(DeployLayout layout, string release, string fetch, string? activation, bool stopAtForeign = false)
    {
        var complete = $"[ -f {PosixShell.Quote($"{layout.ReleasesFolder}/{release}")}/{ReleaseDeployer.CompleteMarker} ]";
        return "set -e\n"
            + ReadState(layout, createRoot: true)
            + (stopAtForeign ? ForeignCurrent(layout) : string.Empty)
            + $"if [ \"$cur\" = {PosixShell.Quote(release)} ] && {complete}; then echo '{Prefix}already-current'; exit 0; fi\n"
            + StagedReport(layout, release)
            + $"if ! {complete}; then\n{Begin(DeployStep.Fetch)}{fetch}\nfi\n"
            + activation;
    }

    /// <summary>
    /// The staging script: the state, then <paramref name="fetch"/> unless a complete release is there
    /// (reported as <c>staged=</c> when an earlier staging left it). Switches and restarts nothing.
    /// </summary>
    public static string Stage(DeployLayout layout, string release, string fetch)
    {
        var complete = $"[ -f {PosixShell.Quote($"{layout.ReleasesFolder}/{release}")}/{ReleaseDeployer.CompleteMarker} ]";
        return "set -e\n"
            + ReadState(layout, createRoot: true)
            + StagedReport(layout, release)
            + $"if ! {complete}; then\n{Begin(DeployStep.Fetch)}{fetch}\nfi\n";
    }

    /// <summary>
    /// Lines that check a staged tree: complete, not empty, and for a clone checked out at
    /// <paramref name="commit"/> (or at the tag <paramref name="release"/>); they print the commit.
    /// </summary>
    public static string Verify(DeployLayout layout, string release, string? commit)
    {
        var folder = PosixShell.Quote($"{layout.ReleasesPath}/{release}");
        var expected = commit is null
            ? $"$(git -C {folder} rev-parse -q --verify {PosixShell.Quote($"refs/tags/{release}^{{commit}}")} 2>/dev/null || true)"
            : PosixShell.Quote(commit);
        return $"cd {folder} || {{ echo 'the release folder is missing' >&2; exit 1; }}\n"
            + $"[ -f {ReleaseDeployer.CompleteMarker} ] || {{ echo 'the release has no {ReleaseDeployer.CompleteMarker} marker: its fetch or build "
            + $"did not finish' >&2; exit 1; }}\n"
            + $"[ -n \"$(ls -A | grep -v -e '^\\.gantry-' -e '^\\.git$' | head -n 1)\" ] || {{ echo 'the release tree is empty' >&2; exit 1; }}\n"
            + "if [ -e .git ]; then h=$(git rev-parse HEAD) || exit 1; "
            + $"e={expected}; if [ -n \"$e\" ] && [ \"$h\" != \"$e\" ]; then echo \"the tree is checked out at $h, expected $e\" >&2; exit 1; fi; "
            + $"echo \"{Prefix}commit=$h\"; fi\n";
    }

    /// <summary>
    /// A line that stops the script, changing nothing, when current is another tool's release (not an
    /// empty folder, without Gantry's marker: what <see cref="ReleaseAdopter"/> adopts or explains). Checked in
    /// the deploy's own round trip, so a host Gantry already deployed pays no extra one (and no fork).
    /// </summary>
    private static string ForeignCurrent(DeployLayout layout)
    {
        var folder = PosixShell.Quote(layout.ReleasesFolder);
        var current = $"{folder}/\"$cur\"";
        return $"if [ -n \"$cur\" ] && [ ! -f {current}/{ReleaseDeployer.CompleteMarker} ] "
            + $"&& {{ [ -L {current} ] || [ ! -d {current} ] || [ -n \"$(ls -A {current})\" ]; }}; then echo '{Prefix}foreign'; exit 0; fi\n";
    }

    /// <summary>A line that reports who staged <paramref name="release"/> (its <see cref="ReleaseDeployer.StagedMarker"/>), when a staging left it
    /// complete and never live.</summary>
    private static string StagedReport(DeployLayout layout, string release)
    {
        var folder = PosixShell.Quote($"{layout.ReleasesFolder}/{release}");
        return $"if [ -f {folder}/{ReleaseDeployer.CompleteMarker} ] && [ -f {folder}/{ReleaseDeployer.StagedMarker} ]; then echo "
            + $"\"{Prefix}staged=$(head -n 1 {folder}/{ReleaseDeployer.StagedMarker})\"; fi\n";
    }

    /// <summary>Switch (touching the release so it sorts newest), log, restart and prune; expects <c>$cur</c> to hold the release current
    /// before.</summary>
    public static string Activation(DeployLayout layout, string release, string runId, string entryTime) =>
        Begin(DeployStep.Switch) + Switch(layout, release, "\"${cur:--}\"", entryTime, "deploy", runId, touch: true)
        + Begin(DeployStep.Restart) + Restart(layout, release, runId)
        + Begin(DeployStep.Prune) + Prune(layout, release);

    /// <summary><paramref name="activation"/> as a script of its own, after a build hook.</summary>
    public static string Activate(DeployLayout layout, string? previous, string activation) =>
        $"set -e\ncd {PosixShell.Quote(layout.Root)}\ncur={PosixShell.Quote(previous ?? string.Empty)}\n{activation}";

    /// <summary>Marks the start of <paramref name="step"/> on both streams.</summary>
    public static string Begin(DeployStep step) => $"echo '{Prefix}step={step}'; echo '{Prefix}step={step}' >&2\n";

    /// <summary>
    /// Lines that point <c>current</c> at <paramref name="release"/> atomically (new symlink +
    /// rename) and append to revisions.log; <paramref name="previous"/> is a shell word.
    /// </summary>
    public static string Switch(DeployLayout layout, string release, string previous, string entryTime, string action, string runId, bool touch)
    {
        var target = PosixShell.Quote($"{layout.ReleasesFolder}/{release}");
        var fields = string.Join(
            ' ',
            PosixShell.Quote(entryTime),
            PosixShell.Quote(action),
            PosixShell.Quote(release),
            previous,
            PosixShell.Quote(runId));

        // The commit is asked of the release folder itself (a clone has one; an archive says "-").
        // Once live, a staged release is an ordinary one: pruning no longer takes it for never-live.
        return (touch ? $"touch {target}\n" : string.Empty)
            + $"rm -f {target}/{ReleaseDeployer.StagedMarker}\n"
            + $"{SwitchCommand(layout, release)}\n"
            + $"c=-; if [ -e {target}/.git ]; then c=$(git -C {target} rev-parse --short HEAD 2>/dev/null) || c=-; fi\n"
            + $"printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' {fields} \"$c\" >> {ReleaseDeployer.RevisionsLog}\n";
    }

    /// <summary>The switch as messages show it.</summary>
    public static string SwitchCommand(DeployLayout layout, string release) =>
        $"ln -sfn {PosixShell.Quote($"{layout.ReleasesFolder}/{release}")} {PosixShell.Quote(layout.CurrentLink + ".tmp")} && mv -T "
        + $"{PosixShell.Quote(layout.CurrentLink + ".tmp")} {PosixShell.Quote(layout.CurrentLink)}";

    /// <summary>The restart, in a subshell so its exports and its <c>cd</c> stay its own.</summary>
    public static string Restart(DeployLayout layout, string release, string runId) =>
        $"( cd {PosixShell.Quote(layout.Root)} && {Exports(layout, release, runId)} && sh -c {PosixShell.Quote(layout.RestartCommand)} )\n";

    /// <summary>
    /// Lines that remove complete releases beyond keep_releases, newest first by the time they were
    /// last switched to, never the current one nor <c>$cur</c> (the one before this deploy), and
    /// every release a staging left that never went live (a run that failed before its deploy). A
    /// failure is reported, not fatal: the host already runs the new release. Also deletes what a fetch
    /// killed with its SSH session left (a <c>.tmp-</c> folder, an uploaded archive) an hour or more ago:
    /// its cleanup never ran, and nothing else would ever delete it.
    /// </summary>
    public static string Prune(DeployLayout layout, string release)
    {
        var folder = PosixShell.Quote(layout.ReleasesFolder);
        return $"find {folder} -mindepth 1 -maxdepth 1 \\( -name '*.tmp-*' -o -name '.*.upload-*.tar.gz' \\) -mmin +{AbandonedFetchMinutes} "
            + "-exec rm -rf -- {} + 2>/dev/null\n"
            + $"n=0; old=$(ls -1t {folder} | while IFS= read -r d; do [ -f {folder}/\"$d\"/{ReleaseDeployer.CompleteMarker} ] || continue; "
            + "case \"$d\" in *[!A-Za-z0-9._+-]*) continue;; esac; "
            + $"if [ \"$d\" = \"$cur\" ] || [ \"$d\" = {PosixShell.Quote(release)} ]; then n=$((n + 1)); continue; fi; "
            + $"if [ -f {folder}/\"$d\"/{ReleaseDeployer.StagedMarker} ]; then echo \"$d\"; continue; fi; "
            + $"n=$((n + 1)); if [ $n -gt {layout.KeepReleases.ToString(CultureInfo.InvariantCulture)} ]; then echo \"$d\"; fi; done)\n"
            + "for d in $old; do echo \"" + Prefix + "pruned=$d\"; done\n"
            + $"if [ -n \"$old\" ] && ! e=$(cd {folder} && rm -rf -- $old 2>&1); then echo \"{Prefix}prune-failed=$(echo \"$e\" | tr '\\n' ' ')\"; "
            + "fi\n";
    }

    /// <summary>The variables a build or restart command sees.</summary>
    public static string Exports(DeployLayout layout, string release, string runId) =>
        $"export GANTRY_ROOT={PosixShell.Quote(layout.Root)} GANTRY_RELEASE={PosixShell.Quote(release)} "
        + $"GANTRY_RELEASE_DIR={PosixShell.Quote($"{layout.ReleasesPath}/{release}")} GANTRY_RUN_ID={PosixShell.Quote(runId)}";

    /// <summary>Whether a line is one of the script's reports rather than something the user's commands printed.</summary>
    private static bool IsReport(string line) => line.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Reads the reports out of a script's stdout.</summary>
    public static ScriptReport Parse(string host, string stdout)
    {
        string? current = null;
        DeployStep? step = null;
        string? pruneFailure = null;
        bool alreadyCurrent = false, foreign = false;
        int? health = null;
        string? staged = null, commit = null;
        List<string> releases = [], incomplete = [], log = [], pruned = [];
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryRead(line, out var key, out var value))
            {
                continue;
            }

            switch (key)
            {
                case "current" when value.Length > 0: current = value; break;
                case "release": releases.Add(value); break;
                case "other" when DeployLayout.IsSafeReleaseName(value): incomplete.Add(value); break;
                case "log": log.Add(value); break;
                case "step" when Enum.TryParse<DeployStep>(value, out var started): step = started; break;
                case "pruned": pruned.Add(value); break;
                case "prune-failed": pruneFailure = value.Trim(); break;
                case "already-current": alreadyCurrent = true; break;
                case "foreign": foreign = true; break;
                case "unsafe-current":
                    throw new DeployException(
                        $"Refusing to change anything on {host}: its current link {value} does not point to a release folder of the deploy root. "
                        + "Point it at a release in the releases folder (or remove it), then try again.")
                    {
                        RefusedLink = value,
                    };
                case "health" when int.TryParse(value, CultureInfo.InvariantCulture, out var exit): health = exit; break;
                case "staged" when value.Length > 0: staged = value.Trim(); break;
                case "commit" when value.Length > 0: commit = value.Trim(); break;
            }
        }

        return new ScriptReport(new ReleaseState(host, current, releases, incomplete, log), step, alreadyCurrent, pruned, pruneFailure, health)
        {
            Staged = staged,
            Commit = commit,
            ForeignCurrent = foreign,
        };
    }

    /// <summary>Splits a report line into its key and value (<c>@gantry key=value</c>); false for any other line.</summary>
    public static bool TryRead(string line, out string key, out string value)
    {
        (key, value) = (string.Empty, string.Empty);
        if (!IsReport(line))
        {
            return false;
        }

        var report = line[Prefix.Length..];
        var equals = report.IndexOf('=', StringComparison.Ordinal);
        (key, value) = equals < 0 ? (report, string.Empty) : (report[..equals], report[(equals + 1)..]);
        return true;
    }

    /// <summary>What <paramref name="stderr"/> holds after the last step report: the failing step's own lines.</summary>
    public static string StandardErrorOfLastStep(string stderr)
    {
        var marker = stderr.LastIndexOf(Prefix + "step=", StringComparison.Ordinal);
        if (marker < 0)
        {
            return stderr;
        }

        var next = stderr.IndexOf('\n', marker);
        return next < 0 ? string.Empty : stderr[(next + 1)..];
    }
}

/// <summary>What a deploy script reported.</summary>
/// <param name="State">The host's state when the script started.</param>
/// <param name="LastStep">The last step the script started, or null when it stopped while reading the state.</param>
/// <param name="AlreadyCurrent">The release was already complete and current, so the script changed nothing.</param>
/// <param name="Pruned">Releases it removed.</param>
/// <param name="PruneFailure">Why removing old releases failed, or null.</param>
/// <param name="HealthExit">Exit code of a command health check run with the state (status), or null.</param>
internal sealed record ScriptReport(
    ReleaseState State,
    DeployStep? LastStep,
    bool AlreadyCurrent,
    IReadOnlyList<string> Pruned,
    string? PruneFailure,
    int? HealthExit)
{
    /// <summary>When and by which run the release was staged (its staged marker: time and run id), when a staging left it and it never went
    /// live.</summary>
    public string? Staged { get; init; }

    /// <summary>The script stopped before any change because current is another tool's release (a deploy asked to stop there).</summary>
    public bool ForeignCurrent { get; init; }

    /// <summary>The commit a verified clone is checked out at.</summary>
    public string? Commit { get; init; }

    /// <summary>Whether a complete copy of <paramref name="release"/> was on the host before the script (so it was not fetched).</summary>
    public bool Reused(string release) => State.Releases.Contains(release);
}
