namespace Plexus.Cli.Templates;

/// <summary>A --format template that does not parse, or fails while it runs; the message reads like Go's.</summary>
internal sealed class TemplateException : Exception
{
    public TemplateException(string message, bool isParseError)
        : base(message) => IsParseError = isParseError;

    public TemplateException()
    {
    }

    public TemplateException(string message)
        : base(message)
    {
    }

    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the template text itself is wrong (docker's "template parsing error"), false when it failed on the data.</summary>
    public bool IsParseError { get; }
}
