using System.Globalization;
using System.Xml.Linq;
using Amphista.Cli.Bench;

namespace Amphista.Tests.Cli;

/// <summary>
/// The bench command's chart is valid SVG: one bar per decoder with a greedy line at 1.0x and a hatched
/// bar where the cost model predicted a speed-up, beside the verification cost curve c(T), all under a
/// title that fits the canvas.
/// </summary>
public sealed class SpeedupChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly SpeedupBar[] Decoders =
    [
        new("greedy", 1.0),
        new("medusa", 1.62, 0.08, Expected: 1.7),
        new("amphista", 2.4, 0.1, Expected: 2.25),
        new("slow <draft> & \"co\"", 0.75),
    ];

    // Not monotone, so that the curve's y order is checked against the values rather than their index.
    private static readonly PassCostPoint[] PassCost =
    [
        new(1, 2.0, 1.0), new(2, 1.9, 0.95), new(4, 2.6, 1.3), new(8, 3.2, 1.6),
        new(16, 4.2, 2.1), new(32, 3.8, 1.9), new(64, 6.4, 3.2),
    ];

    private static XElement Render(IReadOnlyList<SpeedupBar> bars, string title = "tokens/s over greedy",
        IReadOnlyList<PassCostPoint>? passCost = null) =>
        XElement.Parse(SpeedupChart.Render(title, bars, passCost ?? PassCost));

    private static IEnumerable<XElement> All(XElement svg, string name, string cssClass) =>
        svg.Descendants(Svg + name).Where(e => (string?)e.Attribute("class") == cssClass);

    private static double Number(XElement e, string attribute) =>
        double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static (double X, double Y)[] Points(XElement polyline) =>
        [.. ((string)polyline.Attribute("points")!).Split(' ').Select(p => p.Split(','))
            .Select(xy => (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture)))];

    [Fact]
    public void The_chart_is_an_svg_document_with_title_panel_titles_and_axis_labels()
    {
        var svg = Render(Decoders, title: "Speed-up on kjv-brown-14m");
        Assert.Equal(Svg + "svg", svg.Name);
        Assert.Equal("Speed-up on kjv-brown-14m", All(svg, "text", "title").Single().Value);
        Assert.Equal(["speed-up per decoder", "verification cost c(T)"], All(svg, "text", "panel-title").Select(e => e.Value));
        Assert.Equal(["speed-up over greedy", "decoder", "pass time relative to T = 1", "tokens verified in one pass (T)"],
            All(svg, "text", "axis-label").Select(e => e.Value));
    }

    [Theory]
    [InlineData("kjv-brown-14m: tokens/s relative to greedy (cpu, 2 threads, 512-bit vectors)")]
    [InlineData("a title far longer than both panels together, as a model with a very long name and a detailed machine description would give it")]
    [InlineData("t")]
    public void The_title_fits_inside_the_canvas_and_is_centred(string title)
    {
        var svg = Render(Decoders, title);
        var text = All(svg, "text", "title").Single();
        double width = Number(svg, "width"), x = Number(text, "x");
        double extent = 0.6 * Number(text, "font-size") * title.Length;
        Assert.True(x - extent / 2 >= 0, $"the title starts at {x - extent / 2}, left of the canvas");
        Assert.True(x + extent / 2 <= width, $"the title ends at {x + extent / 2}, right of the {width} px canvas");
        Assert.Equal(width / 2, x, precision: 2);
        Assert.Equal("middle", (string?)text.Attribute("text-anchor"));
    }

    [Fact]
    public void The_panels_sit_side_by_side_inside_the_canvas()
    {
        var svg = Render([new("greedy", 1.0)], title: new string('x', 200));
        double width = Number(svg, "width");
        double barsEnd = All(svg, "rect", "bar").Max(r => Number(r, "x") + Number(r, "width"));
        var curve = Points(All(svg, "polyline", "cost-curve").Single());
        Assert.True(barsEnd < curve.Min(p => p.X), "the cost curve starts left of the bars' end");
        Assert.True(All(svg, "rect", "bar").Min(r => Number(r, "x")) > 0 && curve.Max(p => p.X) < width,
            "a panel leaves the canvas");
    }

    [Fact]
    public void Each_decoder_has_one_bar_its_label_and_its_speedup_as_text()
    {
        var svg = Render(Decoders);
        Assert.Equal(Decoders.Length, All(svg, "rect", "bar").Count());
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
    public void Expected_bars_stand_beside_exactly_the_bars_that_have_a_prediction()
    {
        var svg = Render(Decoders);
        var bars = All(svg, "rect", "bar").ToArray();
        var expected = All(svg, "rect", "expected").ToArray();
        var predicted = Decoders.Select((d, i) => (d, i)).Where(p => p.d.Expected is not null).ToArray();
        Assert.Equal(predicted.Length, expected.Length);
        Assert.Equal(predicted.Select(p => p.d.Expected!.Value.ToString("F2", CultureInfo.InvariantCulture) + "x"),
            All(svg, "text", "expected-value").Select(e => e.Value));
        double oneX = Number(bars[0], "height");
        foreach (var ((decoder, i), rect) in predicted.Zip(expected))
        {
            double gap = Number(rect, "x") - (Number(bars[i], "x") + Number(bars[i], "width"));
            Assert.True(gap is >= 0 and <= 4, $"{decoder.Label}'s expected bar is {gap} px right of its measured bar");
            Assert.Equal(Number(bars[i], "y") + Number(bars[i], "height"), Number(rect, "y") + Number(rect, "height"), precision: 1);
            Assert.True(Math.Abs(Number(rect, "height") / oneX - decoder.Expected!.Value) < 0.01,
                $"{decoder.Label}'s expected bar is {Number(rect, "height")} high against {oneX} for 1.0x");
        }
        Assert.Equal(["measured", "expected (cost model)"], All(svg, "text", "legend").Take(2).Select(e => e.Value));
    }

    [Fact]
    public void Without_predictions_there_are_no_expected_bars_and_no_legend_for_them()
    {
        var svg = Render([new("greedy", 1.0), new("medusa", 1.5, 0.1)]);
        Assert.Empty(All(svg, "rect", "expected"));
        Assert.Empty(All(svg, "text", "expected-value"));
        Assert.DoesNotContain("expected (cost model)", All(svg, "text", "legend").Select(e => e.Value));
    }

    [Fact]
    public void The_cost_curve_has_a_point_per_pass_cost_point_left_to_right_and_higher_where_the_cost_is()
    {
        var svg = Render(Decoders);
        var points = Points(All(svg, "polyline", "cost-curve").Single());
        Assert.Equal(PassCost.Length, points.Length);
        Assert.Equal(PassCost.Length, All(svg, "circle", "cost-point").Count());
        for (int i = 1; i < points.Length; i++)
            Assert.True(points[i].X > points[i - 1].X, $"point {i} is not right of point {i - 1}");
        for (int i = 0; i < points.Length; i++)
            for (int j = 0; j < points.Length; j++)
                Assert.Equal(Math.Sign(PassCost[i].Relative - PassCost[j].Relative), Math.Sign(points[j].Y - points[i].Y));
        Assert.Equal(PassCost.Select(p => p.Tokens.ToString(CultureInfo.InvariantCulture)),
            All(svg, "text", "cost-tick-label").Where(e => (string?)e.Attribute("text-anchor") == "middle").Select(e => e.Value));
    }

    [Fact]
    public void The_cost_axis_is_log2_in_tokens()
    {
        var points = Points(All(Render(Decoders), "polyline", "cost-curve").Single());
        double doubling = points[1].X - points[0].X;
        for (int i = 2; i < points.Length; i++)
            Assert.Equal(doubling, points[i].X - points[i - 1].X, precision: 1);
    }

    [Fact]
    public void The_linear_reference_runs_along_c_of_T_equals_T_inside_the_plot()
    {
        var svg = Render(Decoders, passCost: [new(1, 1, 1.0), new(2, 1, 1.1), new(4, 1, 1.2), new(8, 1, 1.4), new(16, 1, 1.8)]);
        var line = All(svg, "polyline", "linear").Single();
        Assert.False(string.IsNullOrEmpty((string?)line.Attribute("stroke-dasharray")), "the linear reference is not dashed");
        var curve = Points(All(svg, "polyline", "cost-curve").Single());
        var reference = Points(line);
        // Both lines start at c(1) = 1; one doubling of T along the x axis doubles the reference's height.
        double axisY = All(svg, "line", "axis").Select(l => Number(l, "y2")).Max(), doubling = curve[1].X - curve[0].X;
        Assert.Equal(curve[0].X, reference[0].X, precision: 2);
        Assert.Equal(curve[0].Y, reference[0].Y, precision: 2);
        foreach (var (x, y) in reference)
            Assert.Equal(Math.Pow(2, (x - curve[0].X) / doubling) * (axisY - reference[0].Y), axisY - y, precision: 0);
        double plotTop = All(svg, "line", "axis").Select(l => Number(l, "y1")).Min();
        Assert.All(reference, p => Assert.True(p.Y >= plotTop - 0.01, $"the reference leaves the plot at y = {p.Y}"));
        Assert.True(reference[^1].X <= curve[^1].X + 0.01, "the reference runs past the last measured T");
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
        string text = SpeedupChart.Render("a < b & c", Decoders, PassCost);
        Assert.Contains("slow &lt;draft&gt; &amp; \"co\"", text);
        Assert.Contains("a &lt; b &amp; c", text);
        Assert.DoesNotContain("<draft>", text);
    }

    [Fact]
    public void The_axis_reaches_above_the_tallest_bar_its_spread_and_its_prediction()
    {
        var svg = Render([new("amphista", 3.3, 0.4)]);
        var top = All(svg, "text", "tick-label").Select(e => double.Parse(e.Value.TrimEnd('x'), CultureInfo.InvariantCulture)).Max();
        Assert.True(top >= 3.7, $"the highest tick is {top}x, below 3.3x + 0.4");
        Assert.True(Number(All(svg, "rect", "bar").Single(), "y") > 0, "the bar leaves the plot at the top");
        var predicted = Render([new("amphista", 1.2, 0.1, Expected: 4.1)]);
        var highest = All(predicted, "text", "tick-label").Select(e => double.Parse(e.Value.TrimEnd('x'), CultureInfo.InvariantCulture)).Max();
        Assert.True(highest >= 4.1, $"the highest tick is {highest}x, below the expected 4.1x");
    }

    [Theory]
    [InlineData(double.NaN, null, null)]
    [InlineData(-0.5, null, null)]
    [InlineData(double.PositiveInfinity, null, null)]
    [InlineData(1.2, -0.1, null)]
    [InlineData(1.2, double.NaN, null)]
    [InlineData(1.2, 0.1, -1.0)]
    [InlineData(1.2, 0.1, double.PositiveInfinity)]
    public void Impossible_values_are_refused_with_the_bar_named(double speedup, double? spread, double? expected)
    {
        var e = Assert.Throws<ArgumentException>(() => SpeedupChart.Render("t", [new("odd-decoder", speedup, spread, expected)], PassCost));
        Assert.Contains("odd-decoder", e.Message);
    }

    [Fact]
    public void A_chart_without_bars_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SpeedupChart.Render("t", [], PassCost));
        Assert.Contains("at least one bar", e.Message);
    }

    [Fact]
    public void A_chart_without_pass_cost_points_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SpeedupChart.Render("t", Decoders, []));
        Assert.Contains("at least one pass cost point", e.Message);
    }

    public static TheoryData<PassCostPoint[], string> BadPassCosts => new()
    {
        { [new(0, 1, 1.0), new(2, 1, 1.1)], "below 1" },
        { [new(1, 1, 1.0), new(4, 1, 1.2), new(2, 1, 1.1)], "does not increase" },
        { [new(1, 1, 1.0), new(1, 1, 1.0)], "does not increase" },
        { [new(1, 1, 1.0), new(2, 1, 0.0)], "relative cost" },
        { [new(1, 1, 1.0), new(2, 1, -1.0)], "relative cost" },
        { [new(1, 1, double.NaN)], "relative cost" },
        { [new(1, 1, 1.0), new(2, 1, double.PositiveInfinity)], "relative cost" },
    };

    [Theory]
    [MemberData(nameof(BadPassCosts))]
    public void Impossible_pass_costs_are_refused_with_the_reason(PassCostPoint[] passCost, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => SpeedupChart.Render("t", Decoders, passCost));
        Assert.Contains(reason, e.Message);
        Assert.Equal("passCost", e.ParamName);
    }

    [Fact]
    public void A_single_pass_cost_point_still_draws()
    {
        var svg = Render(Decoders, passCost: [new(1, 2.0, 1.0)]);
        Assert.Single(Points(All(svg, "polyline", "cost-curve").Single()));
        Assert.Single(All(svg, "circle", "cost-point"));
    }
}
