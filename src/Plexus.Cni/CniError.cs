namespace Plexus.Cni;

/// <summary>
/// A failure as the CNI spec reports it (SPEC.md, "Error"): a code, a message that names the object at fault,
/// and optional details. The plugin prints it as the error object on stdout and exits non-zero.
/// </summary>
internal sealed class CniError : Exception
{
    public const int IncompatibleVersion = 1;
    public const int UnsupportedField = 2;
    public const int UnknownContainer = 3;
    public const int InvalidEnvironment = 4;
    public const int IOFailure = 5;
    public const int DecodeFailed = 6;
    public const int InvalidConfig = 7;
    public const int TryAgain = 11;
    public const int NotAvailable = 50;
    public const int NotAvailableForDelete = 51;

    /// <summary>Plugin-specific (100 and up): plexusd failed, or CHECK found the attachment not as recorded.</summary>
    public const int Failed = 100;

    public CniError(int code, string message, string? details = null) : base(message)
    {
        Code = code;
        Details = details;
    }

    public CniError()
    {
    }

    public CniError(string message) : base(message)
    {
    }

    public CniError(string message, Exception inner) : base(message, inner)
    {
    }

    public int Code { get; } = Failed;

    public string? Details { get; }
}
