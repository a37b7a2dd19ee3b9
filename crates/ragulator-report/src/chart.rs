//! One inline SVG chart per indicator: values over the charted periods, the
//! target, comparators, SPC mean and limits, special-cause points marked by
//! shape, and a strip of status initials, with a sentence giving the numbers
//! as its text alternative.
//!
//! Coordinates are floats (drawing only); every number written as text comes
//! from the decimals, formatted as the tables format them.

use std::fmt::Write;

use ragulator::explain::number;
use ragulator::load::Indicator;
use ragulator::model::{TargetValue, Unit};
use ragulator::{IndicatorResult, Period, Scorecard, SpcChart};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::text::{escape, period_long, period_short, value};
use crate::Report;

/// View box width; the SVG scales to its container.
const W: f64 = 440.0;
const LEFT: f64 = 46.0;
const RIGHT: f64 = W - 14.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 156.0;
/// Status strip, under the period labels.
const STRIP_Y: f64 = 178.0;
const STRIP_H: f64 = 14.0;

const INK: &str = "#0b0c0c";
const GRID: &str = "#dcdcdc";
const TARGET: &str = "#1d70b8";
const SPC_LINE: &str = "#6f777b";
/// Comparator strokes: colour and dash pattern, so they differ in greyscale too.
const COMPARATOR_STYLES: [(&str, &str); 3] = [
    ("#5c2d91", "1.5 3"),
    ("#a7285f", "7 3 1.5 3"),
    ("#6f4e37", "3 2"),
];

/// How a point of the value line is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Marker {
    Common,
    Improvement,
    Concern,
    Neutral,
}

impl Marker {
    fn of(point_type: &str) -> Marker {
        match point_type {
            "special_cause_improvement" => Marker::Improvement,
            "special_cause_concern" => Marker::Concern,
            t if t.starts_with("special_cause_neutral") => Marker::Neutral,
            _ => Marker::Common,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Marker::Common => "common cause",
            Marker::Improvement => "special cause: improvement",
            Marker::Concern => "special cause: concern",
            Marker::Neutral => "special cause: neither better nor worse",
        }
    }

    /// The shape centred on (x, y): circle, diamond, square, triangle.
    fn svg(self, x: f64, y: f64) -> String {
        match self {
            Marker::Common => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.6\" fill=\"{INK}\"/>"),
            Marker::Improvement => format!(
                "<path d=\"M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z\" fill=\"#1d70b8\" stroke=\"{INK}\" stroke-width=\"1\"/>",
                y - 6.0, x + 6.0, y + 6.0, x - 6.0
            ),
            Marker::Concern => format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"#f47738\" stroke=\"{INK}\" stroke-width=\"1\"/>",
                x - 4.5, y - 4.5
            ),
            Marker::Neutral => format!(
                "<path d=\"M{x:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z\" fill=\"#912b88\" stroke=\"{INK}\" stroke-width=\"1\"/>",
                y - 6.0, x + 5.5, y + 4.0, x - 5.5, y + 4.0
            ),
        }
    }
}

/// What one chart draws, in data units.
struct Chart<'a> {
    ind: &'a Indicator,
    periods: &'a [Period],
    results: Vec<Option<&'a IndicatorResult>>,
    values: Vec<Option<Decimal>>,
    /// Low and high of the target (equal for a single value).
    targets: Vec<Option<(Decimal, Decimal)>>,
    /// (label, values) for each comparator with a value in the window.
    comparators: Vec<(&'a str, Vec<Option<Decimal>>)>,
    markers: Vec<Marker>,
    /// (first index, last index, mean, lower limit, upper limit) per SPC segment.
    spc: Vec<(usize, usize, Decimal, Decimal, Decimal)>,
}

