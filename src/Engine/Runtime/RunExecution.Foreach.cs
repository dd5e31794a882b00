using System.Collections;
using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

internal sealed partial class RunExecution
{
    /// <summary>
    /// Runs the body once per item, at most max_parallel at once. After the first failure no new
    /// item starts; items in flight finish, then the first failure is raised. Items that are host
    /// names of the environment bind <c>host</c> for per-host activities.
    /// </summary>
    private async Task<StepOutcome> RunForeachAsync(ForeachStep loop, Frame frame, string key, CancellationToken cancellationToken)
    {
        var items = ResolveItems(loop, frame, cancellationToken);
        var results = new IReadOnlyDictionary<string, object?>?[items.Count];
        var outcomes = new StepOutcome[items.Count];
        var failures = new Exception?[items.Count];
        var done = 0;
        var failed = 0;
        using var stopStarting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var gate = new SemaphoreSlim(loop.MaxParallel);

        async Task RunItemAsync(int index)
        {
            try
            {
                var item = items[index];
                var host = item is string name && _run.Environment?.Hosts.TryGetValue(name, out var settings) == true
                    ? new HostBinding(name, _run.Environment.GroupOf(name), settings)
                    : null;
                var iteration = frame.Iteration(loop.As, host is null ? item : HostVariable(host, _run.Environment), host);
                outcomes[index] = await RunSequenceAsync(loop.Steps, iteration, $"{key}[{index}]/", cancellationToken).ConfigureAwait(false);
                results[index] = iteration.OwnOutputs();
            }
            catch (Exception ex) when (!Abandoned && ex is StepFailedException or OperationCanceledException)
            {
                failures[index] = ex;
                Interlocked.Increment(ref failed);
                await stopStarting.CancelAsync().ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
                var finished = Interlocked.Increment(ref done);
                await _run.Journal.ProgressAsync(key, finished, items.Count, Volatile.Read(ref failed)).ConfigureAwait(false);
            }
        }

        // Items take the gate here, in list order, before their task starts: with max_parallel 1
        // web1 is deployed (and checked) before web2, as the list says.
        var running = new List<Task>(items.Count);
        for (var index = 0; index < items.Count; index++)
        {
            try
            {
                await gate.WaitAsync(stopStarting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopStarting.IsCancellationRequested)
            {
                break;
            }

            if (stopStarting.IsCancellationRequested)
            {
                gate.Release();
                break;
            }

            var item = index;
            running.Add(Task.Run(() => RunItemAsync(item), CancellationToken.None));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        if (outcomes.Any(o => o == StepOutcome.Suspended))
        {
            return StepOutcome.Suspended;
        }

        frame.Record(
            loop.Id,
            "succeeded",
            new Dictionary<string, object?> { ["results"] = results.Select(r => (object?)r).ToList(), ["count"] = (long)items.Count });
        return StepOutcome.Completed;
    }

    private List<object?> ResolveItems(ForeachStep loop, Frame frame, CancellationToken cancellationToken)
    {
        var value = TemplateRenderer.Render(loop.Items, frame.Scope(), cancellationToken);
        return value switch
        {
            // A group name expands to its hosts: foreach: group1.
            string group when _run.Environment?.Groups.TryGetValue(group, out var settings) == true => settings.Hosts.Cast<object?>().ToList(),
            string text => [text],
            IEnumerable list => list.Cast<object?>().ToList(),
            null => [],
            _ => [value],
        };
    }
}
