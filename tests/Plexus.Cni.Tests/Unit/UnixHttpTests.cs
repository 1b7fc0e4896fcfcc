using System.Text;

namespace Plexus.Cni.Tests.Unit;

/// <summary>The plugin's own HTTP reading: the answers plexusd (Kestrel) gives, sized or chunked, and broken ones refused.</summary>
public sealed class UnixHttpTests
{
    private static UnixHttp.Answer Parse(string text) => UnixHttp.Parse(Encoding.ASCII.GetBytes(text));

    [Fact]
    public void Sized_and_chunked_answers_give_the_status_and_the_whole_body()
    {
        var sized = Parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\n{\"a\"}");
        Assert.Equal((200, "{\"a\"}"), (sized.Status, Encoding.ASCII.GetString(sized.Body)));
        var chunked = Parse("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"co\r\n8\r\nde\": 7 }\r\n0\r\n\r\n");
        Assert.Equal((400, "{\"code\": 7 }"), (chunked.Status, Encoding.ASCII.GetString(chunked.Body)));
        Assert.False(chunked.IsSuccess);
        Assert.True(Parse("HTTP/1.1 204 No Content\r\n\r\n").IsSuccess);
    }

    [Theory]
    [InlineData("", "without answering")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 9", "inside its headers")]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n", "not HTTP")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}", "inside its body")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n{}", "inside a chunk")]
    public void A_broken_answer_is_an_IO_error_naming_what_is_wrong(string text, string message)
    {
        var error = Assert.Throws<IOException>(() => Parse(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
