using System.Text.Json;
using Microsoft.Playwright;

namespace Gantry.Designer.Tests.Fixtures;

/// <summary>What the graph looked like each time the page changed: how many nodes, how many of them hidden.</summary>
public sealed record GraphSamples(int Samples, int SseEvents, int BlankSamples, string? FirstBlank, string? FirstHostContradiction);

/// <summary>
/// Watches the run graph while a run goes on. An init script counts the server-sent events the page
/// reads and, after each one (and after every other change of the page, through a
/// MutationObserver that runs right after React commits), records whether any graph node is hidden
/// or the canvas has no node at all. Hidden nodes are what React Flow shows while it has lost a
/// node's measured size: the blank flashes and the empty canvas of issue 21.
/// </summary>
public static class GraphWatch
{
    private const string Script = """
        (() => {
          const w = window.__graphWatch = { samples: 0, sse: 0, blank: 0, first: null, armed: false, hosts: null };
          // The host panel must agree with itself: a row's "n/m ... done" counts its done chips, and no "m/m done" while a chip runs.
          const checkHosts = () => {
            for (const row of document.querySelectorAll('.host-row')) {
              const said = /(\d+)\/(\d+)[^,]* done/.exec(row.querySelector('.muted')?.textContent ?? '');
              const chips = [...row.querySelectorAll('li.host')];
              if (!said || !chips.length) continue;
              const done = chips.filter(c => /run-(succeeded|skipped)/.test(c.className)).length;
              if (Number(said[1]) !== done || Number(said[2]) !== chips.length) w.hosts ??= `"${row.textContent}" after ${w.sse} events`;
            }
          };
          const sample = why => {
            checkHosts();
            const body = document.querySelector('.run-body .graph');
            if (!body) return;
            const nodes = [...body.querySelectorAll('.react-flow__node')];
            const hidden = nodes.filter(n => getComputedStyle(n).visibility === 'hidden').length;
            const blank = nodes.length === 0 || hidden > 0;
            // Counting starts once the graph has been drawn whole: the first frame before React Flow knows the sizes is not a flash.
            if (!w.armed) { w.armed = !blank; return; }
            w.samples++;
            if (blank) { w.blank++; w.first ??= `${why}: ${hidden} of ${nodes.length} nodes hidden after ${w.sse} events`; }
          };
          new MutationObserver(() => sample('page change')).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['style', 'class'] });
          const fetch0 = window.fetch;
          window.fetch = async (...args) => {
            const response = await fetch0(...args);
            const url = String(args[0] instanceof Request ? args[0].url : args[0]);
            if (!url.includes('/events') || !response.body) return response;
            const decoder = new TextDecoder();
            const counted = response.body.pipeThrough(new TransformStream({
              transform(chunk, controller) {
                controller.enqueue(chunk);
                const events = (decoder.decode(chunk, { stream: true }).match(/\n\n/g) ?? []).length;
                w.sse += events;
                // Sample again once the page has handled the event: after React's commit and the next frame.
                if (events) setTimeout(() => requestAnimationFrame(() => sample('sse event')), 0);
              },
            }));
            return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
          };
        })();
        """;

    /// <summary>Installs the watch in every page of the context opened after this call.</summary>
    public static Task InstallAsync(IBrowserContext context) => context.AddInitScriptAsync(Script);

    public static async Task<GraphSamples> ReadAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string>("() => { const w = window.__graphWatch; return JSON.stringify([w.samples, w.sse, w.blank, w.first, w.hosts]); }");
        var values = JsonDocument.Parse(json).RootElement;
        return new GraphSamples(values[0].GetInt32(), values[1].GetInt32(), values[2].GetInt32(), Text(values[3]), Text(values[4]));
        static string? Text(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetString();
    }
}
