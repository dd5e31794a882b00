namespace Gantry.Testing.Fleet;

/// <summary>One request of a load: what a user would call a failure, or null.</summary>
internal static class LoadRequest
{
    /// <summary>A client whose every request opens its own connection, with the loads' 5 s timeout.</summary>
    public static HttpClient NewClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false }, disposeHandler: true)
        {
            Timeout = TimeSpan.FromSeconds(5),
        };

    /// <summary>GETs <paramref name="url"/> on a new connection (<c>Connection: close</c>) and reads the whole answer; returns null
    /// for 2xx, else the status or the connection error (refused, reset, timed out).</summary>
    public static async Task<string?> SendAsync(HttpClient client, Uri url)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(request, CancellationToken.None);
            return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return ex.Message;
        }
    }
}
