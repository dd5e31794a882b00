using System.Reflection;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Fixtures;

/// <summary>Every store interface a server's run store serves; the proxy below implements them all.</summary>
public interface IServerRunStore : IRunStore, IRunLeaseStore, IRunRetention;

/// <summary>
/// A server's real run store, except that a look for an idempotency-keyed run (<c>k-…</c>) that finds none waits at
/// a gate before it answers "none": it makes certain the moment two servers race on one key, when this server read
/// that the run does not exist just before the other server created it. Inserts refused as duplicates are counted.
/// </summary>
public class StaleReadStore : DispatchProxy
{
    private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private object _inner = null!; // the real store: it implements each interface IServerRunStore extends
    private int _duplicates;

    /// <summary>Completes once a look found no run and waits at the gate.</summary>
    public Task Waiting => _waiting.Task;

    /// <summary>How many creates the store refused because the run existed.</summary>
    public int Duplicates => Volatile.Read(ref _duplicates);

    public void Open() => _open.TrySetResult();

    /// <summary>Replaces the server's run store with a proxy of it; returns the proxy once the server resolved it.</summary>
    public static Func<StaleReadStore> Install(IServiceCollection services)
    {
        var real = services.Last(d => d.ServiceType == typeof(IRunStore));
        IServerRunStore? proxy = null;
        services.AddSingleton<IRunStore>(sp =>
        {
            var inner = real.ImplementationInstance ?? real.ImplementationFactory!(sp);
            proxy = Create<IServerRunStore, StaleReadStore>();
            ((StaleReadStore)(object)proxy)._inner = inner;
            return proxy;
        });
        return () => (StaleReadStore)(object)(proxy ?? throw new InvalidOperationException("the server has not resolved its run store"));
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var result = targetMethod!.Invoke(_inner, BindingFlags.DoNotWrapExceptions, null, args, null);
        if (targetMethod.Name == nameof(IRunStore.GetRunAsync) && args![0] is string id && id.StartsWith("k-", StringComparison.Ordinal))
        {
            return GatedAsync((Task<RunRecord?>)result!);
        }

        // A server creates the runs it starts already leased to itself (CreateClaimedRunAsync).
        if (targetMethod.Name is nameof(IRunStore.CreateRunAsync) or nameof(IRunLeaseStore.CreateClaimedRunAsync))
        {
            ((Task)result!).ContinueWith(
                t =>
                {
                    if (t.Exception!.InnerException is RunAlreadyExistsException)
                    {
                        Interlocked.Increment(ref _duplicates);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted,
                TaskScheduler.Default);
        }

        return result;
    }

    private async Task<RunRecord?> GatedAsync(Task<RunRecord?> look)
    {
        var run = await look;
        if (run is null)
        {
            _waiting.TrySetResult();
            await _open.Task;
        }

        return run;
    }
}