impl<'a> Chart<'a> {
    fn new(r: &'a Report<'_>, ind: &'a Indicator, periods: &'a [Period]) -> Chart<'a> {
        let results = r.series(&ind.id, periods);
        let values = results.iter().map(|x| x.and_then(|x| x.value)).collect();
        let targets = results
            .iter()
            .map(|x| match x.and_then(|x| x.target) {
                Some(TargetValue::Value(v)) => Some((v.get(), v.get())),
                Some(TargetValue::Range { low, high }) => Some((low.get(), high.get())),
                None => None,
            })
            .collect();
        let comparators =
            r.sc.comparators()
                .map(|(name, label)| {
                    let vals: Vec<Option<Decimal>> = results
                        .iter()
                        .map(|x| {
                            x.and_then(|x| x.comparators.iter().find(|(n, _)| &**n == name))
                                .map(|(_, v)| *v)
                        })
                        .collect();
                    (label, vals)
                })
                .filter(|(_, v)| v.iter().any(Option::is_some))
                .collect();
        let chart = r.spc.get(&ind.id);
        let markers = periods
            .iter()
            .map(|p| {
                chart
                    .and_then(|c| c.points.iter().find(|pt| pt.period == *p))
                    .map_or(Marker::Common, |pt| Marker::of(pt.point_type))
            })
            .collect();
        Chart {
            ind,
            periods,
            results,
            values,
            targets,
            comparators,
            markers,
            spc: chart.map(|c| segments(c, periods)).unwrap_or_default(),
        }
    }

    /// Every number drawn, for the scale.
    fn extent(&self) -> Option<(f64, f64)> {
        let mut all: Vec<f64> = Vec::new();
        let mut add = |d: Decimal| {
            if let Some(f) = d.to_f64() {
                all.push(f);
            }
        };
        self.values.iter().flatten().for_each(|v| add(*v));
        for (lo, hi) in self.targets.iter().flatten() {
            add(*lo);
            add(*hi);
        }
        for (_, vals) in &self.comparators {
            vals.iter().flatten().for_each(|v| add(*v));
        }
        for (_, _, mean, lpl, upl) in &self.spc {
            add(*mean);
            add(*lpl);
            add(*upl);
        }
        let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo.is_finite() && hi.is_finite()).then_some((lo, hi))
    }
}

/// SPC segments clipped to the charted periods, as index ranges.
fn segments(c: &SpcChart, periods: &[Period]) -> Vec<(usize, usize, Decimal, Decimal, Decimal)> {
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, g) in c.groups.iter().enumerate() {
        let end = c
            .groups
            .get(i + 1)
            .and_then(|next| c.points.iter().rev().find(|p| p.period < next.start))
            .or(c.points.last())
            .map(|p| p.period);
        let Some(end) = end else { continue };
        if end < *first || g.start > *last {
            continue;
        }
        let a = periods.iter().position(|p| *p >= g.start).unwrap_or(0);
        let b = periods.iter().rposition(|p| *p <= end).unwrap_or(a);
        out.push((a, b, g.mean, g.lpl, g.upl));
    }
    out
}

/// A "nice" tick step (1, 2, 2.5 or 5 × 10^k) giving about four intervals.
fn nice_step(range: f64) -> f64 {
    let raw = (range / 4.0).max(f64::EPSILON);
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// The y scale: (lowest tick, highest tick, step).
fn scale(min: f64, max: f64, unit: Unit) -> (f64, f64, f64) {
    let (lo, hi) = if (max - min).abs() < 1e-9 {
        (
            min - min.abs().max(1.0) * 0.1,
            max + max.abs().max(1.0) * 0.1,
        )
    } else {
        let pad = (max - min) * 0.08;
        (min - pad, max + pad)
    };
    // Rates and percentages are never negative; a percentage never tops 100.
    let lo = if min >= 0.0 { lo.max(0.0) } else { lo };
    let hi = if unit == Unit::Percent && max <= 100.0 {
        hi.min(100.0)
    } else {
        hi
    };
    let step = nice_step(hi - lo);
    let bottom = (lo / step).floor() * step;
    let top = (hi / step).ceil() * step;
    (bottom, top.max(bottom + step), step)
}

fn tick_label(v: f64, step: f64, unit: Unit) -> String {
    let dp = if step >= 1.0 {
        0
    } else if step >= 0.1 {
        1
    } else {
        2
    };
    let d = Decimal::try_from(v).unwrap_or_default();
    let n = number(d, Some(dp));
    match unit {
        Unit::Percent => format!("{n}%"),
        _ => n,
    }
}

/// Black or white text on a `#rrggbb` background (WCAG luminance).
pub(crate) fn ink_on(background: &str) -> &'static str {
    let hex = background.trim_start_matches('#');
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map(|c| {
                let c = f64::from(c) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            })
    };
    match (hex.len(), channel(0), channel(2), channel(4)) {
        (6, Some(r), Some(g), Some(b)) if 0.2126 * r + 0.7152 * g + 0.0722 * b <= 0.179 => {
            "#ffffff"
        }
        _ => INK,
    }
}

