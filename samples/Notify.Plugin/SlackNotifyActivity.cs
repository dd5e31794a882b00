using System.ComponentModel;
using System.Text;
using Gantry.Engine.Activities;
using Newtonsoft.Json;

namespace Notify.Plugin;

/// <summary>Inputs of <c>notify.slack</c>.</summary>
public sealed class SlackInputs
{
    [Description("The message.")]
    public required string Text { get; init; }

    /// <value>The default value is <c>slack_webhook</c>.</value>
    [Description("Name of the secret that holds the incoming-webhook URL.")]
    public string WebhookSecret { get; init; } = "slack_webhook";
}

/// <summary>Outputs of <c>notify.slack</c>.</summary>
public sealed class SlackOutputs
{
    [Description("The HTTP status the webhook answered.")]
    public int Status { get; init; }

    [Description("The Idempotency-Key header sent: run id and step path, the same on every retry.")]
    public string IdempotencyKey { get; init; } = "";
}

/// <summary>
/// Posts <c>{"text": ...}</c> to a Slack-style webhook. Safe to run again after a crash: the
/// receiver drops a second post with the same <c>Idempotency-Key</c>.
/// </summary>
[Activity("notify.slack", Description = "Post a message to a Slack incoming webhook whose URL is a secret.",
    Example = "uses: notify.slack\nwith: { text: \"Deployed {{ inputs.version }}\" }")]
public sealed class SlackNotifyActivity(NotifyHttp http) : Activity<SlackInputs, SlackOutputs>
{
    protected override async Task<SlackOutputs> ExecuteAsync(ActivityContext<SlackInputs> context, CancellationToken cancellationToken)
    {
        var url = context.Secrets.Get(context.Input.WebhookSecret);
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.PathAndQuery.Length > 1)
        {
            // A webhook's path is its credential: mask it also where it shows up without the host.
            context.Secrets.Masker.Add(uri.PathAndQuery);
        }

        var key = $"{context.RunId}/{context.StepPath}";
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(JsonConvert.SerializeObject(new { text = context.Input.Text }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", key);
        var where = $"POST to the webhook in secret '{context.Input.WebhookSecret}' ({Authority(url)})";
        var status = await NotifyHttpCalls.SendAsync(http.Client, request, where, context, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"notify.slack: posted to {Authority(url)} ({status})");
        return new SlackOutputs { Status = status, IdempotencyKey = key };
    }

    // The webhook's path is the secret part; host and port say where without giving it away.
    private static string Authority(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : "an invalid URL";
}
