using System.Reflection;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Fixtures;

/// <summary>Every store interface a server's run store serves; the proxy below implements them all.</summary>
public interface IServerRunStore : IRunStore, IRunLeaseStore, IRunRetention;

/// <summary>
/// A server's real run store, except that the creation of an idempotency-keyed run (<c>k-…</c>) waits at a gate
/// before it reaches the store: it makes certain the moment two servers race on one key, when this server's insert
/// comes right after the other server created the run. Creates refused because the run existed are counted.
/// </summary>
public class HeldInsertStore : DispatchProxy
{
    private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private object _inner = null!; // the real store: it implements each interface IServerRunStore extends
    private int _duplicates;

    /// <summary>Completes once a keyed run's creation waits at the gate.</summary>
    public Task Waiting => _waiting.Task;

    /// <summary>How many creates the store refused because the run existed.</summary>
    public int Duplicates => Volatile.Read(ref _duplicates);

    public void Open() => _open.TrySetResult();

    /// <summary>Replaces the server's run store with a proxy of it; returns the proxy once the server resolved it.</summary>
    public static Func<HeldInsertStore> Install(IServiceCollection services)
    {
        var real = services.Last(d => d.ServiceType == typeof(IRunStore));
        IServerRunStore? proxy = null;
        services.AddSingleton<IRunStore>(sp =>
        {
            var inner = real.ImplementationInstance ?? real.ImplementationFactory!(sp);
            proxy = Create<IServerRunStore, HeldInsertStore>();
            ((HeldInsertStore)(object)proxy)._inner = inner;
            return proxy;
        });
        return () => (HeldInsertStore)(object)(proxy ?? throw new InvalidOperationException("the server has not resolved its run store"));
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        // A server creates the runs it starts already leased to itself (CreateClaimedRunAsync).
        if (targetMethod!.Name is nameof(IRunStore.CreateRunAsync) or nameof(IRunLeaseStore.CreateClaimedRunAsync)
            && args![0] is RunRecord run && run.Id.StartsWith("k-", StringComparison.Ordinal))
        {
            return targetMethod.ReturnType == typeof(Task) ? HeldAsync(() => (Task)Call(targetMethod, args)!) : HeldCreateClaimedAsync(targetMethod, args);
        }

        return Call(targetMethod, args);
    }

    private object? Call(MethodInfo method, object?[]? args) => method.Invoke(_inner, BindingFlags.DoNotWrapExceptions, null, args, null);

    private async Task<(IReadOnlyList<JournalEvent>, RunLease)> HeldCreateClaimedAsync(MethodInfo method, object?[] args)
    {
        Task<(IReadOnlyList<JournalEvent>, RunLease)>? create = null;
        await HeldAsync(() => create = (Task<(IReadOnlyList<JournalEvent>, RunLease)>)Call(method, args)!);
        return await create!;
    }

    private async Task HeldAsync(Func<Task> create)
    {
        _waiting.TrySetResult();
        await _open.Task;
        try
        {
            await create();
        }
        catch (RunAlreadyExistsException)
        {
            Interlocked.Increment(ref _duplicates);
            throw;
        }
    }
}