/// A status's initial and colour, for the strip.
fn status_cell(sc: &Scorecard, id: &str) -> (String, String) {
    match sc.status(id) {
        Some(s) => (
            s.label
                .chars()
                .find(|c| c.is_alphanumeric())
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_else(|| "?".into()),
            crate::text::css_colour(&s.colour).to_string(),
        ),
        None => ("?".into(), "#ffffff".into()),
    }
}

/// A polyline through the points, broken where a value is missing.
fn path(points: impl Iterator<Item = Option<(f64, f64)>>) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for p in points {
        match p {
            Some((x, y)) => {
                let _ = write!(d, "{}{x:.1} {y:.1}", if pen_down { "L" } else { "M" });
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

/// A step line: level across each period's band, joined where it changes.
fn step_path(levels: &[Option<f64>], x: impl Fn(f64) -> f64, y: impl Fn(f64) -> f64) -> String {
    let mut d = String::new();
    let mut last: Option<f64> = None;
    for (i, level) in levels.iter().enumerate() {
        let (x0, x1) = (x(i as f64 - 0.5), x(i as f64 + 0.5));
        match (level, last) {
            (Some(v), Some(prev)) if (prev - v).abs() < 1e-12 => {
                let _ = write!(d, "H{x1:.1}");
            }
            (Some(v), Some(_)) => {
                let _ = write!(d, "V{:.1}H{x1:.1}", y(*v));
            }
            (Some(v), None) => {
                let _ = write!(d, "M{x0:.1} {:.1}H{x1:.1}", y(*v));
            }
            (None, _) => {}
        }
        last = *level;
    }
    d
}

/// Line legend item: a sample stroke and its label; returns the width used.
fn legend_line(
    out: &mut String,
    x: f64,
    y: f64,
    colour: &str,
    dash: &str,
    width: f64,
    label: &str,
) -> f64 {
    let dash_attr = if dash.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{dash}\"")
    };
    let _ = write!(
        out,
        "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"{width}\"{dash_attr}/>\
         <text x=\"{:.1}\" y=\"{:.1}\" class=\"lg\">{}</text>",
        x + 18.0,
        x + 22.0,
        y + 3.5,
        escape(label)
    );
    22.0 + text_width(label) + 12.0
}

/// Rough width of legend text at 9.5px: enough to lay items out without overlap.
fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * 5.1
}

