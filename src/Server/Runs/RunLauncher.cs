using System.Security.Cryptography;
using System.Text;
using Gantry.Engine.Runtime;
using Gantry.Server.Definitions;

namespace Gantry.Server.Runs;

/// <summary>What starting a run over HTTP needs.</summary>
public sealed record LaunchRequest(
    string WorkflowId,
    string? EnvironmentId,
    IReadOnlyDictionary<string, object?> Inputs,
    string Trigger,
    string? StartedBy,
    string? IdempotencyKey)
{
    /// <summary>What a webhook delivered, recorded on the run (see <see cref="StartRunRequest.TriggerDetails"/>).</summary>
    public IReadOnlyDictionary<string, object?>? TriggerDetails { get; init; }

    /// <summary>A run id fixed by the caller (a schedule's tick), handled like an idempotency key's.</summary>
    public string? RunId { get; init; }
}

/// <summary>
/// Starts runs of published workflows for the API, triggers and webhooks, and hands them to the
/// engine in the background. An idempotency key fixes the run id, so the same key always names the
/// same run, also across restarts.
/// </summary>
internal sealed class RunLauncher(WorkflowEngine engine, DefinitionCache definitions, EnvironmentFiles environments)
{
    // Starts with the same key are serialized so that only one of them creates the run.
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<(RunRecord Run, bool Created)> StartAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        var library = await definitions.PublishedAsync(cancellationToken).ConfigureAwait(false);
        if (!library.TryGetValue(request.WorkflowId, out var published))
        {
            throw new RunStartException(
                StatusCodes.Status404NotFound,
                "Unknown workflow",
                $"no published workflow '{request.WorkflowId}'{Engine.Diagnostics.Suggest.Hint(request.WorkflowId, library.Keys)}");
        }

        var runId = request.RunId ?? (request.IdempotencyKey is { } key ? IdempotentRunId(request.WorkflowId, key) : null);
        if (runId is null)
        {
            try
            {
                return (await CreateAsync(request, published, library, null, cancellationToken).ConfigureAwait(false), true);
            }
            catch (RunAlreadyExistsException ex)
            {
                throw new RunStartException(
                    StatusCodes.Status409Conflict,
                    "Run id taken",
                    $"{ex.Message}: the new run of '{request.WorkflowId}' drew the id of an existing run; start it again");
            }
        }

        var stripe = _stripes[(StringComparer.Ordinal.GetHashCode(runId) & int.MaxValue) % _stripes.Length];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Created optimistically (a new key is the common case: no look-up before the insert); a key that
            // already names a run refuses the insert, or fails before it (inputs, environment, concurrency key
            // as they are now), and the run it names is the answer, as if the start had looked first.
            return (await CreateAsync(request, published, library, runId, cancellationToken).ConfigureAwait(false), true);
        }
        catch (RunAlreadyExistsException)
        {
            // This key's run exists: created by an earlier start, or by another server on the same store a moment ago.
            return (await engine.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw Vanished(runId), false);
        }
        catch (RunStartException)
        {
            if (await engine.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return (existing, false);
            }

            throw;
        }
        finally
        {
            stripe.Release();
        }
    }

    // The run that refused the insert was deleted (retention, a definition's delete) before it could be read back.
    private static RunStartException Vanished(string runId) =>
        new(
            StatusCodes.Status409Conflict,
            "Run id taken",
            $"run {runId} already existed but was deleted while this start read it back; start it again");

    /// <summary>The run id for an idempotency key: a hash of workflow and key, so keys of any shape make safe ids.</summary>
    public static string IdempotentRunId(string workflowId, string key) =>
        "k-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(workflowId + "\n" + key)))[..24];

    private async Task<RunRecord> CreateAsync(
        LaunchRequest request,
        (DefinitionVersion Version, Engine.Model.WorkflowDefinition Workflow) published,
        Dictionary<string, (DefinitionVersion Version, Engine.Model.WorkflowDefinition Workflow)> library,
        string? runId,
        CancellationToken cancellationToken)
    {
        (Engine.Model.EnvironmentDefinition Environment, string Text)? environment = null;
        if (request.EnvironmentId is { } environmentId)
        {
            environment = environments.Find(environmentId)
                ?? throw new RunStartException(
                    StatusCodes.Status400BadRequest,
                    "Unknown environment",
                    $"no environment '{environmentId}'{Engine.Diagnostics.Suggest.Hint(environmentId, environments.Ids())}");
        }

        RunRecord run;
        try
        {
            // Created already leased to this server, and executed here in the background.
            run = await engine.StartInBackgroundAsync(new StartRunRequest
            {
                Workflow = published.Workflow,
                WorkflowVersion = published.Version.Version,
                Library = await definitions.LibraryForAsync(published.Workflow, library, cancellationToken).ConfigureAwait(false),
                Environment = environment?.Environment,
                EnvironmentText = environment?.Text,
                Inputs = request.Inputs,
                Trigger = request.Trigger,
                StartedBy = request.StartedBy,
                TriggerDetails = request.TriggerDetails,
                RunId = runId,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException ex)
        {
            throw new RunStartException(StatusCodes.Status409Conflict, "Concurrency key held", ex.Message);
        }
        catch (EnvironmentMismatchException ex)
        {
            throw new RunStartException(StatusCodes.Status400BadRequest, "Environment lacks what the workflow reads", ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw new RunStartException(StatusCodes.Status400BadRequest, "Invalid inputs", ex.Message);
        }
        catch (InvalidOperationException ex) when (ex is not RunAlreadyExistsException)
        {
            throw new RunStartException(StatusCodes.Status400BadRequest, "Workflow cannot start", ex.Message);
        }

        return run;
    }
}
