using System.ComponentModel;
using Gantry.Engine.Activities;
using Gantry.Engine.Schema;

namespace Gantry.Providers.Http;

[Activity("http.check", Description = "Requests a URL until it answers with the expected status (and body text), waiting between attempts.",
    Example = "uses: http.check\nwith: { url: \"http://{{ host.address }}:8080/health\", expect_body: ok, retries: 30, interval: 2s }")]
internal sealed class HttpCheckActivity : Activity<HttpCheckActivity.Inputs, HttpCheckActivity.Outputs>
{
    private const int BodyOutputChars = 4096;
    private const int BodyMessageChars = 200;

    // One client for every check: pooled connections are reused, and recycled so DNS changes are seen.
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = Timeout.InfiniteTimeSpan,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    protected override async Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var input = context.Input;
        var masker = context.Secrets.Masker;
        var method = input.Method.Trim().ToUpperInvariant();
        var target = $"{method} {masker.Apply(input.Url)}";
        Validate(input, target);

        var expected = $"expected status {input.ExpectStatus}" + (input.ExpectBody is { } text ? $" and body containing '{text}'" : "");
        var started = context.Time.GetTimestamp();
        var got = "";
        for (var attempt = 1; ; attempt++)
        {
            var result = await AttemptAsync(context, method, input, cancellationToken).ConfigureAwait(false);
            if (result.Status == input.ExpectStatus
                && result.Error is null
                && (input.ExpectBody is null || result.Body.Contains(input.ExpectBody, StringComparison.Ordinal)))
            {
                context.Log.Info($"{target}: {result.Status} after {Plural(attempt, "attempt")}");
                return new Outputs
                {
                    Status = result.Status,
                    Body = result.Body.Length > BodyOutputChars ? result.Body[..BodyOutputChars] : result.Body,
                    Attempts = attempt,
                    ElapsedMs = (long)context.Time.GetElapsedTime(started).TotalMilliseconds,
                };
            }

            got = masker.Apply(result.Error ?? $"{result.Status} '{Excerpt(result)}'");
            if (attempt >= input.Retries)
            {
                throw new HttpCheckException(
                    masker.Apply($"{target}: {expected}, got {got} after {Plural(attempt, "attempt")}"),
                    result.Status == 0 ? null : result.Status);
            }

            context.Log.Info($"{target}: attempt {attempt} of {input.Retries} got {got}; retrying in {Duration.Format(input.Interval)}");
            await Task.Delay(input.Interval, context.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Validate(Inputs input, string target)
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(input.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add("url must be an absolute http:// or https:// URL");
        }

        if (input.Retries < 1)
        {
            problems.Add($"retries is the number of attempts and must be at least 1, got {input.Retries}");
        }

        if (input.Interval < TimeSpan.Zero)
        {
            problems.Add($"interval must not be negative, got {Duration.Format(input.Interval)}");
        }

        if (input.Timeout <= TimeSpan.Zero)
        {
            problems.Add($"timeout must be positive, got {Duration.Format(input.Timeout)}");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"http.check {target}: {string.Join("; ", problems)}");
        }
    }

    private static async Task<AttemptResult> AttemptAsync(ActivityContext context, string method, Inputs input, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(input.Timeout, context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(new HttpMethod(method), input.Url);
        foreach (var (name, value) in input.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        try
        {
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            return new AttemptResult((int)response.StatusCode, response.ReasonPhrase, body, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new AttemptResult(0, null, "", $"no response within {Duration.Format(input.Timeout)}");
        }
        catch (HttpRequestException ex)
        {
            return new AttemptResult(0, null, "", $"no response ({Describe(ex)})");
        }
    }

    private static string Describe(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.ConnectionError when ex.InnerException is System.Net.Sockets.SocketException socket => socket.Message.ToLowerInvariant(),
        HttpRequestError.NameResolutionError => "host name not found",
        _ => (ex.InnerException?.Message ?? ex.Message).TrimEnd('.'),
    };

    /// <summary>What a failure message shows of a response: the start of its body on one line, or the reason phrase when the body is empty.</summary>
    private static string Excerpt(AttemptResult result)
    {
        var body = string.Join(' ', result.Body.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (body.Length == 0)
        {
            return result.Reason ?? "";
        }

        return body.Length > BodyMessageChars ? body[..BodyMessageChars] + "…" : body;
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private sealed record AttemptResult(int Status, string? Reason, string Body, string? Error);

    public sealed class Inputs
    {
        [Description("The URL to request.")]
        [Sensitive]
        public required string Url { get; set; }

        [Description("HTTP method.")]
        public string Method { get; set; } = "GET";

        [Description("The status that means healthy.")]
        public int ExpectStatus { get; set; } = 200;

        [Description("Text the body must contain (case-sensitive); unset accepts any body.")]
        public string? ExpectBody { get; set; }

        [Description("Attempts in all before the check fails.")]
        public int Retries { get; set; } = 10;

        [Description("Wait between attempts.")]
        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

        [Description("Timeout of each request.")]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

        [Description("Request headers, e.g. Host or Authorization (values may use secrets).")]
        [Sensitive]
        public Dictionary<string, string> Headers { get; set; } = [];
    }

    public sealed class Outputs
    {
        [Description("The last response's status.")]
        public int Status { get; set; }

        [Description("The last response's body; the first 4 KB when longer.")]
        public string Body { get; set; } = "";

        [Description("Requests made, 1 when the first succeeded.")]
        public int Attempts { get; set; }

        [Description("Milliseconds from the first request to success, waits included.")]
        public long ElapsedMs { get; set; }
    }
}

/// <summary>An HTTP check did not get the expected answer within its attempts; the message says what was expected and what came back.</summary>
public sealed class HttpCheckException(string message, int? lastStatus) : Exception(message)
{
    /// <summary>The last response's status, or null when no response came.</summary>
    public int? LastStatus { get; } = lastStatus;
}
