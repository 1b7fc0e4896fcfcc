using System.Text.Json;
using Plexus.Cli.Templates;

namespace Plexus.Cli.Tests.Templates;

public class GoValuesTests
{
    [Theory]
    [InlineData(0.25, "0.25")]
    [InlineData(123456.5, "123456.5")]
    [InlineData(1234567.5, "1.2345675e+06")]
    [InlineData(1e6, "1e+06")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1e100, "1e+100")]
    [InlineData(0.1, "0.1")]
    [InlineData(100.0, "100")]
    public void Floats_print_as_Gos_percent_v(double value, string expected) => Assert.Equal(expected, GoValues.FormatFloat(value));

    [Fact]
    public void Special_floats() => Assert.Equal(["NaN", "+Inf", "-Inf", "0"], [GoValues.FormatFloat(double.NaN), GoValues.FormatFloat(double.PositiveInfinity), GoValues.FormatFloat(double.NegativeInfinity), GoValues.FormatFloat(0)]);

    [Fact]
    public void Json_decodes_integers_as_long_and_others_as_double()
    {
        using var doc = JsonDocument.Parse("[1, -2, 1.5, 12345678901234]");
        var list = Assert.IsType<List<object?>>(GoValues.FromJson(doc.RootElement));
        Assert.Equal<object?>([1L, -2L, 1.5, 12345678901234L], list);
    }

    [Fact]
    public void Nested_values_print_nil_inside_and_no_value_at_the_top()
    {
        using var doc = JsonDocument.Parse("""{"b":[null,true,{"z":1,"a":"x"}],"a":{}}""");
        var value = GoValues.FromJson(doc.RootElement);
        Assert.Equal("map[a:map[] b:[<nil> true map[a:x z:1]]]", GoValues.Print(value));
        Assert.Equal("<no value>", GoValues.Print(null));
        Assert.Equal("<nil>", GoValues.Format(null));
    }

    [Theory]
    [InlineData("null", false)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("0.0", false)]
    [InlineData("\"\"", false)]
    [InlineData("[]", false)]
    [InlineData("{}", false)]
    [InlineData("true", true)]
    [InlineData("-1", true)]
    [InlineData("\"0\"", true)]
    [InlineData("[null]", true)]
    [InlineData("{\"a\":null}", true)]
    public void Truth_follows_Go(string json, bool expected)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(expected, GoValues.IsTrue(GoValues.FromJson(doc.RootElement)));
    }

    [Fact]
    public void Json_keeps_key_order_and_does_not_escape_html_characters()
    {
        using var doc = JsonDocument.Parse("""{"z":"<a&b>","a":[1,2.5,null]}""");
        Assert.Equal("""{"z":"<a&b>","a":[1,2.5,null]}""", GoValues.ToJson(GoValues.FromJson(doc.RootElement)));
    }
}
