namespace Gantry.Server.Hosting.Systemd;

/// <summary>
/// <c>gantry serve</c> as a systemd <c>Type=notify</c> service: READY=1 once the host has started (the
/// workflows are imported, interrupted runs recovered and Kestrel listens, so the HTTP port answers),
/// STOPPING=1 as soon as a stop begins (SIGTERM), and WATCHDOG=1 keep-alives when the unit asks for them.
/// Does nothing when systemd does not listen.
/// </summary>
internal sealed class ServiceNotifications(
    ServiceNotifier notifier,
    IHostApplicationLifetime lifetime,
    ServerContext context,
    TimeProvider time,
    ILogger<ServiceNotifications> logger
) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopped = new();
    private Task _keepAlive = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!notifier.Enabled)
        {
            return Task.CompletedTask;
        }

        notifier.Failed = reason => Telemetry.ServerLog.BackgroundFailed(logger, reason);
        lifetime.ApplicationStarted.Register(() =>
        {
            notifier.Ready($"serving on {context.Options.Urls}");
            _keepAlive = notifier.KeepAliveAsync(time, _stopped.Token);
        });
        lifetime.ApplicationStopping.Register(() =>
            notifier.Stopping($"stopping: runs get {Engine.Schema.Duration.Format(context.Options.StopGrace)} to finish or reach a wait"));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopped.CancelAsync().ConfigureAwait(false);
        await _keepAlive.ConfigureAwait(false);
    }

    public void Dispose() => _stopped.Dispose();
}
