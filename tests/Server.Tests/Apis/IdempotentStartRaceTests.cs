using System.Net;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;

namespace Gantry.Server.Tests.Apis;

/// <summary>
/// Two servers on one SQLite store take starts with the same Idempotency-Key. The second server's insert is held (by
/// <see cref="HeldInsertStore"/>) until the first server created the run: its inserts then collide, which is the race
/// two servers behind one load balancer run into (a start inserts first and looks only when the key is taken).
/// </summary>
public sealed class IdempotentStartRaceTests
{
    private const int StartsPerServer = 8;
    private const string Key = "release-2026-12-07";

    [Fact]
    public async Task Start_SameKeyOnTwoServersOfOneStoreRacing_OneRunAndEveryAnswerNamesIt()
    {
        var workspace = ServerFixture.CreateWorkspace();
        await using var first = await ServerFixture.StartAsync(workspace: workspace);
        Func<HeldInsertStore>? installed = null;
        var second = await ServerFixture.StartAsync(workspace: workspace, configureServices: services => installed = HeldInsertStore.Install(services));
        try
        {
            var stale = installed!();
            var late = Enumerable.Range(0, StartsPerServer).Select(_ => StartAsync(second)).ToList();
            await stale.Waiting.WaitAsync(TimeSpan.FromMinutes(2));
            var early = await Task.WhenAll(Enumerable.Range(0, StartsPerServer).Select(_ => StartAsync(first)));
            stale.Open();
            var answers = early.Concat(await Task.WhenAll(late)).ToList();

            Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.Accepted, $"{(int)a.Status}: {a.Body}"));
            var runId = Assert.Single(answers.Select(a => a.RunId).Distinct());
            Assert.Single(answers, a => !a.Replayed);
            // Each of the second server's starts inserted after the first server had created the run, collided, and answered with that run.
            Assert.Equal(StartsPerServer, stale.Duplicates);
            var runs = await first.Runs.ListRunsAsync(new RunQuery { WorkflowId = "trivial" }, CancellationToken.None);
            Assert.Equal([runId!], runs.Select(r => r.Id));
            Assert.Equal(RunStatus.Succeeded, (await first.WaitForStatusAsync(runId!, RunStatus.Succeeded, RunStatus.Failed)).Status);
            // Created leased to the server that won, it was executed there only: the other server's takeover poll never took it.
            var journal = await first.Runs.ReadJournalAsync(runId!, 0, CancellationToken.None);
            Assert.Single(journal, e => e.Type == JournalEventTypes.RunStarted);
            Assert.DoesNotContain(journal, e => e.Type == JournalEventTypes.RunResumed);
        }
        finally
        {
            await second.StopKeepingWorkspaceAsync();
        }
    }

    private static async Task<(HttpStatusCode Status, string? RunId, bool Replayed, string Body)> StartAsync(ServerFixture server)
    {
        using var client = server.Client(TokenRole.Operator);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/workflows/trivial/runs") { Content = ServerFixture.Json("""{"inputs":{"note":"race"}}""") };
        request.Headers.Add("Idempotency-Key", Key);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var runId = response.StatusCode == HttpStatusCode.Accepted ? JsonDocument.Parse(body).RootElement.GetProperty("id").GetString() : null;
        return (response.StatusCode, runId, response.Headers.TryGetValues("Idempotent-Replayed", out var replayed) && replayed.Contains("true"), body);
    }
}
