using System.ComponentModel;
using System.Net;
using System.Text;
using Gantry.Engine.Activities;

namespace Notify.Plugin;

/// <summary>Inputs of <c>kv.set</c>.</summary>
public sealed class KvSetInputs
{
    [Description("Base URL of the Consul-style store, e.g. http://127.0.0.1:8500.")]
    public required string Url { get; init; }

    [Description("The key, e.g. opensky/version.")]
    public required string Key { get; init; }

    [Description("The value to store.")]
    public required string Value { get; init; }
}

/// <summary>Outputs of <c>kv.set</c>.</summary>
public sealed class KvSetOutputs
{
    [Description("The value before this step, or null when the key did not exist.")]
    public string? Previous { get; init; }

    [Description("False when the key already held the value (nothing was written).")]
    public bool Changed { get; init; }
}

/// <summary>
/// Sets a key with <c>PUT /v1/kv/KEY</c>, after reading the previous value with a GET. Running it
/// again writes the same value, so it is idempotent by nature; an unchanged key is not written.
/// </summary>
[Activity("kv.set", Description = "Set a key in a Consul-style key/value store; outputs the previous value.",
    Example = "uses: kv.set\nwith: { url: \"http://consul:8500\", key: opensky/version, value: \"{{ inputs.version }}\" }")]
public sealed class KvSetActivity(NotifyHttp http) : Activity<KvSetInputs, KvSetOutputs>
{
    protected override async Task<KvSetOutputs> ExecuteAsync(ActivityContext<KvSetInputs> context, CancellationToken cancellationToken)
    {
        var url = $"{context.Input.Url.TrimEnd('/')}/v1/kv/{context.Input.Key.TrimStart('/')}";
        var previous = await GetAsync(url, context, cancellationToken).ConfigureAwait(false);
        if (previous == context.Input.Value)
        {
            return new KvSetOutputs { Previous = previous, Changed = false };
        }

        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent(context.Input.Value, Encoding.UTF8, "text/plain") };
        await NotifyHttpCalls.SendAsync(http.Client, put, $"PUT {url}", context, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"kv.set: {context.Input.Key} = {context.Input.Value} (was {previous ?? "unset"})");
        return new KvSetOutputs { Previous = previous, Changed = true };
    }

    private async Task<string?> GetAsync(string url, ActivityContext context, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.Client.GetAsync(url + "?raw", cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(context.Secrets.Masker.Apply($"kv.set: GET {url}?raw answered {(int)response.StatusCode} {response.ReasonPhrase}"));
            }

            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException(context.Secrets.Masker.Apply($"kv.set: GET {url}?raw failed: {ex.Message}"), ex);
        }
    }
}
