using System.Globalization;
using System.Xml.Linq;

namespace Amphista.Cli.Bench;

/// <summary>
/// One decoder's bar: its speed-up over greedy decoding, an optional ± spread (whisker), and the speed-up
/// the cost model predicted for it (null for greedy or where nothing was predicted).
/// </summary>
public sealed record SpeedupBar(string Label, double Speedup, double? Spread = null, double? Expected = null);

/// <summary>
/// The bench command's picture: a self-contained SVG of two panels under one title. Left, one bar per
/// decoder for its measured speed-up over greedy decoding, with a whisker for its spread, a hatched bar
/// beside it for the speed-up the cost model expected, and a dashed line at 1.0x (greedy itself). Right,
/// the verification cost c(T): the time of one base-model pass over T tokens relative to T = 1, on a log2
/// T axis, against the dashed line c(T) = T of verifying the same tokens one pass each. The further the
/// curve stays below that line, the cheaper a wide tree is to verify, which is what lets a tree pay.
/// Built with System.Xml.Linq so every label is escaped for XML, whatever a decoder or drafter is called.
/// </summary>
public static class SpeedupChart
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const double TitleFont = 16, PanelFont = 13, Font = 12, Margin = 16, TitleY = 28, PanelTitleY = 52;
    private const double Top = 72, PlotHeight = 260, Bottom = 84, Left = 72, Right = 96, BarShare = 0.6, BarGap = 2;
    private const double CostPlotWidth = 320, CostRight = 32, CostInset = 16, Swatch = 12, LegendGap = 16;
    private const string MeasuredColour = "#4c72b0", GreedyColour = "#c44e52", CostColour = "#dd8452", LinearColour = "#888";
    private const string HatchId = "expected-hatch";

    private static readonly LegendEntry[] SpeedupLegend =
    [
        new("measured", (x, y) => El("rect", Attr("class", "legend-swatch"), Attr("x", Num(x)), Attr("y", Num(y - Swatch / 2)),
            Attr("width", Num(Swatch)), Attr("height", Num(Swatch)), Attr("fill", MeasuredColour))),
        new("expected (cost model)", (x, y) => ExpectedRect("legend-swatch", x, y - Swatch / 2, Swatch, Swatch)),
    ];

    private static readonly LegendEntry[] CostLegend =
    [
        new("measured c(T)", (x, y) => LegendLine(x, y, CostColour, null)),
        new("T passes of one token", (x, y) => LegendLine(x, y, LinearColour, "4 3")),
    ];

    /// <summary>The chart as SVG text.</summary>
    public static string Render(string title, IReadOnlyList<SpeedupBar> bars, IReadOnlyList<PassCostPoint> passCost)
    {
        Validate(bars, passCost);
        bool paired = bars.Any(b => b.Expected is not null);
        double barsWidth = BarsWidth(bars, paired);
        double speedupWidth = Left + barsWidth + Right, costWidth = Left + CostPlotWidth + CostRight;
        double width = Math.Max(speedupWidth + costWidth, TextWidth(title, TitleFont) + 2 * Margin);
        double height = Top + PlotHeight + Bottom;
        // A title wider than the panels widens the canvas; the panels stay centred under it.
        double x0 = (width - speedupWidth - costWidth) / 2;

        var svg = El("svg",
            Attr("width", Num(width)), Attr("height", Num(height)), Attr("viewBox", $"0 0 {Num(width)} {Num(height)}"),
            Attr("font-family", "sans-serif"), Attr("font-size", Num(Font)), Attr("style", "background:#fff"),
            HatchPattern(),
            Text(width / 2, TitleY, title, "title", ("text-anchor", "middle"), ("font-size", Num(TitleFont))));
        DrawSpeedups(svg, bars, paired, x0, barsWidth);
        DrawCost(svg, passCost, x0 + speedupWidth);
        return svg.ToString();
    }

    private static void Validate(IReadOnlyList<SpeedupBar> bars, IReadOnlyList<PassCostPoint> passCost)
    {
        if (bars.Count == 0) throw new ArgumentException("a speed-up chart needs at least one bar", nameof(bars));
        foreach (var bar in bars)
            foreach (var (what, value) in Values(bar))
                if (!double.IsFinite(value) || value < 0)
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"bar '{bar.Label}': {what} {value} is not a finite number ≥ 0"), nameof(bars));
        if (passCost.Count == 0) throw new ArgumentException("a speed-up chart needs at least one pass cost point", nameof(passCost));
        for (int i = 0; i < passCost.Count; i++)
            if (PassCostProblem(passCost, i) is string problem)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"pass cost point {i} (T = {passCost[i].Tokens}): {problem}"), nameof(passCost));
    }

    private static string? PassCostProblem(IReadOnlyList<PassCostPoint> passCost, int i)
    {
        var point = passCost[i];
        if (point.Tokens < 1) return "T is below 1";
        if (i > 0 && point.Tokens <= passCost[i - 1].Tokens)
            return string.Create(CultureInfo.InvariantCulture, $"T does not increase from T = {passCost[i - 1].Tokens} before it");
        if (!double.IsFinite(point.Relative) || point.Relative <= 0)
            return string.Create(CultureInfo.InvariantCulture, $"relative cost {point.Relative} is not a finite number > 0");
        return null;
    }

    private static IEnumerable<(string What, double Value)> Values(SpeedupBar bar)
    {
        yield return ("speed-up", bar.Speedup);
        if (bar.Spread is double spread) yield return ("spread", spread);
        if (bar.Expected is double expected) yield return ("expected speed-up", expected);
    }

    /// <summary>
    /// The bar plot's width: a slot per bar wide enough that neither labels nor the value labels of a
    /// measured and an expected bar side by side collide, and room for the legend under it.
    /// </summary>
    private static double BarsWidth(IReadOnlyList<SpeedupBar> bars, bool paired)
    {
        double slot = Math.Max(paired ? 144 : 96, TextWidth(bars.MaxBy(b => b.Label.Length)!.Label, Font) + 16);
        return paired ? Math.Max(slot * bars.Count, LegendWidth(SpeedupLegend)) : slot * bars.Count;
    }

    private static void DrawSpeedups(XElement svg, IReadOnlyList<SpeedupBar> bars, bool paired, double x0, double plotWidth)
    {
        double left = x0 + Left, right = left + plotWidth, slot = plotWidth / bars.Count;
        var axis = ValueAxis.Above(Math.Max(1, bars.Max(b => Math.Max(b.Speedup + (b.Spread ?? 0), b.Expected ?? 0))));
        double axisY = axis.Y(0);
        DrawFrame(svg, axis, x0, left, right, "speed-up per decoder", "speed-up over greedy", "decoder", "tick");
        double barWidth = slot * BarShare / (paired ? 2 : 1);
        for (int i = 0; i < bars.Count; i++)
            DrawBar(svg, bars[i], axis, left + slot * (i + 0.5), barWidth);

        double greedyY = axis.Y(1);
        svg.Add(El("line", Attr("class", "greedy"), Attr("x1", Num(left)), Attr("y1", Num(greedyY)),
                Attr("x2", Num(right)), Attr("y2", Num(greedyY)), Attr("stroke", GreedyColour),
                Attr("stroke-width", "1.5"), Attr("stroke-dasharray", "6 4")),
            Text(right + 6, greedyY + 4, "greedy 1.0x", "greedy-label", ("fill", GreedyColour)));
        // Without predictions every bar is measured, and a legend would only say so.
        if (paired) DrawLegend(svg, left, axisY + 64, SpeedupLegend);
    }

    /// <summary>A measured bar with its whisker; where a prediction exists, the two share the slot side by side.</summary>
    private static void DrawBar(XElement svg, SpeedupBar bar, ValueAxis axis, double centre, double barWidth)
    {
        double axisY = axis.Y(0), offset = bar.Expected is null ? 0 : (barWidth + BarGap) / 2;
        double measured = centre - offset, y = axis.Y(bar.Speedup);
        svg.Add(El("rect", Attr("class", "bar"), Attr("x", Num(measured - barWidth / 2)), Attr("y", Num(y)),
            Attr("width", Num(barWidth)), Attr("height", Num(axisY - y)), Attr("fill", MeasuredColour)));
        double valueY = y;
        if (bar.Spread is double spread)
        {
            double high = axis.Y(bar.Speedup + spread), low = axis.Y(Math.Max(0, bar.Speedup - spread)), cap = barWidth / 4;
            svg.Add(El("path", Attr("class", "spread"), Attr("stroke", "#222"), Attr("fill", "none"),
                Attr("d", $"M {Num(measured - cap)} {Num(high)} H {Num(measured + cap)} M {Num(measured)} {Num(high)} " +
                          $"V {Num(low)} M {Num(measured - cap)} {Num(low)} H {Num(measured + cap)}")));
            valueY = high;
        }
        svg.Add(Text(measured, valueY - 6, Times(bar.Speedup), "value", ("text-anchor", "middle")),
            Text(centre, axisY + 18, bar.Label, "label", ("text-anchor", "middle")));
        if (bar.Expected is double expected) DrawExpected(svg, expected, axis, centre + offset, barWidth);
    }

    private static void DrawExpected(XElement svg, double expected, ValueAxis axis, double centre, double barWidth)
    {
        double y = axis.Y(expected);
        svg.Add(ExpectedRect("expected", centre - barWidth / 2, y, barWidth, axis.Y(0) - y),
            Text(centre, y - 6, Times(expected), "expected-value", ("text-anchor", "middle"), ("fill", "#555")));
    }

    private static XElement ExpectedRect(string cssClass, double x, double y, double width, double height) =>
        El("rect", Attr("class", cssClass), Attr("x", Num(x)), Attr("y", Num(y)), Attr("width", Num(width)),
            Attr("height", Num(height)), Attr("fill", $"url(#{HatchId})"), Attr("stroke", MeasuredColour), Attr("stroke-width", "1.5"));

    private static XElement HatchPattern() =>
        El("defs", El("pattern", Attr("id", HatchId), Attr("patternUnits", "userSpaceOnUse"), Attr("width", "6"),
            Attr("height", "6"), Attr("patternTransform", "rotate(45)"),
            El("line", Attr("x1", "0"), Attr("y1", "0"), Attr("x2", "0"), Attr("y2", "6"), Attr("stroke", MeasuredColour),
                Attr("stroke-width", "3"), Attr("stroke-opacity", "0.5"))));

    private static XElement LegendLine(double x, double y, string colour, string? dashes)
    {
        var line = El("line", Attr("class", "legend-swatch"), Attr("x1", Num(x)), Attr("y1", Num(y)), Attr("x2", Num(x + Swatch)),
            Attr("y2", Num(y)), Attr("stroke", colour), Attr("stroke-width", "2"));
        if (dashes is not null) line.Add(Attr("stroke-dasharray", dashes));
        return line;
    }

    private static void DrawCost(XElement svg, IReadOnlyList<PassCostPoint> points, double x0)
    {
        double left = x0 + Left, right = left + CostPlotWidth;
        int first = points[0].Tokens, last = points[^1].Tokens;
        // The reference line reaches at least two doublings past the first T (where measured), so it
        // shows its slope even when the measured curve is almost flat.
        var axis = ValueAxis.Above(Math.Max(points.Max(p => p.Relative), Math.Min(last, 4.0 * first)));
        double axisY = axis.Y(0);
        double X(double tokens) => last == first ? (left + right) / 2
            : left + CostInset + (CostPlotWidth - 2 * CostInset) * Math.Log2(tokens / first) / Math.Log2((double)last / first);

        DrawFrame(svg, axis, x0, left, right, "verification cost c(T)", "pass time relative to T = 1",
            "tokens verified in one pass (T)", "cost-tick");
        DrawTokenTicks(svg, points, X, axisY);
        svg.Add(Polyline("linear", LinearPoints(first, Math.Min(last, axis.YTop)).Select(t => (X(t), axis.Y(t))), LinearColour,
                ("stroke-dasharray", "4 3")),
            Polyline("cost-curve", points.Select(p => (X(p.Tokens), axis.Y(p.Relative))), CostColour, ("stroke-width", "2")));
        foreach (var p in points)
            svg.Add(El("circle", Attr("class", "cost-point"), Attr("cx", Num(X(p.Tokens))), Attr("cy", Num(axis.Y(p.Relative))),
                Attr("r", "3.5"), Attr("fill", CostColour)));
        var end = points[^1];
        svg.Add(Text(X(end.Tokens), axis.Y(end.Relative) - 8, $"c({end.Tokens}) = {Times(end.Relative)}", "cost-value",
            ("text-anchor", "end")));
        DrawLegend(svg, left, axisY + 64, CostLegend);
    }

    /// <summary>
    /// A tick at every measured T; a label only where it clears the one before, since T values close
    /// together on a log axis would print over each other.
    /// </summary>
    private static void DrawTokenTicks(XElement svg, IReadOnlyList<PassCostPoint> points, Func<double, double> x, double axisY)
    {
        double labelEnd = double.NegativeInfinity;
        foreach (var p in points)
        {
            string label = p.Tokens.ToString(CultureInfo.InvariantCulture);
            double at = x(p.Tokens), half = TextWidth(label, Font) / 2;
            svg.Add(Line(at, axisY, at, axisY + 4, "cost-tick"));
            if (at - half < labelEnd + 4) continue;
            svg.Add(Text(at, axisY + 18, label, "cost-tick-label", ("text-anchor", "middle")));
            labelEnd = at + half;
        }
    }

    /// <summary>
    /// T from first to last, finely enough that the straight segments between them trace c(T) = T,
    /// which curves on a log T axis.
    /// </summary>
    private static IEnumerable<double> LinearPoints(double first, double last)
    {
        double from = Math.Log2(first), to = Math.Log2(last);
        int steps = Math.Max(1, (int)Math.Ceiling((to - from) * 8));
        return Enumerable.Range(0, steps + 1).Select(k => Math.Pow(2, from + (to - from) * k / steps));
    }

    /// <summary>A panel's title, value axis with ticks, and axis labels.</summary>
    private static void DrawFrame(XElement svg, ValueAxis axis, double x0, double left, double right,
        string title, string yLabel, string xLabel, string tickClass)
    {
        double axisY = axis.Y(0), middle = (left + right) / 2, labelX = x0 + 18, labelY = Top + PlotHeight / 2;
        svg.Add(Text(middle, PanelTitleY, title, "panel-title", ("text-anchor", "middle"), ("font-size", Num(PanelFont))));
        foreach (double v in axis.Ticks())
        {
            double y = axis.Y(v);
            svg.Add(Line(left - 4, y, left, y, tickClass), Text(left - 8, y + 4, $"{Num(v)}x", tickClass + "-label", ("text-anchor", "end")));
        }
        svg.Add(Line(left, Top, left, axisY, "axis"), Line(left, axisY, right, axisY, "axis"),
            Text(labelX, labelY, yLabel, "axis-label", ("text-anchor", "middle"), ("transform", $"rotate(-90 {Num(labelX)} {Num(labelY)})")),
            Text(middle, axisY + 40, xLabel, "axis-label", ("text-anchor", "middle")));
    }

    private sealed record LegendEntry(string Label, Func<double, double, XElement> Swatch);

    private static void DrawLegend(XElement svg, double x, double y, IEnumerable<LegendEntry> entries)
    {
        foreach (var entry in entries)
        {
            svg.Add(entry.Swatch(x, y - 4), Text(x + Swatch + 6, y, entry.Label, "legend"));
            x += LegendWidth([entry]) + LegendGap;
        }
    }

    private static double LegendWidth(IReadOnlyList<LegendEntry> entries) =>
        entries.Sum(e => Swatch + 6 + TextWidth(e.Label, Font)) + LegendGap * (entries.Count - 1);

    /// <summary>A value axis from 0 to a round number a little above the highest value, over the plot's height.</summary>
    private readonly record struct ValueAxis(double Step, double YTop)
    {
        public static ValueAxis Above(double highest)
        {
            double step = TickStep(highest);
            return new(step, Math.Ceiling(highest * 1.05 / step) * step);
        }

        public double Y(double value) => Top + PlotHeight * (1 - value / YTop);

        public IEnumerable<double> Ticks()
        {
            for (int k = 0; k * Step <= YTop + Step / 1000; k++) yield return k * Step;
        }
    }

    /// <summary>A 1, 2 or 5 × 10^k step giving about five ticks up to highest.</summary>
    private static double TickStep(double highest)
    {
        double raw = highest / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        return new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
    }

    /// <summary>SVG cannot measure text, so widths are estimated at 0.6 em a character, generous for sans-serif.</summary>
    private static double TextWidth(string text, double fontSize) => 0.6 * fontSize * text.Length;

    private static string Times(double value) => value.ToString("F2", CultureInfo.InvariantCulture) + "x";

    private static XElement El(string name, params object[] content) => new(Svg + name, content);

    private static XAttribute Attr(string name, string value) => new(name, value);

    private static XElement Line(double x1, double y1, double x2, double y2, string cssClass) =>
        El("line", Attr("class", cssClass), Attr("x1", Num(x1)), Attr("y1", Num(y1)), Attr("x2", Num(x2)),
            Attr("y2", Num(y2)), Attr("stroke", "#222"));

    private static XElement Polyline(string cssClass, IEnumerable<(double X, double Y)> points, string colour,
        params (string Name, string Value)[] extra) =>
        El("polyline", [Attr("class", cssClass), Attr("points", string.Join(" ", points.Select(p => $"{Num(p.X)},{Num(p.Y)}"))),
            Attr("fill", "none"), Attr("stroke", colour), .. extra.Select(a => Attr(a.Name, a.Value))]);

    private static XElement Text(double x, double y, string text, string cssClass, params (string Name, string Value)[] extra) =>
        El("text", [Attr("class", cssClass), Attr("x", Num(x)), Attr("y", Num(y)), .. extra.Select(a => Attr(a.Name, a.Value)), text]);

    private static string Num(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
