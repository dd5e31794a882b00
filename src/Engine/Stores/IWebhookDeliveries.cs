namespace Gantry.Engine.Stores;

/// <summary>
/// Webhook deliveries already acted on, kept in the store's database so that every server node sharing
/// it refuses a replay, also after a restart. A delivery is named by the SHA-256 of its signed body.
/// </summary>
public interface IWebhookDeliveries
{
    /// <summary>
    /// Records the body hash as seen at <paramref name="now"/> and returns null; when it was already seen
    /// at or after <paramref name="since"/> (the replay window's start) returns that first time instead and
    /// records nothing. Entries older than <paramref name="since"/> are forgotten on the way.
    /// </summary>
    Task<DateTimeOffset?> RecordAsync(string bodyHash, DateTimeOffset now, DateTimeOffset since, CancellationToken cancellationToken);
}
