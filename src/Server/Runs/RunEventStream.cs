using System.Text;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Runs;

/// <summary>
/// Writes a run's journal as server-sent events (<c>id: SEQ</c>, <c>event: TYPE</c>, <c>data: JSON</c>)
/// from after a sequence, then follows new events until the run finishes or the client leaves.
/// </summary>
public sealed class RunEventStream(string runId, long afterSequence) : IResult
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    public string RunId { get; } = runId;

    public long AfterSequence { get; } = afterSequence;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var runs = services.GetRequiredService<IRunStore>();
        var notifier = services.GetRequiredService<RunEventNotifier>();
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);

        var last = AfterSequence;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Ask the notifier first so that an event written while reading still wakes us.
                var wake = notifier.WaitAsync(RunId, Poll, cancellationToken);
                var finished = false;
                foreach (var e in await runs.ReadJournalAsync(RunId, last, cancellationToken).ConfigureAwait(false))
                {
                    var frame = $"id: {e.Sequence}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(e, json)}\n\n";
                    await response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), cancellationToken).ConfigureAwait(false);
                    last = e.Sequence;
                    finished |= e.Type == JournalEventTypes.RunFinished;
                }

                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (finished
                    || (await runs.GetRunAsync(RunId, cancellationToken).ConfigureAwait(false))?.IsFinished == true
                        && !await HasMoreAsync(runs, last, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                await wake.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private async Task<bool> HasMoreAsync(IRunStore runs, long last, CancellationToken cancellationToken) =>
        (await runs.ReadJournalAsync(RunId, last, cancellationToken).ConfigureAwait(false)).Count > 0;
}
