namespace Gantry.Providers.Tests.Scenario;

/// <summary>The client load of the real load-balancer scenarios: what a rollout must not disturb.</summary>
internal static class RequestLoop
{
    /// <summary>New-connection requests one after another until cancelled (or 20,000 sent); returns how many were sent and failed.</summary>
    public static async Task<(int Sent, int Failed)> RunAsync(Uri url, CancellationToken stop)
    {
        await Task.Yield();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var (sent, failed) = (0, 0);
        while (!stop.IsCancellationRequested && sent < 20_000)
        {
            sent++;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.ConnectionClose = true;
                using var response = await client.SendAsync(request, CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                {
                    failed++;
                }
            }
            catch (HttpRequestException)
            {
                failed++;
            }

            await Task.Delay(5, CancellationToken.None);
        }

        return (sent, failed);
    }
}
