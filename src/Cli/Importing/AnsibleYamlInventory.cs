using Gantry.Engine.Documents;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gantry.Cli.Importing;

/// <summary>
/// Reads Ansible's YAML inventory: groups (usually under <c>all:</c>) with <c>hosts:</c>,
/// <c>vars:</c> and <c>children:</c>; host names may be ranges; empty values are allowed.
/// </summary>
internal static class AnsibleYamlInventory
{
    public static AnsibleInventory Read(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            // The same walk as workflow documents: alias bombs, nesting, and the unresolved alias keys
            // on which YamlDotNet recurses until the process dies are refused before anything is built.
            YamlBudget.Check(text, file);
            stream.Load(new StringReader(text));
        }
        catch (DocumentSyntaxException ex)
        {
            throw new ImportException(ex.Message);
        }
        catch (YamlException ex)
        {
            throw new ImportException($"{file}:{ex.Start.Line}:{ex.Start.Column}: not valid YAML: {ex.InnerException?.Message ?? ex.Message}");
        }

        var inventory = new AnsibleInventory();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return inventory;
        }

        foreach (var (name, body) in Mapping(stream.Documents[0].RootNode, file, "the inventory"))
        {
            ReadGroup(inventory, name, body, file);
        }

        return inventory;
    }

    private static void ReadGroup(AnsibleInventory inventory, string name, YamlNode? body, string file)
    {
        var group = inventory.GetGroup(name);
        foreach (var (key, value) in Mapping(body, file, $"group {name}"))
        {
            switch (key)
            {
                case "hosts":
                    foreach (var (pattern, hostBody) in Mapping(value, file, $"{name}.hosts"))
                    {
                        var vars = Scalars(hostBody, file, $"{name}.hosts.{pattern}");
                        foreach (var host in HostRange.Expand(pattern, Where(file, value)))
                        {
                            var hostVars = inventory.AddHost(name, host);
                            foreach (var (k, v) in vars)
                            {
                                hostVars[k] = v;
                            }
                        }
                    }

                    break;
                case "vars":
                    foreach (var (k, v) in Scalars(value, file, $"{name}.vars"))
                    {
                        group.Vars[k] = v;
                    }

                    break;
                case "children":
                    foreach (var (child, childBody) in Mapping(value, file, $"{name}.children"))
                    {
                        group.Children.Add(child);
                        ReadGroup(inventory, child, childBody, file);
                    }

                    break;
                default:
                    throw new ImportException($"{Where(file, body)}: group {name} has '{key}'; expected hosts, vars or children");
            }
        }
    }

    /// <summary>A mapping's entries; an empty value (<c>web1:</c>) is an empty mapping.</summary>
    private static IEnumerable<(string Key, YamlNode? Value)> Mapping(YamlNode? node, string file, string what) => node switch
    {
        null or YamlScalarNode { Value: null or "" or "~" or "null" } => [],
        YamlMappingNode map => map.Children.Select(e => (Key(e.Key, file), (YamlNode?)e.Value)),
        _ => throw new ImportException($"{Where(file, node)}: {what} should be a mapping (name: ...), found {Describe(node)}"),
    };

    /// <summary>Vars as text; a list or mapping is refused with its position rather than flattened silently.</summary>
    private static IEnumerable<(string Key, string Value)> Scalars(YamlNode? node, string file, string what) =>
        Mapping(node, file, what)
            .Select(e =>
                (
                    e.Key,
                    e.Value switch
                    {
                        YamlScalarNode scalar => scalar.Value ?? "",
                        null => "",
                        var other => throw new ImportException(
                            $"{Where(file, other)}: {what}.{e.Key} is {Describe(other)}; Gantry host vars here are text, write it as a string"),
                    }));

    private static string Key(YamlNode node, string file) =>
        node is YamlScalarNode { Value: { Length: > 0 } key }
            ? key
            : throw new ImportException($"{Where(file, node)}: expected a name, found {Describe(node)}");

    private static string Where(string file, YamlNode? node) => node is null ? file : $"{file}:{node.Start.Line}:{node.Start.Column}";

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => node.NodeType.ToString(),
    };
}
