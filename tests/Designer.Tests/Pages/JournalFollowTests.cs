using System.Text;
using Gantry.Designer.Tests.Fixtures;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gantry.Designer.Tests.Pages;

/// <summary>
/// The run page's journal keeps its end in view while the page around it changes, and stops following
/// only when the reader scrolls up. Both cases replay, in the browser, what a run's last frames do.
/// </summary>
[Collection(DesignerCollection.Name)]
public sealed class JournalFollowTests(DesignerFixture designer)
{
    // One frame of the page: scroll events, then layout and resize observers, run before the next one.
    private const string Frames = "const frame = () => new Promise(r => requestAnimationFrame(() => r()));";

    // The end is in view when less than 24 px of the list are below it (the page's own rule).
    private const string Distance = "j.scrollHeight - j.scrollTop - j.clientHeight";

    [Fact]
    public async Task Journal_FollowedToItsEnd_StaysThereWhenAPanelAboveGrowsBeforeTheScrollEvent()
    {
        await using var session = await OpenFinishedRunAsync("journal-follow");
        var journal = await session.Page.GetByRole(AriaRole.Region, new() { Name = "Journal" }).ElementHandleAsync();

        // Outside a frame (as a server-sent event's render is), a follow scrolls the journal down, and its scroll
        // event waits for the next frame; before that frame a panel above grows and the journal shrinks by 150 px.
        // The frame dispatches the scroll event first, which finds the end 150 px away though nobody scrolled,
        // and only then tells the resize.
        var left = await journal.EvaluateAsync<double>($$"""
            async j => {
              {{Frames}}
              j.scrollTop = j.scrollHeight - j.clientHeight - 10;
              await frame(); await frame();
              await new Promise(r => setTimeout(r, 0));
              j.scrollTop = j.scrollHeight;
              const panel = document.createElement('div');
              panel.style.height = '150px';
              panel.style.flex = 'none';
              j.parentElement.insertBefore(panel, j);
              await frame(); await frame(); await frame();
              return {{Distance}};
            }
            """);

        Assert.True(left < 24, $"the journal's end is {left} px below its visible part after the panel above it grew");
    }

    [Fact]
    public async Task Journal_ScrolledUpByTheReader_StaysWhereTheReaderIsWhenThePageChanges()
    {
        await using var session = await OpenFinishedRunAsync("journal-read");
        var journal = await session.Page.GetByRole(AriaRole.Region, new() { Name = "Journal" }).ElementHandleAsync();

        var scrollTops = await journal.EvaluateAsync<double[]>($$"""
            async j => {
              {{Frames}}
              j.scrollTop = j.scrollHeight - j.clientHeight - 200;
              await frame(); await frame();
              const before = j.scrollTop;
              const panel = document.createElement('div');
              panel.style.height = '150px';
              panel.style.flex = 'none';
              j.parentElement.insertBefore(panel, j);
              await frame(); await frame(); await frame();
              return [before, j.scrollTop];
            }
            """);

        Assert.Equal(scrollTops[0], scrollTops[1]);
    }

    /// <summary>A finished run whose journal is longer than its panel, opened with the journal followed to its end.</summary>
    private async Task<BrowserSession> OpenFinishedRunAsync(string id)
    {
        var steps = new StringBuilder();
        for (var i = 1; i <= 40; i++)
        {
            steps.Append($"  - id: step{i}\n    uses: log\n    with: {{ message: \"entry {i}\" }}\n");
        }

        await Definitions.SaveAsync(designer.Server, id, $"id: {id}\nsteps:\n{steps}", "a long journal");
        using (var admin = designer.Server.Client(TokenRole.Admin))
        {
            using var published = await admin.PostAsync($"/api/definitions/{id}/versions/1/publish", null);
            Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync());
        }

        var runId = await designer.Server.StartRunAsync(id, new { });
        Assert.Equal(RunStatus.Succeeded, (await designer.Server.WaitForStatusAsync(runId, RunStatus.Succeeded, RunStatus.Failed)).Status);
        var session = await designer.OpenAsync(TokenRole.Viewer, $"/runs/{runId}");
        var journal = session.Page.GetByRole(AriaRole.Region, new() { Name = "Journal" });
        await Expect(journal.Locator("li").Last).ToContainTextAsync("run succeeded");
        await session.Page.WaitForFunctionAsync(
            $"j => j.scrollHeight > j.clientHeight + 300 && {Distance} < 24",
            await journal.ElementHandleAsync());
        return session;
    }
}
