using System.Text;
using System.Text.Json.Serialization.Metadata;

namespace Plexus.Daemon.Http;

/// <summary>
/// What a synchronous endpoint answers: a status, and a JSON or text body or none. The endpoint returns it and
/// the router writes it, so an endpoint that throws before answering leaves the response untouched for the
/// error answer (<see cref="Api.ErrorHandling"/>).
/// </summary>
internal abstract class Answer
{
    private static readonly Answer NoContentAnswer = new Empty(StatusCodes.Status204NoContent);
    private static readonly Answer OkAnswer = new Empty(StatusCodes.Status200OK);

    public abstract Task WriteAsync(HttpContext http);

    /// <summary>JSON in the type's source-generated shape; "application/json; charset=utf-8" unless told otherwise.</summary>
    public static Answer Json<T>(T value, JsonTypeInfo<T> type, string? contentType = null, int? statusCode = null) =>
        new JsonBody<T>(value, type, contentType, statusCode ?? StatusCodes.Status200OK);

    public static Answer Text(string text, string contentType) => new TextBody(text, contentType);

    public static Answer NoContent() => NoContentAnswer;

    public static Answer Ok() => OkAnswer;

    private sealed class Empty(int status) : Answer
    {
        public override Task WriteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            return Task.CompletedTask;
        }
    }

    private sealed class JsonBody<T>(T value, JsonTypeInfo<T> type, string? contentType, int status) : Answer
    {
        public override Task WriteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            return http.Response.WriteAsJsonAsync(value, type, contentType, http.RequestAborted);
        }
    }

    private sealed class TextBody(string text, string contentType) : Answer
    {
        public override Task WriteAsync(HttpContext http)
        {
            var body = Encoding.UTF8.GetBytes(text);
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = contentType;
            http.Response.ContentLength = body.Length;
            return http.Response.Body.WriteAsync(body, http.RequestAborted).AsTask();
        }
    }
}
