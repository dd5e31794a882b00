using Gantry.Engine.Stores;

namespace Gantry.Engine.Tests.Stores;

/// <summary>
/// The webhook deliveries a store remembers, against each durable store. Each <see cref="OpenAsync"/> is
/// another process on the same database, as another server node or a restarted server would be.
/// </summary>
public abstract class WebhookDeliveriesTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromDays(1);
    private readonly List<StoreSet> _opened = [];

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>The database setting (<c>--db</c>) of an empty, migrated test database.</summary>
    protected abstract string Db { get; }

    public abstract Task InitializeAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var stores in _opened)
        {
            await stores.DisposeAsync();
        }
    }

    [Fact]
    public async Task Record_SameBodyAgain_ReturnsWhenItWasFirstSeen()
    {
        var deliveries = (await OpenAsync()).Deliveries;

        Assert.Null(await deliveries.RecordAsync("aa11", Now, Now - Window, Ct));
        Assert.Null(await deliveries.RecordAsync("bb22", Now.AddMinutes(1), Now - Window, Ct));
        Assert.Equal(Now, await deliveries.RecordAsync("aa11", Now.AddHours(2), Now.AddHours(2) - Window, Ct));
    }

    [Fact]
    public async Task Record_SeenByAnotherNodeBeforeItsRestart_IsRefusedHere()
    {
        var first = (await OpenAsync()).Deliveries;
        Assert.Null(await first.RecordAsync("cc33", Now, Now - Window, Ct));

        var other = (await OpenAsync()).Deliveries;

        Assert.Equal(Now, await other.RecordAsync("cc33", Now.AddMinutes(5), Now.AddMinutes(5) - Window, Ct));
    }

    [Fact]
    public async Task Record_OlderThanTheWindow_IsForgottenAndAcceptedAgain()
    {
        var deliveries = (await OpenAsync()).Deliveries;
        Assert.Null(await deliveries.RecordAsync("dd44", Now, Now - Window, Ct));
        var later = Now + Window + TimeSpan.FromMinutes(1);

        Assert.Null(await deliveries.RecordAsync("dd44", later, later - Window, Ct));
        Assert.Equal(later, await deliveries.RecordAsync("dd44", later.AddSeconds(1), later - Window, Ct));
    }

    [Fact]
    public async Task Record_SameBodyOnTwoNodesAtOnce_ExactlyOneAccepts()
    {
        var nodes = new[] { (await OpenAsync()).Deliveries, (await OpenAsync()).Deliveries };

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => nodes[i % 2].RecordAsync("ee55", Now.AddMilliseconds(i), Now - Window, Ct))));

        Assert.Single(answers, a => a is null);
        var winner = Now.AddMilliseconds(Array.IndexOf(answers, null));
        Assert.All(answers.Where(a => a is not null), a => Assert.Equal(winner, a));
    }

    private async Task<StoreSet> OpenAsync()
    {
        var stores = await RunStoreFactory.OpenAsync(Db, Path.GetTempPath(), TimeProvider.System, Ct);
        _opened.Add(stores);
        return stores;
    }
}
