using Gantry.Engine.Model;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Expressions;

/// <summary>
/// The environment document as templates read it (<c>env</c>): everything but its secrets, whose
/// references (and literal values) are not data a template may print; <c>env.secrets</c> lists their names.
/// </summary>
internal static class EnvironmentVariable
{
    public static object? Of(EnvironmentDefinition? environment)
    {
        if (environment is null)
        {
            return new Dictionary<string, object?>();
        }

        var plain = PlainValue.FromTyped(environment);
        if (plain is IDictionary<string, object?> document)
        {
            var copy = new Dictionary<string, object?>(document, StringComparer.Ordinal)
            {
                ["secrets"] = environment.Secrets.Keys.Order(StringComparer.Ordinal).Cast<object?>().ToList(),
            };
            return copy;
        }

        return plain;
    }
}