/// The chart of one indicator over `periods` (the last is the reported one).
pub(crate) fn indicator_chart(
    r: &Report<'_>,
    ind: &Indicator,
    periods: &[Period],
    id: &str,
) -> String {
    let c = Chart::new(r, ind, periods);
    let n = periods.len().max(1) as f64;
    let band = (RIGHT - LEFT) / n;
    let x = |i: f64| LEFT + (i + 0.5) * band;
    let (lo, hi, step) = match c.extent() {
        Some((lo, hi)) => scale(lo, hi, ind.unit),
        None => (0.0, 1.0, 0.25),
    };
    let y = |v: f64| BOTTOM - (v - lo) / (hi - lo) * (BOTTOM - TOP);
    let yd = |d: Decimal| d.to_f64().map(y);
    let mut body = String::new();

    // Grid and y-axis labels.
    let mut t = lo;
    while t <= hi + step * 1e-6 {
        let _ = write!(
            body,
            "<line x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{RIGHT}\" y2=\"{0:.1}\" stroke=\"{GRID}\" stroke-width=\"0.8\"/>\
             <text x=\"{1:.1}\" y=\"{2:.1}\" class=\"ax\" text-anchor=\"end\">{3}</text>",
            y(t),
            LEFT - 5.0,
            y(t) + 3.5,
            escape(&tick_label(t, step, ind.unit))
        );
        t += step;
    }
    // Period labels: every third period, counted back from the reported one.
    let last = periods.len().saturating_sub(1);
    let every = if periods.len() > 12 { 3 } else { 1 };
    for (i, p) in periods.iter().enumerate() {
        if (last - i) % every == 0 {
            let _ = write!(
                body,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"ax\" text-anchor=\"middle\">{}</text>",
                x(i as f64),
                BOTTOM + 14.0,
                escape(&period_short(p))
            );
        }
    }
    let _ = write!(
        body,
        "<line x1=\"{LEFT}\" y1=\"{BOTTOM}\" x2=\"{RIGHT}\" y2=\"{BOTTOM}\" stroke=\"{INK}\" stroke-width=\"1\"/>"
    );

    // SPC mean and limits per segment.
    for &(a, b, mean, lpl, upl) in &c.spc {
        let (x0, x1) = (x(a as f64 - 0.4), x(b as f64 + 0.4));
        for (v, dash, w) in [(mean, "", 1.2), (lpl, "4 3", 1.0), (upl, "4 3", 1.0)] {
            if let Some(yv) = yd(v) {
                let dash = if dash.is_empty() {
                    String::new()
                } else {
                    format!(" stroke-dasharray=\"{dash}\"")
                };
                let _ = write!(
                    body,
                    "<line x1=\"{x0:.1}\" y1=\"{yv:.1}\" x2=\"{x1:.1}\" y2=\"{yv:.1}\" stroke=\"{SPC_LINE}\" stroke-width=\"{w}\"{dash}/>"
                );
            }
        }
    }
    // Target: a step line (two for a range).
    let lows: Vec<Option<f64>> = c
        .targets
        .iter()
        .map(|t| t.and_then(|t| t.0.to_f64()))
        .collect();
    let highs: Vec<Option<f64>> = c
        .targets
        .iter()
        .map(|t| t.and_then(|t| t.1.to_f64()))
        .collect();
    let is_range = c.targets.iter().flatten().any(|(l, h)| l != h);
    for levels in if is_range {
        vec![&lows, &highs]
    } else {
        vec![&lows]
    } {
        let d = step_path(levels, x, y);
        if !d.is_empty() {
            let _ = write!(
                body,
                "<path d=\"{d}\" fill=\"none\" stroke=\"{TARGET}\" stroke-width=\"2\" stroke-dasharray=\"8 4\"/>"
            );
        }
    }
    // Comparators.
    for (k, (_, vals)) in c.comparators.iter().enumerate() {
        let (colour, dash) = COMPARATOR_STYLES[k % COMPARATOR_STYLES.len()];
        let d = path(
            vals.iter()
                .enumerate()
                .map(|(i, v)| Some((x(i as f64), yd((*v)?)?))),
        );
        let _ = write!(
            body,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.8\" stroke-dasharray=\"{dash}\" stroke-linecap=\"round\"/>"
        );
    }
    // Values and their markers.
    let pts: Vec<Option<(f64, f64)>> = c
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| Some((x(i as f64), yd((*v)?)?)))
        .collect();
    let _ = write!(
        body,
        "<path d=\"{}\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"2.2\" stroke-linejoin=\"round\"/>",
        path(pts.iter().copied())
    );
    for (p, m) in pts.iter().zip(&c.markers) {
        if let Some((px, py)) = p {
            body.push_str(&m.svg(*px, *py));
        }
    }
    // The reported value, written beside its point.
    if let Some(Some((px, py))) = pts.last() {
        let above = *py > TOP + 16.0;
        let _ = write!(
            body,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"val\" text-anchor=\"end\">{}</text>",
            px - 4.0,
            if above { py - 8.0 } else { py + 16.0 },
            escape(&point_label(ind, c.values.last().copied().flatten()))
        );
    }
    // Status strip: colour and initial per period.
    let has_strip = ind.has_rag();
    if has_strip {
        let _ = write!(
            body,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"ax\" text-anchor=\"end\">Status</text>",
            LEFT - 5.0,
            STRIP_Y + STRIP_H - 3.5
        );
        for (i, res) in c.results.iter().enumerate() {
            let Some(status) = res.and_then(|r| r.status.as_deref()) else {
                continue;
            };
            let (initial, colour) = status_cell(r.sc, status);
            let _ = write!(
                body,
                "<rect x=\"{:.1}\" y=\"{STRIP_Y}\" width=\"{:.1}\" height=\"{STRIP_H}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" class=\"st\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                x(i as f64) - band / 2.0,
                band,
                escape(&colour),
                x(i as f64),
                STRIP_Y + STRIP_H - 3.5,
                ink_on(&colour),
                escape(&initial)
            );
        }
    }

    // Legend: only what this chart draws.
    let mut legend = String::new();
    let mut lx = LEFT;
    let mut ly = if has_strip {
        STRIP_Y + STRIP_H + 16.0
    } else {
        BOTTOM + 32.0
    };
    let mut place =
        |legend: &mut String, width: f64, draw: &dyn Fn(&mut String, f64, f64) -> f64| {
            if lx + width > W - 4.0 && lx > LEFT {
                lx = LEFT;
                ly += 15.0;
            }
            lx += draw(legend, lx, ly);
        };
    let item_w = |label: &str| 22.0 + text_width(label) + 12.0;
    place(&mut legend, item_w("Value"), &|o, x0, y0| {
        legend_line(o, x0, y0, INK, "", 2.2, "Value")
    });
    if c.targets.iter().any(Option::is_some) {
        let label = if is_range { "Target range" } else { "Target" };
        place(&mut legend, item_w(label), &|o, x0, y0| {
            legend_line(o, x0, y0, TARGET, "8 4", 2.0, label)
        });
    }
    for (k, (label, _)) in c.comparators.iter().enumerate() {
        let (colour, dash) = COMPARATOR_STYLES[k % COMPARATOR_STYLES.len()];
        place(&mut legend, item_w(label), &|o, x0, y0| {
            legend_line(o, x0, y0, colour, dash, 1.8, label)
        });
    }
    if !c.spc.is_empty() {
        place(&mut legend, item_w("SPC mean"), &|o, x0, y0| {
            legend_line(o, x0, y0, SPC_LINE, "", 1.2, "SPC mean")
        });
        place(&mut legend, item_w("Process limits"), &|o, x0, y0| {
            legend_line(o, x0, y0, SPC_LINE, "4 3", 1.0, "Process limits")
        });
    }
    for m in [Marker::Improvement, Marker::Concern, Marker::Neutral] {
        if c.markers.contains(&m) {
            let label = capitalise(m.words());
            place(
                &mut legend,
                16.0 + text_width(&label) + 12.0,
                &|o, x0, y0| {
                    o.push_str(&m.svg(x0 + 6.0, y0));
                    let _ = write!(
                        o,
                        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"lg\">{}</text>",
                        x0 + 16.0,
                        y0 + 3.5,
                        escape(&label)
                    );
                    16.0 + text_width(&label) + 12.0
                },
            );
        }
    }
    let height = ly + 10.0;

    let (title, desc) = (title(&c), describe(r, &c));
    format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {W} {height:.0}\" aria-labelledby=\"{id}-t {id}-d\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>{body}{legend}</svg>",
        escape(&title),
        escape(&desc),
        id = escape(id)
    )
}

