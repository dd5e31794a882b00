using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Gantry.Server.Hosting;

namespace Gantry.Server.Security;

/// <summary>
/// Refuses webhook deliveries that replay an earlier one. A delivery is identified by the SHA-256
/// of its signed body, not by <c>X-GitHub-Delivery</c> (unsigned: a captured delivery re-sent with
/// another id is the same body). The same body within the window starts nothing; an event whose own
/// timestamp is older than the window is refused, so a body older than the memory of it cannot come
/// back either. The bodies seen are kept in the store (<see cref="Engine.Stores.IWebhookDeliveries"/>), so every
/// node sharing it refuses a replay, also after a restart; a push's run id is derived from the body hash too.
/// </summary>
internal sealed class WebhookReplayGuard(ServerContext context, TimeProvider time)
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public TimeSpan Window => context.Options.WebhookMaxAge;

    public static string BodyHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>Why the event is too old (or from the future) to act on, else null. Events without a timestamp pass.</summary>
    public string? Stale(string eventName, JsonElement payload)
    {
        if (EventTime(eventName, payload) is not { } at)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (now - at > Window)
        {
            return $"the {eventName} event is from {at:u}, older than the webhook window of {Engine.Schema.Duration.Format(Window)}; replayed or "
                + "long-delayed deliveries are refused (raise --webhook-max-age to accept older ones)";
        }

        return at - now > ClockSkew ? $"the {eventName} event is dated {at:u}, in the future; check the sender's clock" : null;
    }

    /// <summary>
    /// Records the body in the store; returns when it was first seen if any node sharing the store saw it
    /// within the window (also before a restart), else null.
    /// </summary>
    public Task<DateTimeOffset?> SeenBeforeAsync(string bodyHash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return context.Stores.Deliveries.RecordAsync(bodyHash, now, now - Window, cancellationToken);
    }

    /// <summary>The event's own time where GitHub sends one: a push's <c>repository.pushed_at</c>, else the updated_at of its subject.</summary>
    internal static DateTimeOffset? EventTime(string eventName, JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return eventName switch
        {
            "push" => Time(Property(payload, "repository", "pushed_at")) ?? Time(Property(payload, "head_commit", "timestamp")),
            "pull_request" => Time(Property(payload, "pull_request", "updated_at")),
            "check_suite" => Time(Property(payload, "check_suite", "updated_at")),
            "status" => Time(Property(payload, "updated_at")),
            _ => null,
        };
    }

    private static JsonElement? Property(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element;
    }

    /// <summary>Unix seconds (push) or an ISO 8601 text.</summary>
    private static DateTimeOffset? Time(JsonElement? value) =>
        value switch
        {
            { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var seconds) && seconds is > 0 and < 253_402_300_799 =>
                DateTimeOffset.FromUnixTimeSeconds(seconds),
            { ValueKind: JsonValueKind.String } s
                when DateTimeOffset.TryParse(s.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
            _ => null,
        };
}
