namespace Plexus.Cli.Templates;

/// <summary>Recursive descent over the lexer's tokens into <see cref="TemplateNode"/>s, with Go's error wording.</summary>
internal sealed class TemplateParser
{
    private static readonly HashSet<string> Unsupported = ["define", "template", "block", "break", "continue"];

    private readonly string _src;
    private readonly List<TemplateToken> _tokens;
    private int _next;

    private TemplateParser(string src)
    {
        _src = src;
        _tokens = TemplateLexer.Lex(src);
    }

    public static IReadOnlyList<TemplateNode> Parse(string source)
    {
        var parser = new TemplateParser(source);
        var (nodes, end) = parser.ParseList();
        if (end is not null) throw parser.Error(end.Pos, $"unexpected {{{{{end.Text}}}}}");
        return nodes;
    }

    private TemplateException Error(int pos, string message) =>
        new($"template: :{TemplateLexer.Line(_src, pos)}: {message}", isParseError: true);

    private TemplateToken Peek(int ahead = 0) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

    private TemplateToken Take() => _tokens[Math.Min(_next++, _tokens.Count - 1)];

    private TemplateToken Expect(TokenKind kind, string context)
    {
        var t = Take();
        if (t.Kind != kind) throw Unexpected(t, context);
        return t;
    }

    private TemplateException Unexpected(TemplateToken t, string context) => t.Kind switch
    {
        TokenKind.Eof => Error(t.Pos, $"unexpected EOF in {context}"),
        TokenKind.RightDelim => Error(t.Pos, $"unexpected \"}}}}\" in {context}"),
        _ => Error(t.Pos, $"unexpected \"{t.Text}\" in {context}"),
    };

    /// <summary>
    /// Nodes up to the end of the input or an {{end}} / {{else}}, which is returned (its token) for the
    /// caller to judge; the action's closing delimiter of {{end}} is consumed, {{else ...}}'s is not.
    /// </summary>
    private (List<TemplateNode> Nodes, TemplateToken? End) ParseList()
    {
        var nodes = new List<TemplateNode>();
        while (true)
        {
            var t = Take();
            switch (t.Kind)
            {
                case TokenKind.Eof:
                    return (nodes, null);
                case TokenKind.Text:
                    nodes.Add(new TextNode(t.Pos, t.Text));
                    break;
                case TokenKind.LeftDelim:
                {
                    var first = Peek();
                    if (first.Kind == TokenKind.Identifier)
                    {
                        switch (first.Text)
                        {
                            case "end":
                                Take();
                                Expect(TokenKind.RightDelim, "end");
                                return (nodes, first);
                            case "else":
                                Take();
                                return (nodes, first);
                            case "if":
                                Take();
                                nodes.Add(ParseBranch(BranchKind.If, first));
                                continue;
                            case "with":
                                Take();
                                nodes.Add(ParseBranch(BranchKind.With, first));
                                continue;
                            case "range":
                                Take();
                                nodes.Add(ParseBranch(BranchKind.Range, first));
                                continue;
                            default:
                                if (Unsupported.Contains(first.Text)) throw Error(first.Pos, $"{{{{{first.Text}}}}} is not supported in --format templates");
                                break;
                        }
                    }
                    var pipe = ParsePipeline("command", allowDeclarations: true, maxDeclarations: 1);
                    Expect(TokenKind.RightDelim, "command");
                    if (pipe.Commands.Count == 0) throw Error(t.Pos, "missing value for command");
                    nodes.Add(new ActionNode(t.Pos, pipe));
                    break;
                }
                default:
                    throw Unexpected(t, "input");
            }
        }
    }

    private BranchNode ParseBranch(BranchKind kind, TemplateToken keyword)
    {
        string name = keyword.Text;
        var pipe = ParsePipeline(name, allowDeclarations: true, maxDeclarations: kind == BranchKind.Range ? 2 : 1);
        if (pipe.Commands.Count == 0) throw Error(keyword.Pos, $"missing value for {name}");
        Expect(TokenKind.RightDelim, name);
        var (body, end) = ParseList();
        if (end is null) throw Error(keyword.Pos, $"unexpected EOF: {{{{{name}}}}} has no {{{{end}}}}");
        if (end.Text == "end") return new BranchNode(keyword.Pos, kind, pipe, body, null);

        // {{else}} or, for if and with, {{else if ...}} / {{else with ...}}: the rest is one nested branch.
        if (Peek().Kind == TokenKind.Identifier && Peek().Text is "if" or "with" && kind != BranchKind.Range)
        {
            var nestedKeyword = Take();
            var nested = ParseBranch(nestedKeyword.Text == "if" ? BranchKind.If : BranchKind.With, nestedKeyword);
            return new BranchNode(keyword.Pos, kind, pipe, body, [nested]);
        }
        Expect(TokenKind.RightDelim, "else");
        var (elseBody, elseEnd) = ParseList();
        if (elseEnd is null) throw Error(keyword.Pos, $"unexpected EOF: {{{{{name}}}}} has no {{{{end}}}}");
        if (elseEnd.Text != "end") throw Error(elseEnd.Pos, "expected end; found {{else}}");
        return new BranchNode(keyword.Pos, kind, pipe, body, elseBody);
    }

