using Gantry.Server.Definitions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary>The API's problem+json answers.</summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: title);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static ProblemHttpResult Status(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);

    /// <summary>At most this many errors are listed; a text with thousands of unknown keys gets a short answer, with the total.</summary>
    public const int MaxListedErrors = 100;

    /// <summary>400 with every located error (the first <see cref="MaxListedErrors"/>): <c>errors: [{file, line, column, path, message}]</c>,
    /// <c>errorCount</c>.</summary>
    public static ProblemHttpResult Invalid(IReadOnlyList<ValidationError> errors) => TypedResults.Problem(
        errors.Count == 1 ? errors[0].Message
            : errors.Count > MaxListedErrors ? $"{errors.Count} problems were found; errors lists the first {MaxListedErrors}."
            : $"{errors.Count} problems were found; see errors.",
        statusCode: StatusCodes.Status400BadRequest,
        title: "The definition is invalid",
        extensions: new Dictionary<string, object?> { ["errors"] = errors.Take(MaxListedErrors).ToList(), ["errorCount"] = errors.Count });
}
