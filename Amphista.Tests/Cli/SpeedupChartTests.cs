using System.Globalization;
using System.Xml.Linq;
using Amphista.Cli.Bench;

namespace Amphista.Tests.Cli;

/// <summary>The bench command's speed-up chart is valid SVG with one bar per decoder and a greedy line at 1.0x.</summary>
public sealed class SpeedupChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly SpeedupBar[] Decoders =
    [
        new("greedy", 1.0),
        new("medusa", 1.62, 0.08),
        new("amphista", 2.4, 0.1),
        new("slow <draft> & \"co\"", 0.75),
    ];

    private static XElement Render(IReadOnlyList<SpeedupBar> bars, string title = "tokens/s over greedy") =>
        XElement.Parse(SpeedupChart.Render(title, bars));

    private static IEnumerable<XElement> All(XElement svg, string name, string cssClass) =>
        svg.Descendants(Svg + name).Where(e => (string?)e.Attribute("class") == cssClass);

    private static double Number(XElement e, string attribute) =>
        double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    [Fact]
    public void The_chart_is_an_svg_document_with_title_and_axis_labels()
    {
        var svg = Render(Decoders, title: "Speed-up on kjv-brown-14m");
        Assert.Equal(Svg + "svg", svg.Name);
        Assert.Equal("Speed-up on kjv-brown-14m", All(svg, "text", "title").Single().Value);
        Assert.Equal(["speed-up over greedy", "decoder"], All(svg, "text", "axis-label").Select(e => e.Value));
    }

    [Fact]
    public void Each_decoder_has_one_bar_its_label_and_its_speedup_as_text()
    {
        var svg = Render(Decoders);
        Assert.Equal(Decoders.Length, svg.Descendants(Svg + "rect").Count());
        Assert.Equal(Decoders.Select(d => d.Label), All(svg, "text", "label").Select(e => e.Value));
        Assert.Equal(["1.00x", "1.62x", "2.40x", "0.75x"], All(svg, "text", "value").Select(e => e.Value));
    }

    [Fact]
    public void Bar_heights_are_proportional_to_the_speedup()
    {
        var heights = All(Render(Decoders), "rect", "bar").Select(r => Number(r, "height")).ToArray();
        for (int i = 1; i < Decoders.Length; i++)
            Assert.True(Math.Abs(heights[i] / heights[0] - Decoders[i].Speedup) < 0.01,
                $"bar {i} ({Decoders[i].Label}) is {heights[i]} high against {heights[0]} for 1.0x, expected ratio {Decoders[i].Speedup}");
    }

    [Fact]
    public void A_dashed_greedy_line_runs_at_the_top_of_a_1x_bar()
    {
        var svg = Render(Decoders);
        var line = All(svg, "line", "greedy").Single();
        Assert.False(string.IsNullOrEmpty((string?)line.Attribute("stroke-dasharray")), "the greedy line is not dashed");
        Assert.Equal(Number(line, "y1"), Number(line, "y2"));
        Assert.Equal(Number(All(svg, "rect", "bar").First(), "y"), Number(line, "y1"), precision: 2);
        Assert.Contains("1.0x", All(svg, "text", "greedy-label").Single().Value);
    }

    [Fact]
    public void Spreads_are_drawn_only_for_bars_that_have_one()
    {
        Assert.Equal(Decoders.Count(d => d.Spread is not null), All(Render(Decoders), "path", "spread").Count());
        Assert.Empty(All(Render([new("greedy", 1.0)]), "path", "spread"));
    }

    [Fact]
    public void Labels_and_title_are_escaped_for_xml()
    {
        string text = SpeedupChart.Render("a < b & c", Decoders);
        Assert.Contains("slow &lt;draft&gt; &amp; \"co\"", text);
        Assert.Contains("a &lt; b &amp; c", text);
        Assert.DoesNotContain("<draft>", text);
    }

    [Fact]
    public void The_axis_reaches_above_the_tallest_bar_and_its_spread()
    {
        var svg = Render([new("amphista", 3.3, 0.4)]);
        var top = All(svg, "text", "tick-label").Select(e => double.Parse(e.Value.TrimEnd('x'), CultureInfo.InvariantCulture)).Max();
        Assert.True(top >= 3.7, $"the highest tick is {top}x, below 3.3x + 0.4");
        Assert.True(Number(All(svg, "rect", "bar").Single(), "y") > 0, "the bar leaves the plot at the top");
    }

    [Theory]
    [InlineData(double.NaN, null)]
    [InlineData(-0.5, null)]
    [InlineData(double.PositiveInfinity, null)]
    [InlineData(1.2, -0.1)]
    [InlineData(1.2, double.NaN)]
    public void Impossible_values_are_refused_with_the_bar_named(double speedup, double? spread)
    {
        var e = Assert.Throws<ArgumentException>(() => SpeedupChart.Render("t", [new("odd-decoder", speedup, spread)]));
        Assert.Contains("odd-decoder", e.Message);
    }

    [Fact]
    public void A_chart_without_bars_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SpeedupChart.Render("t", []));
        Assert.Contains("at least one bar", e.Message);
    }
}
