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

    internal ScriptObject ToScriptObject() => new LazyGlobals(_variables, new SecretsObject(Secrets));

    /// <summary>
    /// The template's global names, each converted to Scriban objects only when the template first
    /// reads it: most templates read one name (<c>steps</c> or <c>inputs</c>), and converting
    /// <c>env</c> with all its hosts, or every earlier step's outputs, for each render was most
    /// of a render's cost. Scriban never enumerates the globals, so only lookups need overriding.
    /// </summary>
    private sealed class LazyGlobals(Dictionary<string, object?> variables, SecretsObject secrets) : ScriptObject
    {
        public override bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
        {
            if (base.TryGetValue(context, span, member, out value))
            {
                return true;
            }

            if (member == "secrets")
            {
                value = secrets;
            }
            else if (variables.TryGetValue(member, out var plain))
            {
                value = ScriptValues.ToScript(plain);
            }
            else
            {
                return false;
            }

            SetValue(member, value, readOnly: false);
            return true;
        }

        public override bool Contains(string member) => base.Contains(member) || member == "secrets" || variables.ContainsKey(member);
    }

    /// <summary>
    /// <c>secrets</c> as templates see it: nothing. A secret reaches an activity only through an input
    /// declared sensitive, replaced outside the template engine (<see cref="TemplateRenderer.RenderSensitive"/>),
    /// so no template function can transform it past the masker.
    /// </summary>
    private sealed class SecretsObject(ISecretResolver? resolver) : ScriptObject
    {
        public override bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value) =>
            throw new Scriban.Syntax.ScriptRuntimeException(span, resolver is null
                ? $"secret '{member}' is not available here"
                : $"secrets.{member} can only be read by an input declared sensitive, as the whole expression {{{{ secrets.{member} }}}}");

        public override bool Contains(string member) => false;
    }
}

/// <summary>Where secret values come from; resolving one registers it with the run's masker.</summary>
public interface ISecretResolver
{
    IReadOnlyCollection<string> Names { get; }

    string Resolve(string name);
}
