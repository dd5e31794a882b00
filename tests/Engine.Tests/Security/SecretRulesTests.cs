using Gantry.Engine.Tests.Validation;

namespace Gantry.Engine.Tests.Security;

/// <summary>
/// The secrets rule: <c>{{ secrets.NAME }}</c> only as the whole expression, only in inputs declared
/// sensitive. Everything else that reads <c>secrets</c> is a located validation error.
/// </summary>
public sealed class SecretRulesTests
{
    private static IReadOnlyList<string> Check(string step) =>
        ValidationFixtures.Check($"""
            id: leaks
            steps:
              {step}
            """, "leaks.yaml").Select(d => d.ToString()).ToList();

    [Fact]
    public void Validate_SecretAsWholeExpressionInSensitiveInput_IsValid() =>
        Assert.Empty(Check("- uses: shell.run\n    with: { host: web1, command: \"restart --password {{ secrets.db_password }}\" }"));

    [Theory]
    [InlineData("string.upcase")]
    [InlineData("string.reverse")]
    [InlineData("string.base64_encode")]
    public void Validate_FunctionOverASecret_IsALocatedError(string function)
    {
        var errors = Check($"- uses: shell.run\n    with: {{ command: \"echo {{{{ secrets.db_password | {function} }}}}\" }}");

        Assert.Equal(
            ["leaks.yaml:4:28 steps[0].with.command: secrets can only be read as the whole expression {{ secrets.NAME }} in an input declared sensitive; a function or filter over a secret would print it past the masker; shell.run's sensitive inputs: command"],
            errors);
    }

    [Fact]
    public void Validate_SecretInAnInputNotDeclaredSensitive_IsALocatedError()
    {
        var errors = Check("- uses: shell.run\n    with: { host: \"{{ secrets.db_password }}\", command: ls }");

        Assert.Equal(
            ["leaks.yaml:4:20 steps[0].with.host: secrets.db_password can only be used in an input declared sensitive (a password, token, key or a process's env), where it is passed on unchanged and masked; shell.run's sensitive inputs: command"],
            errors);
    }

    [Fact]
    public void Validate_SecretInACondition_IsALocatedError()
    {
        var errors = Check("- uses: shell.run\n    if: \"{{ secrets.db_password == 'x' }}\"\n    with: { command: ls }");

        Assert.Equal(
            ["leaks.yaml:4:10 steps[0].if: secrets can only be read as the whole expression {{ secrets.NAME }} in an input declared sensitive; a function or filter over a secret would print it past the masker; shell.run's sensitive inputs: command"],
            errors);
    }

    [Fact]
    public void Validate_UnclosedExpression_IsALocatedError()
    {
        var errors = ValidationFixtures.Check("""
            id: unclosed
            steps:
              - id: tag
                uses: git.latest-tag
              - uses: shell.run
                with: { command: "deploy {{ steps.tag.outputs.tag " }
            """, "unclosed.yaml").Select(d => d.ToString()).ToList();

        Assert.Equal(["unclosed.yaml:6:30 steps[1].with.command: template syntax error: '{{' is never closed; expected '}}' to end the expression"], errors);
    }
}
