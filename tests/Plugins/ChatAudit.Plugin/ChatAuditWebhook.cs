namespace ChatAudit.Plugin;

/// <summary>The chat webhook the plugin posts to; its URL carries the token, as Slack's and Teams' incoming webhooks do.</summary>
internal static class ChatAuditWebhook
{
    /// <summary>The environment variable holding the webhook token (the workflow's environment declares it as a secret too).</summary>
    public const string TokenVariable = "CHAT_AUDIT_TOKEN";

    public static string Token => Environment.GetEnvironmentVariable(TokenVariable) ?? "";

    public static string Url => $"https://hooks.chat.example/services/{Token}";

    /// <summary>What a post to a chat service that is down ends with: the URL in the message, the token again in the inner error.</summary>
    public static InvalidOperationException Refused(string what) =>
        new($"chat audit: posting {what} to {Url} failed", new HttpRequestException($"503 Service Unavailable for token {Token}"));
}