/// The reported value beside its point: the number, with `%` for a
/// percentage (other units are on the axis and in the table).
fn point_label(ind: &Indicator, v: Option<Decimal>) -> String {
    match v {
        Some(v) if ind.unit == Unit::Percent => format!("{}%", number(v, ind.decimals)),
        Some(v) => number(v, ind.decimals),
        None => String::new(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn title(c: &Chart<'_>) -> String {
    match (c.periods.first(), c.periods.last()) {
        (Some(a), Some(b)) if a != b => format!(
            "Chart of {}, {} to {}",
            c.ind.name,
            period_long(a),
            period_long(b)
        ),
        (_, Some(b)) => format!("Chart of {}, {}", c.ind.name, period_long(b)),
        _ => format!("Chart of {}", c.ind.name),
    }
}

/// The text alternative: the reported value against its references, the
/// range over the window, SPC, and every value.
fn describe(r: &Report<'_>, c: &Chart<'_>) -> String {
    let ind = c.ind;
    let v = |d: Decimal| value(ind, Some(d));
    let mut s = String::new();
    let now = c.results.last().copied().flatten();
    match (c.periods.last(), c.values.last().copied().flatten()) {
        (Some(p), Some(val)) => {
            let _ = write!(s, "{} was {} in {}", ind.name, v(val), period_long(p));
        }
        (Some(p), None) => {
            let _ = write!(s, "{} has no value for {}", ind.name, period_long(p));
        }
        _ => s.push_str(&ind.name),
    }
    if let Some(label) = now
        .and_then(|x| x.status.as_deref())
        .and_then(|id| r.sc.status(id))
    {
        let _ = write!(s, ", status {}", label.label);
    }
    let mut refs = Vec::new();
    if let Some(t) = now.and_then(|x| x.target) {
        refs.push(format!("target {}", crate::text::target(ind, Some(t))));
    }
    for (label, vals) in &c.comparators {
        if let Some(val) = vals.last().copied().flatten() {
            refs.push(format!("{label} {}", v(val)));
        }
    }
    if let Some(ly) = now.and_then(|x| x.last_year) {
        refs.push(format!("same period last year {}", v(ly)));
    }
    if !refs.is_empty() {
        let _ = write!(s, "; {}", refs.join(", "));
    }
    s.push('.');
    let valued: Vec<(Period, Decimal)> = c
        .periods
        .iter()
        .zip(&c.values)
        .filter_map(|(p, v)| Some((*p, (*v)?)))
        .collect();
    let lowest = valued.iter().min_by_key(|x| x.1);
    let highest = valued.iter().max_by_key(|x| x.1);
    if let (Some(lo), Some(hi), true) = (lowest, highest, valued.len() > 1) {
        let _ = write!(
            s,
            " Over {} periods it ranged from {} ({}) to {} ({}).",
            valued.len(),
            v(lo.1),
            period_long(&lo.0),
            v(hi.1),
            period_long(&hi.0)
        );
    }
    if let Some(&(_, _, mean, lpl, upl)) = c.spc.last() {
        let _ = write!(
            s,
            " SPC: mean {}, process limits {} to {}.",
            number(mean, ind.decimals.map(|d| d + 1)),
            number(lpl, ind.decimals.map(|d| d + 1)),
            number(upl, ind.decimals.map(|d| d + 1))
        );
        let special: Vec<String> = c
            .periods
            .iter()
            .zip(&c.markers)
            .filter(|(_, m)| **m != Marker::Common)
            .map(|(p, m)| format!("{} ({})", period_long(p), m.words()))
            .collect();
        if special.is_empty() {
            s.push_str(" No special-cause points.");
        } else {
            let _ = write!(s, " Special-cause points: {}.", special.join(", "));
        }
    }
    if !valued.is_empty() {
        let list: Vec<String> = valued
            .iter()
            .map(|(p, val)| format!("{} {}", period_short(p), v(*val)))
            .collect();
        let _ = write!(s, " Values: {}.", list.join("; "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_nice() {
        assert_eq!(nice_step(10.0), 2.5);
        assert_eq!(nice_step(7.0), 2.0);
        assert_eq!(nice_step(400.0), 100.0);
    }

    #[test]
    fn percentages_stay_within_0_and_100() {
        let (lo, hi, _) = scale(2.0, 99.0, Unit::Percent);
        assert_eq!((lo, hi), (0.0, 100.0));
    }

    #[test]
    fn ink_contrasts() {
        assert_eq!(ink_on("#00703c"), "#ffffff");
        assert_eq!(ink_on("#ffbf47"), INK);
        assert_eq!(ink_on("green"), INK);
    }
}
