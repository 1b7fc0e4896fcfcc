using System.Globalization;
using System.Text;

namespace Plexus.Cli.Templates;

/// <summary>
/// Splits a Go text/template into text and the items of each {{action}}, with Go's trim markers
/// ("{{- " eats the whitespace before, " -}}" the whitespace after) and {{/* comments */}}.
/// </summary>
internal sealed class TemplateLexer
{
    private readonly string _src;
    private readonly List<TemplateToken> _tokens = [];
    private int _pos;

    private TemplateLexer(string src) => _src = src;

    public static List<TemplateToken> Lex(string source)
    {
        var lexer = new TemplateLexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    private TemplateException Error(int pos, string message) =>
        new($"template: :{Line(_src, pos)}: {message}", isParseError: true);

    internal static int Line(string src, int pos) => 1 + src.AsSpan(0, Math.Min(pos, src.Length)).Count('\n');

    private void Run()
    {
        bool trimNextText = false;
        while (_pos < _src.Length)
        {
            int open = _src.IndexOf("{{", _pos, StringComparison.Ordinal);
            int textEnd = open < 0 ? _src.Length : open;
            bool trimLeft = open >= 0 && IsTrimMarker(open + 2);
            var text = _src[_pos..textEnd];
            if (trimNextText) text = text.TrimStart(' ', '\t', '\r', '\n');
            if (trimLeft) text = text.TrimEnd(' ', '\t', '\r', '\n');
            if (text.Length > 0) _tokens.Add(new TemplateToken(TokenKind.Text, _pos, text));
            if (open < 0) break;
            _pos = open + 2 + (trimLeft ? 2 : 0);
            trimNextText = LexAction(open);
        }
        _tokens.Add(new TemplateToken(TokenKind.Eof, _src.Length, ""));
    }

    /// <summary>"-" followed by whitespace right after "{{" (Go requires the space so "{{-3}}" stays a number).</summary>
    private bool IsTrimMarker(int at) => at + 1 < _src.Length && _src[at] == '-' && IsSpace(_src[at + 1]);

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    /// <summary>Lexes from after "{{" to "}}"; returns whether the action ended with a right trim marker.</summary>
    private bool LexAction(int open)
    {
        // A comment is the whole action: {{/* ... */}}.
        int afterSpace = _pos;
        if (_src.AsSpan(afterSpace).StartsWith("/*", StringComparison.Ordinal))
        {
            int close = _src.IndexOf("*/", afterSpace + 2, StringComparison.Ordinal);
            if (close < 0) throw Error(open, "unclosed comment");
            _pos = close + 2;
            bool trim = _src.AsSpan(_pos).StartsWith(" -}}", StringComparison.Ordinal);
            if (trim) _pos++;
            if (!_src.AsSpan(_pos).StartsWith(trim ? "-}}" : "}}", StringComparison.Ordinal)) throw Error(open, "comment ends before closing delimiter");
            _pos += trim ? 3 : 2;
            return trim;
        }

        _tokens.Add(new TemplateToken(TokenKind.LeftDelim, open, "{{"));
        bool space = false;
        while (true)
        {
            if (_pos >= _src.Length) throw Error(open, "unclosed action");
            char c = _src[_pos];
            if (IsSpace(c))
            {
                // " -}}" closes with a trim marker.
                if (_src.AsSpan(_pos + 1).StartsWith("-}}", StringComparison.Ordinal))
                {
                    _tokens.Add(new TemplateToken(TokenKind.RightDelim, _pos, "}}"));
                    _pos += 4;
                    return true;
                }
                _pos++;
                space = true;
                continue;
            }
            if (c == '}' && _pos + 1 < _src.Length && _src[_pos + 1] == '}')
            {
                _tokens.Add(new TemplateToken(TokenKind.RightDelim, _pos, "}}"));
                _pos += 2;
                return false;
            }
            _tokens.Add(LexItem(space));
            space = false;
        }
    }

    private TemplateToken LexItem(bool space)
    {
        int start = _pos;
        char c = _src[_pos];
        switch (c)
        {
            case '|':
                _pos++;
                return new TemplateToken(TokenKind.Pipe, start, "|", space);
            case '(':
                _pos++;
                return new TemplateToken(TokenKind.LeftParen, start, "(", space);
            case ')':
                _pos++;
                return new TemplateToken(TokenKind.RightParen, start, ")", space);
            case ',':
                _pos++;
                return new TemplateToken(TokenKind.Comma, start, ",", space);
            case '=':
                _pos++;
                return new TemplateToken(TokenKind.Assign, start, "=", space);
            case ':':
                if (_pos + 1 < _src.Length && _src[_pos + 1] == '=')
                {
                    _pos += 2;
                    return new TemplateToken(TokenKind.Declare, start, ":=", space);
                }
                throw Error(start, "expected :=");
            case '"':
                return LexQuoted(space);
            case '`':
                return LexRaw(space);
            case '\'':
                throw Error(start, "character constants are not supported; use a \"string\"");
            case '.':
                if (_pos + 1 < _src.Length && char.IsAsciiDigit(_src[_pos + 1])) return LexNumber(space);
                if (_pos + 1 >= _src.Length || !IsIdentStart(_src[_pos + 1]))
                {
                    _pos++;
                    return new TemplateToken(TokenKind.Dot, start, ".", space);
                }
                var fieldNames = LexChain();
                return new TemplateToken(TokenKind.Field, start, _src[start.._pos], space) { Names = fieldNames };
            case '$':
            {
                _pos++;
                while (_pos < _src.Length && IsIdentChar(_src[_pos])) _pos++;
                var name = _src[start.._pos];
                var chain = _pos < _src.Length && _src[_pos] == '.' && _pos + 1 < _src.Length && IsIdentStart(_src[_pos + 1]) ? LexChain() : [];
                return new TemplateToken(TokenKind.Variable, start, _src[start.._pos], space) { Names = chain, Value = name };
            }
            default:
                if (char.IsAsciiDigit(c) || ((c is '-' or '+') && _pos + 1 < _src.Length && (char.IsAsciiDigit(_src[_pos + 1]) || _src[_pos + 1] == '.')))
                    return LexNumber(space);
                if (IsIdentStart(c))
                {
                    while (_pos < _src.Length && IsIdentChar(_src[_pos])) _pos++;
                    var word = _src[start.._pos];
                    return word switch
                    {
                        "true" or "false" => new TemplateToken(TokenKind.Bool, start, word, space) { Value = word == "true" },
                        "nil" => new TemplateToken(TokenKind.Nil, start, word, space),
                        _ => new TemplateToken(TokenKind.Identifier, start, word, space),
                    };
                }
                throw Error(start, $"unexpected \"{c}\" in command");
        }
    }

    private List<string> LexChain()
    {
        var names = new List<string>();
        while (_pos < _src.Length && _src[_pos] == '.' && _pos + 1 < _src.Length && IsIdentStart(_src[_pos + 1]))
        {
            int s = ++_pos;
            while (_pos < _src.Length && IsIdentChar(_src[_pos])) _pos++;
            names.Add(_src[s.._pos]);
        }
        return names;
    }

    private static bool IsIdentStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private TemplateToken LexNumber(bool space)
    {
        int start = _pos;
        if (_src[_pos] is '-' or '+') _pos++;
        while (_pos < _src.Length && (char.IsAsciiLetterOrDigit(_src[_pos]) || _src[_pos] == '.' || _src[_pos] == '_'
            || ((_src[_pos] is '-' or '+') && (_src[_pos - 1] is 'e' or 'E'))))
            _pos++;
        var text = _src[start.._pos];
        var clean = text.Replace("_", "", StringComparison.Ordinal);
        bool negative = clean.StartsWith('-');
        var digits = clean.TrimStart('-', '+');
        object? value = null;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            value = negative ? -hex : hex;
        else if (long.TryParse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            value = l;
        else if (double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            value = d;
        if (value is null) throw Error(start, $"bad number syntax: \"{text}\"");
        return new TemplateToken(TokenKind.Number, start, text, space) { Value = value };
    }

    private TemplateToken LexQuoted(bool space)
    {
        int start = _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _src.Length || _src[_pos] == '\n') throw Error(start, "unterminated quoted string");
            char c = _src[_pos++];
            if (c == '"') break;
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (_pos >= _src.Length) throw Error(start, "unterminated quoted string");
            char e = _src[_pos++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '\\': sb.Append('\\'); break;
                case '"': sb.Append('"'); break;
                case '\'': sb.Append('\''); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case 'x' or 'u' or 'U':
                {
                    int n = e switch { 'x' => 2, 'u' => 4, _ => 8 };
                    if (_pos + n > _src.Length || !int.TryParse(_src.AsSpan(_pos, n), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        throw Error(start, "invalid escape in quoted string");
                    sb.Append(char.ConvertFromUtf32(code));
                    _pos += n;
                    break;
                }
                default: throw Error(start, $"unknown escape sequence \\{e} in quoted string");
            }
        }
        return new TemplateToken(TokenKind.String, start, _src[start.._pos], space) { Value = sb.ToString() };
    }

    private TemplateToken LexRaw(bool space)
    {
        int start = _pos;
        int close = _src.IndexOf('`', _pos + 1);
        if (close < 0) throw Error(start, "unterminated raw quoted string");
        _pos = close + 1;
        return new TemplateToken(TokenKind.String, start, _src[start.._pos], space) { Value = _src[(start + 1)..close] };
    }
}
