using System.Text;

namespace Plexus.Cli.Templates;

/// <summary>Walks a parsed template over a value (see <see cref="GoValues"/>), writing the text it produces.</summary>
internal sealed class TemplateExecutor
{
    private readonly string _src;
    private readonly StringBuilder _out = new();
    private readonly List<(string Name, object? Value)> _variables = [];

    private TemplateExecutor(string src) => _src = src;

    public static string Execute(string source, IReadOnlyList<TemplateNode> nodes, object? data)
    {
        var executor = new TemplateExecutor(source);
        executor._variables.Add(("$", data));
        executor.Walk(data, nodes);
        return executor._out.ToString();
    }

    private TemplateException Error(OperandNode at, string message)
    {
        int line = TemplateLexer.Line(_src, at.Pos);
        int lineStart = _src.LastIndexOf('\n', Math.Max(0, at.Pos - 1)) + 1;
        if (at.Pos == 0) lineStart = 0;
        return new TemplateException($"template: :{line}:{at.Pos - lineStart + 1}: executing \"\" at <{at.Text}>: {message}", isParseError: false);
    }

    private void Walk(object? dot, IReadOnlyList<TemplateNode> nodes)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode t:
                    _out.Append(t.Text);
                    break;
                case ActionNode a:
                {
                    var value = EvalPipeline(dot, a.Pipe);
                    // An action that only declares a variable prints nothing.
                    if (a.Pipe.Declarations.Count == 0) _out.Append(GoValues.Print(value));
                    break;
                }
                case BranchNode b:
                    WalkBranch(dot, b);
                    break;
            }
        }
    }

    private void WalkBranch(object? dot, BranchNode b)
    {
        int mark = _variables.Count;
        try
        {
            if (b.Kind == BranchKind.Range)
            {
                WalkRange(dot, b);
                return;
            }
            var value = EvalPipeline(dot, b.Pipe, declare: b.Kind != BranchKind.Range);
            if (GoValues.IsTrue(value))
                Walk(b.Kind == BranchKind.With ? value : dot, b.Body);
            else if (b.Else is not null)
                Walk(dot, b.Else);
        }
        finally
        {
            _variables.RemoveRange(mark, _variables.Count - mark);
        }
    }

    private void WalkRange(object? dot, BranchNode b)
    {
        var value = EvalPipeline(dot, b.Pipe, declare: false);
        var items = value switch
        {
            null => [],
            IReadOnlyList<object?> list => list.Select((v, i) => ((object?)(long)i, v)).ToList(),
            // Go ranges over a map in sorted key order.
            IReadOnlyDictionary<string, object?> map => map.Keys.Order(StringComparer.Ordinal).Select(k => ((object?)k, map[k])).ToList(),
            long n when n >= 0 => Enumerable.Range(0, (int)Math.Min(n, int.MaxValue)).Select(i => ((object?)(long)i, (object?)(long)i)).ToList(),
            _ => throw Error(FirstOperand(b.Pipe), $"range can't iterate over {GoValues.Format(value)}"),
        };
        if (items.Count == 0)
        {
            if (b.Else is not null) Walk(dot, b.Else);
            return;
        }
        int mark = _variables.Count;
        foreach (var (key, item) in items)
        {
            // One variable gets the element; two get the key (or index) and the element.
            if (b.Pipe.Declarations.Count == 1) _variables.Add((b.Pipe.Declarations[0], item));
            else if (b.Pipe.Declarations.Count == 2)
            {
                _variables.Add((b.Pipe.Declarations[0], key));
                _variables.Add((b.Pipe.Declarations[1], item));
            }
            Walk(item, b.Body);
            _variables.RemoveRange(mark, _variables.Count - mark);
        }
    }

    private static OperandNode FirstOperand(PipelineNode pipe) => pipe.Commands[0].Args[0];

    private object? EvalPipeline(object? dot, PipelineNode pipe, bool declare = true)
    {
        object? value = null;
        bool piped = false;
        foreach (var command in pipe.Commands)
        {
            value = EvalCommand(dot, command, piped, value);
            piped = true;
        }
        if (declare)
            foreach (var name in pipe.Declarations) _variables.Add((name, value));
        return value;
    }

    private object? EvalCommand(object? dot, CommandNode command, bool piped, object? final)
    {
        var first = command.Args[0];
        if (first is FunctionNode f)
        {
            var args = command.Args.Skip(1).Select(a => EvalArg(dot, a)).ToList();
            if (piped) args.Add(final);
            return Call(f, args);
        }
        if (command.Args.Count > 1 || piped) throw Error(first, $"can't give argument to non-function {first.Text}");
        if (first is NilNode) throw Error(first, "nil is not a command");
        return EvalArg(dot, first);
    }

    private object? Call(FunctionNode f, List<object?> args)
    {
        try
        {
            return TemplateFunctions.Call(f.Name, args);
        }
        catch (TemplateFunctionException e)
        {
            throw Error(f, e.Message.StartsWith("wrong number", StringComparison.Ordinal) ? e.Message : $"error calling {f.Name}: {e.Message}");
        }
    }

    private object? EvalArg(object? dot, OperandNode node) => node switch
    {
        DotNode => dot,
        FieldNode field => Chain(node, dot, field.Names),
        VariableNode v => Chain(node, Variable(v), v.Names),
        ChainNode c => Chain(node, EvalArg(dot, c.Target), c.Names),
        LiteralNode l => l.Value,
        NilNode => null,
        FunctionNode f => Call(f, []),
        SubPipelineNode p => EvalPipeline(dot, p.Pipe, declare: false),
        _ => throw Error(node, "unexpected operand"),
    };

    private object? Variable(VariableNode v)
    {
        for (int i = _variables.Count - 1; i >= 0; i--)
            if (_variables[i].Name == v.Name) return _variables[i].Value;
        throw new TemplateException($"template: :{TemplateLexer.Line(_src, v.Pos)}: undefined variable \"{v.Name}\"", isParseError: true);
    }

    /// <summary>
    /// .A.B over maps: an absent key (or a nil along the way) gives nil, printed "&lt;no value&gt;". Keys match
    /// exactly first, then ignoring case, so {{.ID}} finds "Id" as docker's struct fields would.
    /// </summary>
    private object? Chain(OperandNode node, object? receiver, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            switch (receiver)
            {
                case null:
                    return null;
                case IReadOnlyDictionary<string, object?> map:
                    if (map.TryGetValue(name, out var value))
                    {
                        receiver = value;
                        break;
                    }
                    receiver = null;
                    foreach (var (key, v) in map)
                    {
                        if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                        {
                            receiver = v;
                            break;
                        }
                    }
                    break;
                default:
                    throw Error(node, $"can't evaluate field {name} in type {GoValues.TypeName(receiver)}");
            }
        }
        return receiver;
    }
}
