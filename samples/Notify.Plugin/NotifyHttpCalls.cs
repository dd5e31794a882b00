using Gantry.Engine.Activities;

namespace Notify.Plugin;

/// <summary>Sends a request and turns failures into errors that say where, with secrets masked.</summary>
internal static class NotifyHttpCalls
{
    public static async Task<int> SendAsync(HttpClient client, HttpRequestMessage request, string where, ActivityContext context, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException(context.Secrets.Masker.Apply($"{context.ActivityName}: {where} failed: {ex.Message}"), ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var tail = body.Length > 200 ? body[..200] + "..." : body;
                throw new InvalidOperationException(context.Secrets.Masker.Apply($"{context.ActivityName}: {where} answered {status} {response.ReasonPhrase}: {tail}"));
            }

            return status;
        }
    }
}
