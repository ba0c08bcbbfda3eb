using System.Globalization;
using System.Xml.Linq;

namespace Amphista.Cli.Bench;

/// <summary>One decoder's bar: its speed-up over greedy decoding and an optional ± spread (whisker).</summary>
public sealed record SpeedupBar(string Label, double Speedup, double? Spread = null);

/// <summary>
/// The bench command's picture: a self-contained SVG bar chart of speed-ups over greedy decoding, one
/// bar per decoder, with a dashed line at 1.0x (greedy itself). Built with System.Xml.Linq so every
/// label is escaped for XML, whatever a decoder or drafter is called.
/// </summary>
public static class SpeedupChart
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const double Top = 56, PlotHeight = 260, Bottom = 64, Left = 72, Right = 96, BarShare = 0.6;

    /// <summary>The chart as SVG text.</summary>
    public static string Render(string title, IReadOnlyList<SpeedupBar> bars)
    {
        Validate(bars);
        // Label text is about 7 px a character at 12 px: a slot wide enough that labels do not collide.
        double slot = Math.Max(96, 7 * bars.Max(b => b.Label.Length) + 16);
        double width = Left + slot * bars.Count + Right, height = Top + PlotHeight + Bottom;
        double highest = Math.Max(1, bars.Max(b => b.Speedup + (b.Spread ?? 0)));
        double step = TickStep(highest), yTop = Math.Ceiling(highest * 1.05 / step) * step;
        double Y(double value) => Top + PlotHeight * (1 - value / yTop);
        double axisY = Y(0);

        var svg = El("svg",
            Attr("width", Num(width)), Attr("height", Num(height)), Attr("viewBox", $"0 0 {Num(width)} {Num(height)}"),
            Attr("font-family", "sans-serif"), Attr("font-size", "12"), Attr("style", "background:#fff"),
            Text(width / 2, 28, title, "title", ("text-anchor", "middle"), ("font-size", "16")));

        for (int k = 0; k * step <= yTop + step / 1000; k++)
        {
            double v = k * step, y = Y(v);
            svg.Add(Line(Left - 4, y, Left, y, "tick"),
                Text(Left - 8, y + 4, $"{Num(v)}x", "tick-label", ("text-anchor", "end")));
        }
        svg.Add(Line(Left, Top, Left, axisY, "axis"), Line(Left, axisY, width - Right, axisY, "axis"),
            Text(18, Top + PlotHeight / 2, "speed-up over greedy", "axis-label",
                ("text-anchor", "middle"), ("transform", $"rotate(-90 18 {Num(Top + PlotHeight / 2)})")),
            Text(Left + slot * bars.Count / 2, height - 12, "decoder", "axis-label", ("text-anchor", "middle")));

        for (int i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            double centre = Left + slot * (i + 0.5), barWidth = slot * BarShare, y = Y(bar.Speedup);
            svg.Add(El("rect", Attr("class", "bar"), Attr("x", Num(centre - barWidth / 2)), Attr("y", Num(y)),
                Attr("width", Num(barWidth)), Attr("height", Num(axisY - y)), Attr("fill", "#4c72b0")));
            double valueY = y;
            if (bar.Spread is double spread)
            {
                double high = Y(bar.Speedup + spread), low = Y(Math.Max(0, bar.Speedup - spread)), cap = barWidth / 4;
                svg.Add(El("path", Attr("class", "spread"), Attr("stroke", "#222"), Attr("fill", "none"),
                    Attr("d", $"M {Num(centre - cap)} {Num(high)} H {Num(centre + cap)} M {Num(centre)} {Num(high)} " +
                              $"V {Num(low)} M {Num(centre - cap)} {Num(low)} H {Num(centre + cap)}")));
                valueY = high;
            }
            svg.Add(Text(centre, valueY - 6, bar.Speedup.ToString("F2", CultureInfo.InvariantCulture) + "x", "value",
                    ("text-anchor", "middle")),
                Text(centre, axisY + 18, bar.Label, "label", ("text-anchor", "middle")));
        }

        double greedyY = Y(1);
        svg.Add(El("line", Attr("class", "greedy"), Attr("x1", Num(Left)), Attr("y1", Num(greedyY)),
                Attr("x2", Num(width - Right)), Attr("y2", Num(greedyY)), Attr("stroke", "#c44e52"),
                Attr("stroke-width", "1.5"), Attr("stroke-dasharray", "6 4")),
            Text(width - Right + 6, greedyY + 4, "greedy 1.0x", "greedy-label", ("fill", "#c44e52")));
        return svg.ToString();
    }

    private static void Validate(IReadOnlyList<SpeedupBar> bars)
    {
        if (bars.Count == 0) throw new ArgumentException("a speed-up chart needs at least one bar", nameof(bars));
        foreach (var bar in bars)
        {
            if (!double.IsFinite(bar.Speedup) || bar.Speedup < 0)
                throw new ArgumentException($"bar '{bar.Label}': speed-up {bar.Speedup} is not a finite number ≥ 0", nameof(bars));
            if (bar.Spread is double s && (!double.IsFinite(s) || s < 0))
                throw new ArgumentException($"bar '{bar.Label}': spread {s} is not a finite number ≥ 0", nameof(bars));
        }
    }

    /// <summary>A 1, 2 or 5 × 10^k step giving about five ticks up to highest.</summary>
    private static double TickStep(double highest)
    {
        double raw = highest / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        return new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
    }

    private static XElement El(string name, params object[] content) => new(Svg + name, content);

    private static XAttribute Attr(string name, string value) => new(name, value);

    private static XElement Line(double x1, double y1, double x2, double y2, string cssClass) =>
        El("line", Attr("class", cssClass), Attr("x1", Num(x1)), Attr("y1", Num(y1)), Attr("x2", Num(x2)),
            Attr("y2", Num(y2)), Attr("stroke", "#222"));

    private static XElement Text(double x, double y, string text, string cssClass, params (string Name, string Value)[] extra) =>
        El("text", [Attr("class", cssClass), Attr("x", Num(x)), Attr("y", Num(y)), .. extra.Select(a => Attr(a.Name, a.Value)), text]);

    private static string Num(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
