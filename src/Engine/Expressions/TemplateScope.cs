using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace Gantry.Engine.Expressions;

/// <summary>
/// The only names a template can see: <c>inputs</c>, <c>steps</c>, <c>env</c>, <c>run</c>,
/// <c>host</c>, <c>secrets</c> and loop variables. Values are plain data copied into Scriban
/// objects, so no .NET object (and none of its members) is ever reachable from a template.
/// </summary>
public sealed class TemplateScope
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public TemplateScope(ISecretResolver? secrets = null) => Secrets = secrets;

    public ISecretResolver? Secrets { get; }

    public IReadOnlyDictionary<string, object?> Variables => _variables;

    public TemplateScope Set(string name, object? value)
    {
        _variables[name] = value;
        return this;
    }

    /// <summary>A copy with one more variable (loop item, host), leaving this scope untouched.</summary>
    public TemplateScope With(string name, object? value)
    {
        var copy = new TemplateScope(Secrets);
        foreach (var (key, existing) in _variables)
        {
            copy._variables[key] = existing;
        }

        return copy.Set(name, value);
    }

    internal ScriptObject ToScriptObject()
    {
        var globals = new ScriptObject();
        foreach (var (name, value) in _variables)
        {
            globals[name] = ScriptValues.ToScript(value);
        }

        globals["secrets"] = new SecretsObject(Secrets);
        return globals;
    }

    /// <summary>Resolves <c>secrets.name</c> only when a template reads it, and registers the value for masking.</summary>
    private sealed class SecretsObject(ISecretResolver? resolver) : ScriptObject
    {
        public override bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
        {
            if (resolver is null)
            {
                throw new Scriban.Syntax.ScriptRuntimeException(span, $"secret '{member}' is not available here");
            }

            value = resolver.Resolve(member);
            return true;
        }

        public override bool Contains(string member) => resolver?.Names.Contains(member) ?? false;
    }
}

/// <summary>Where secret values come from; resolving one registers it with the run's masker.</summary>
public interface ISecretResolver
{
    IReadOnlyCollection<string> Names { get; }

    string Resolve(string name);
}
