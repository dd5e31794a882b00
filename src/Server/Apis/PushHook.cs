using Gantry.Engine.Model;
using Gantry.Server.Definitions;
using Gantry.Server.Runs;

namespace Gantry.Server.Apis;

/// <summary>
/// A GitHub <c>push</c> delivery starts every published workflow declaring
/// <c>on: { push: { branch, environment, input } }</c> for the pushed branch, with the pushed commit
/// (<c>after</c>) as the input named by <c>input</c> (default <c>ref</c>). The SHA-256 of the signed
/// body is the idempotency key (the delivery header is unsigned), so the same push starts nothing twice. Tags, deletions and other branches start
/// nothing.
/// </summary>
internal static class PushHook
{
    public const string Event = "push";
    public const string BranchSetting = "branch";
    public const string EnvironmentSetting = "environment";
    public const string InputSetting = "input";
    public const string DefaultInput = "ref";

    private const string BranchPrefix = "refs/heads/";

    public static async Task<(IReadOnlyList<string> Started, string Reason)> HandleAsync(
        IDictionary<string, object?> payload,
        string delivery,
        string bodyHash,
        DefinitionCache definitions,
        RunLauncher launcher,
        CancellationToken cancellationToken)
    {
        var pushedRef = Text(payload, "ref") ?? "";
        var commit = Text(payload, "after") ?? "";
        if (!pushedRef.StartsWith(BranchPrefix, StringComparison.Ordinal))
        {
            return ([], $"push of {(pushedRef.Length == 0 ? "no ref" : pushedRef)} is not a branch push; only branch pushes start runs");
        }

        var branch = pushedRef[BranchPrefix.Length..];
        if (payload.TryGetValue("deleted", out var deleted) && deleted is true || commit.Length == 0 || commit.All(c => c == '0'))
        {
            return ([], $"push deleted branch {branch}; nothing to deploy");
        }

        var published = await definitions.PublishedAsync(cancellationToken).ConfigureAwait(false);
        var matches = published.Values
            .SelectMany(p => p.Workflow.Triggers.Where(t => t.Kind == Event && Branches(t).Contains(branch)).Select(t => (p.Workflow, Trigger: t)))
            .ToList();
        if (matches.Count == 0)
        {
            var watched = published
                .Values.SelectMany(p => p.Workflow.Triggers.Where(t => t.Kind == Event).SelectMany(Branches))
                .Distinct()
                .Order(StringComparer.Ordinal)
                .ToList();
            return (
                [],
                watched.Count == 0
                    ? $"push to {branch} ignored: no published workflow declares on: {{ push: {{ branch }} }}"
                    : $"push to {branch} ignored: push triggers watch only {string.Join(", ", watched)}");
        }

        var pusher = Text(payload, "pusher", "name") ?? Text(payload, "sender", "login");
        var details = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["event"] = Event,
            ["delivery"] = delivery,
            ["branch"] = branch,
            ["commit"] = commit,
            ["pusher"] = pusher,
            ["repository"] = Text(payload, "repository", "full_name"),
            ["message"] = Text(payload, "head_commit", "message"),
        };
        var started = new List<string>();
        foreach (var (workflow, trigger) in matches)
        {
            var input = trigger.Settings.GetValueOrDefault(InputSetting) is { Length: > 0 } name ? name : DefaultInput;
            var inputs = workflow.Inputs.Any(i => i.Name == input)
                ? new Dictionary<string, object?>(StringComparer.Ordinal) { [input] = commit }
                : new Dictionary<string, object?>(StringComparer.Ordinal);
            var request = new LaunchRequest(
                workflow.Id,
                trigger.Settings.GetValueOrDefault(EnvironmentSetting) is { Length: > 0 } environment ? environment : null,
                inputs,
                $"{Event}:{branch}",
                pusher is null ? "github" : $"github:{pusher}",
                $"github-body:{bodyHash}")
            {
                TriggerDetails = details,
            };
            var (run, created) = await launcher.StartAsync(request, cancellationToken).ConfigureAwait(false);
            if (created)
            {
                started.Add(run.Id);
            }
        }

        return started.Count == 0
            ? (
                [],
                $"replay refused: this push's signed body already started {string.Join(", ", matches.Select(m => m.Workflow.Id))}; nothing started")
            : (started, $"push to {branch} at {commit} started {string.Join(", ", matches.Select(m => m.Workflow.Id))}");
    }

    /// <summary>The branches a push trigger watches: <c>branch: develop</c> or a comma-separated list.</summary>
    private static IEnumerable<string> Branches(TriggerDeclaration trigger) =>
        (trigger.Settings.GetValueOrDefault(BranchSetting) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? Text(IDictionary<string, object?> payload, params string[] path)
    {
        object? value = payload;
        foreach (var name in path)
        {
            if (value is not IDictionary<string, object?> map || !map.TryGetValue(name, out value))
            {
                return null;
            }
        }

        return value as string;
    }
}
