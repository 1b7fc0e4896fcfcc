namespace Plexus.Cli.Templates;

// The parse tree of a template: Go's text/template nodes, limited to what docker --format users write.

internal abstract record TemplateNode(int Pos);

internal sealed record TextNode(int Pos, string Text) : TemplateNode(Pos);

internal sealed record ActionNode(int Pos, PipelineNode Pipe) : TemplateNode(Pos);

internal enum BranchKind
{
    If,
    With,
    Range,
}

/// <summary>{{if}}, {{with}} or {{range}}: a pipeline, a body and an optional {{else}} body.</summary>
internal sealed record BranchNode(int Pos, BranchKind Kind, PipelineNode Pipe, IReadOnlyList<TemplateNode> Body, IReadOnlyList<TemplateNode>? Else)
    : TemplateNode(Pos);

/// <summary>Commands joined by "|", optionally declaring variables first ($x := ..., or $i, $v := for range).</summary>
internal sealed record PipelineNode(int Pos, IReadOnlyList<string> Declarations, IReadOnlyList<CommandNode> Commands);

/// <summary>A function and its arguments, or a single operand.</summary>
internal sealed record CommandNode(int Pos, IReadOnlyList<OperandNode> Args);

/// <summary>An operand; <see cref="Text"/> is its source text for error messages ("at &lt;.Name.X&gt;").</summary>
internal abstract record OperandNode(int Pos, string Text);

/// <summary>.A.B: a chain of fields from dot.</summary>
internal sealed record FieldNode(int Pos, string Text, IReadOnlyList<string> Names) : OperandNode(Pos, Text);

internal sealed record DotNode(int Pos) : OperandNode(Pos, ".");

/// <summary>$x or $x.A.B; "$" alone is the data the template started with.</summary>
internal sealed record VariableNode(int Pos, string Text, string Name, IReadOnlyList<string> Names) : OperandNode(Pos, Text);

/// <summary>(pipeline).A.B.</summary>
internal sealed record ChainNode(int Pos, string Text, OperandNode Target, IReadOnlyList<string> Names) : OperandNode(Pos, Text);

internal sealed record LiteralNode(int Pos, string Text, object? Value) : OperandNode(Pos, Text);

internal sealed record NilNode(int Pos) : OperandNode(Pos, "nil");

internal sealed record FunctionNode(int Pos, string Name) : OperandNode(Pos, Name);

internal sealed record SubPipelineNode(int Pos, string Text, PipelineNode Pipe) : OperandNode(Pos, Text);
