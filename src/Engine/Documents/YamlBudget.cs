using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gantry.Engine.Documents;

/// <summary>
/// Walks a YAML text's parser events once, before anything is built, and refuses it at the event
/// that breaks a limit: more than <see cref="DocumentLimits.MaxNodes"/> values with every alias
/// expanded, nesting deeper than <see cref="DocumentLimits.MaxDepth"/> (an alias adds its anchor's
/// depth), an alias inside the node its anchor names (an endless tree), or an alias to an anchor not
/// defined before it. Each anchor's expanded
/// size is remembered when its node ends, so the walk is linear in the text: a 500-byte alias bomb
/// that would expand to 10⁹ nodes is refused after a few hundred events.
/// </summary>
internal static class YamlBudget
{
    private sealed class Open(string? anchor, int depth)
    {
        public string? Anchor { get; } = anchor;

        public int Depth { get; } = depth;

        public long Size { get; set; } = 1;

        public int Height { get; set; }
    }

    public static void Check(string text, string file)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, (long Size, int Height)>(StringComparer.Ordinal);
        var open = new Stack<Open>();
        long total = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case NodeEvent start and (MappingStart or SequenceStart):
                    var node = new Open(start.Anchor.IsEmpty ? null : start.Anchor.Value, open.Count + 1);
                    if (node.Depth > DocumentLimits.MaxDepth)
                    {
                        throw Refuse(file, start, DocumentLimits.TooDeep("YAML"));
                    }

                    open.Push(node);
                    Count(ref total, 1, file, start);
                    break;
                case MappingEnd or SequenceEnd when open.TryPop(out var closed):
                    if (closed.Anchor is { } name)
                    {
                        anchors[name] = (closed.Size, closed.Height + 1);
                    }

                    if (open.TryPeek(out var parent))
                    {
                        parent.Size += closed.Size;
                        parent.Height = Math.Max(parent.Height, closed.Height + 1);
                    }

                    break;
                case Scalar scalar:
                    if (!scalar.Anchor.IsEmpty)
                    {
                        anchors[scalar.Anchor.Value] = (1, 0);
                    }

                    Add(open, 1, 0);
                    Count(ref total, 1, file, scalar);
                    break;
                case AnchorAlias alias:
                    if (open.Any(o => o.Anchor == alias.Value.Value))
                    {
                        throw Refuse(
                            file,
                            alias,
                            $"invalid YAML: alias *{alias.Value.Value} is inside the node its anchor names; recursive anchors are not supported");
                    }

                    if (!anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        // YAML allows no forward or unknown alias, and YamlDotNet recurses without end
                        // (a stack overflow, which ends the process) on unresolved aliases used as keys.
                        throw Refuse(file, alias, $"invalid YAML: alias *{alias.Value.Value} refers to no anchor defined before it");
                    }

                    {
                        if (open.Count + target.Height > DocumentLimits.MaxDepth)
                        {
                            throw Refuse(file, alias, DocumentLimits.TooDeep("YAML") + $" (alias *{alias.Value.Value} adds {target.Height})");
                        }

                        Add(open, target.Size, target.Height);
                        Count(ref total, target.Size, file, alias);
                    }

                    break;
            }
        }
    }

    private static void Add(Stack<Open> open, long size, int height)
    {
        if (open.TryPeek(out var parent))
        {
            parent.Size += size;
            parent.Height = Math.Max(parent.Height, height);
        }
    }

    private static void Count(ref long total, long size, string file, ParsingEvent at)
    {
        total += size;
        if (total > DocumentLimits.MaxNodes)
        {
            throw Refuse(file, at, DocumentLimits.TooManyNodes("YAML"));
        }
    }

    private static DocumentSyntaxException Refuse(string file, ParsingEvent at, string reason) =>
        new(new SourceLocation(file, (int)at.Start.Line, (int)at.Start.Column), reason);
}