    private PipelineNode ParsePipeline(string context, bool allowDeclarations, int maxDeclarations)
    {
        int pos = Peek().Pos;
        var declarations = new List<string>();
        if (allowDeclarations && Peek().Kind == TokenKind.Variable && Peek().Names.Count == 0)
        {
            // $x := ...   or   $i, $v := ...
            if (Peek(1).Kind == TokenKind.Declare || (Peek(1).Kind == TokenKind.Comma && maxDeclarations > 1))
            {
                declarations.Add((string)Take().Value!);
                if (Peek().Kind == TokenKind.Comma)
                {
                    Take();
                    var second = Expect(TokenKind.Variable, context);
                    declarations.Add((string)second.Value!);
                }
                Expect(TokenKind.Declare, context);
            }
            else if (Peek(1).Kind == TokenKind.Assign)
            {
                throw Error(Peek().Pos, "assignment to variables (=) is not supported; declare with :=");
            }
        }

        var commands = new List<CommandNode>();
        while (true)
        {
            var command = ParseCommand(context);
            commands.Add(command);
            if (Peek().Kind != TokenKind.Pipe) break;
            Take();
        }
        if (commands.Count == 1 && commands[0].Args.Count == 0)
        {
            if (declarations.Count > 0) throw Error(pos, $"missing value for {context}");
            return new PipelineNode(pos, declarations, []);
        }
        foreach (var c in commands)
            if (c.Args.Count == 0) throw Error(c.Pos, "missing command");
        return new PipelineNode(pos, declarations, commands);
    }

    private CommandNode ParseCommand(string context)
    {
        int pos = Peek().Pos;
        var args = new List<OperandNode>();
        while (true)
        {
            var t = Peek();
            if (t.Kind is TokenKind.RightDelim or TokenKind.Pipe or TokenKind.RightParen or TokenKind.Eof) break;
            if (args.Count > 0 && !t.SpaceBefore) throw Error(t.Pos, $"missing space before \"{t.Text}\"");
            args.Add(ParseOperand(context));
        }
        return new CommandNode(pos, args);
    }

    private OperandNode ParseOperand(string context)
    {
        var t = Take();
        OperandNode operand = t.Kind switch
        {
            TokenKind.Field => new FieldNode(t.Pos, t.Text, t.Names),
            TokenKind.Dot => new DotNode(t.Pos),
            TokenKind.Variable => new VariableNode(t.Pos, t.Text, (string)t.Value!, t.Names),
            TokenKind.String or TokenKind.Number or TokenKind.Bool => new LiteralNode(t.Pos, t.Text, t.Value),
            TokenKind.Nil => new NilNode(t.Pos),
            TokenKind.Identifier => Function(t),
            TokenKind.LeftParen => SubPipeline(t),
            _ => throw Unexpected(t, "operand"),
        };

        // (pipeline).Field: a field chain glued to the closing parenthesis.
        if (operand is SubPipelineNode && Peek().Kind == TokenKind.Field && !Peek().SpaceBefore)
        {
            var chain = Take();
            operand = new ChainNode(t.Pos, operand.Text + chain.Text, operand, chain.Names);
        }
        return operand;
    }

    private FunctionNode Function(TemplateToken t)
    {
        if (t.Text is "if" or "else" or "end" or "range" or "with" || Unsupported.Contains(t.Text))
            throw Error(t.Pos, $"unexpected <{t.Text}> in operand");
        if (!TemplateFunctions.IsDefined(t.Text)) throw Error(t.Pos, $"function \"{t.Text}\" not defined");
        return new FunctionNode(t.Pos, t.Text);
    }

    private SubPipelineNode SubPipeline(TemplateToken open)
    {
        var pipe = ParsePipeline("parenthesized pipeline", allowDeclarations: false, maxDeclarations: 0);
        var close = Expect(TokenKind.RightParen, "parenthesized pipeline");
        if (pipe.Commands.Count == 0) throw Error(open.Pos, "missing value for parenthesized pipeline");
        return new SubPipelineNode(open.Pos, _src[open.Pos..(close.Pos + 1)], pipe);
    }
}
