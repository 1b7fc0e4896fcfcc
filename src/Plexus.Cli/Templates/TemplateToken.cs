namespace Plexus.Cli.Templates;

internal enum TokenKind
{
    Text,
    LeftDelim,
    RightDelim,
    Field,
    Dot,
    Variable,
    String,
    Number,
    Bool,
    Nil,
    Identifier,
    Pipe,
    LeftParen,
    RightParen,
    Comma,
    Declare,
    Assign,
    Eof,
}

/// <summary>
/// One lexical item. <see cref="Names"/> is the field chain of a Field or Variable (".A.B" is one token with
/// names A, B); <see cref="SpaceBefore"/> tells "(x).A" (a chain) from "(x) .A" (two arguments).
/// </summary>
internal sealed record TemplateToken(TokenKind Kind, int Pos, string Text, bool SpaceBefore = false)
{
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>The decoded value of a String, Number or Bool token.</summary>
    public object? Value { get; init; }
}
