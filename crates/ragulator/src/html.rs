//! An HTML table of an evaluation, grouped by theme, with a coloured chip
//! *and* the label text for every status (colour is never the only signal).
//! Shared by the Python binding's `_repr_html_` and the WASM package.

use std::collections::HashMap;
use std::fmt::Write;

use rust_decimal::Decimal;

use crate::eval::{Evaluation, IndicatorResult, ThemeResult};
use crate::explain::with_unit;
use crate::load::{Indicator, Scorecard};
use crate::model::TargetValue;
use crate::period::Period;

/// Most indicator rows rendered; the rest are counted in a note, so a huge
/// evaluation cannot freeze a notebook.
pub const MAX_ROWS: usize = 2_000;

/// Escapes text for HTML element content and quoted attribute values.
///
/// ```
/// assert_eq!(ragulator::html::escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Black or white, whichever reads better on a `#rrggbb` / `#rgb` background;
/// `None` for other CSS colours (the chip then gets a border and the
/// default text colour).
fn text_colour(background: &str) -> Option<&'static str> {
    let hex = background.strip_prefix('#')?;
    let digits: Vec<u32> = hex.chars().map(|c| c.to_digit(16)).collect::<Option<_>>()?;
    let (r, g, b) = match digits.as_slice() {
        [r, g, b] => (r * 17, g * 17, b * 17),
        [r1, r2, g1, g2, b1, b2] => (r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2),
        _ => return None,
    };
    // WCAG relative luminance; 0.179 is where black and white text give equal contrast.
    let lin = |c: u32| {
        let c = c as f64 / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    Some(if l > 0.179 { "#0b0c0c" } else { "#ffffff" })
}

/// A status chip: the colour and the label text, with the id as data.
fn chip(scorecard: &Scorecard, status: Option<&str>) -> String {
    let Some(id) = status else {
        return "<span class=\"ragulator-chip ragulator-context\">Context (no status)</span>"
            .to_string();
    };
    let (label, colour) = match scorecard.status(id) {
        Some(s) => (s.label.as_str(), s.colour.as_str()),
        None => (id, ""),
    };
    let style = match text_colour(colour) {
        Some(fg) => format!("background:{};color:{fg}", escape(colour)),
        None if colour.is_empty() => String::new(),
        None => format!("background:{};border:1px solid #0b0c0c", escape(colour)),
    };
    format!(
        "<span class=\"ragulator-chip\" data-status=\"{}\" style=\"{style}\">{}</span>",
        escape(id),
        escape(label)
    )
}

fn target_text(ind: &Indicator, t: Option<TargetValue>) -> String {
    match t {
        None => "—".to_string(),
        Some(TargetValue::Value(v)) => with_unit(v.get(), ind.unit, ind.decimals),
        Some(TargetValue::Range { low, high }) => format!(
            "{}–{}",
            with_unit(low.get(), ind.unit, ind.decimals),
            with_unit(high.get(), ind.unit, ind.decimals)
        ),
    }
}

fn value_text(ind: &Indicator, v: Option<Decimal>) -> String {
    v.map(|v| with_unit(v, ind.unit, ind.decimals))
        .unwrap_or_else(|| "—".to_string())
}

fn override_note(r: &IndicatorResult, scorecard: &Scorecard) -> String {
    match (&r.overridden, r.computed_status.as_deref()) {
        (Some(o), Some(computed)) => {
            let computed_label = scorecard
                .status(computed)
                .map(|s| s.label.as_str())
                .unwrap_or(computed);
            format!(
                "<div class=\"ragulator-override\">Overridden; the rules said {}. Reason: {}</div>",
                escape(computed_label),
                escape(&o.reason)
            )
        }
        _ => String::new(),
    }
}

const STYLE: &str = "<style>\
.ragulator-scorecard table{border-collapse:collapse;margin:0 0 1em 0;font-size:0.9em}\
.ragulator-scorecard caption{text-align:left;font-weight:bold;padding:0.3em 0}\
.ragulator-scorecard th,.ragulator-scorecard td{border-bottom:1px solid #b1b4b6;padding:0.3em 0.6em;text-align:left;vertical-align:top}\
.ragulator-scorecard tr.ragulator-theme th,.ragulator-scorecard tr.ragulator-theme td{background:#f3f2f1}\
.ragulator-scorecard .ragulator-num{text-align:right;white-space:nowrap}\
.ragulator-chip{display:inline-block;padding:0.1em 0.5em;border-radius:0.8em;font-weight:bold;white-space:nowrap}\
.ragulator-context{border:1px dashed #505a5f;color:#505a5f}\
.ragulator-override{font-size:0.85em;font-style:italic}\
.ragulator-note{font-size:0.85em;color:#505a5f}\
</style>";

/// The evaluation as an HTML fragment: one table per entity, rows grouped
/// under their theme (the theme's own status on its header row), each
/// status shown as a coloured chip carrying its label text.
///
/// When the evaluation spans several periods, each entity's latest period
/// is shown and a note says so (every period is in the JSON, CSV and data
/// frames); at most [`MAX_ROWS`] indicator rows are rendered, and a note
/// counts the rest. All text from the scorecard and data is escaped.
///
/// ```
/// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X <1>'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='target',amber=1}\n").unwrap();
/// let data = s.read_csv(b"indicator,period,value\nx,2022-06,4\n").unwrap();
/// let html = ragulator::html::evaluation_table(&s, &s.evaluate(&data, &Default::default()).unwrap());
/// assert!(html.contains("X &lt;1&gt;"));
/// assert!(html.contains(">Amber – Medium Risk</span>"));
/// ```
pub fn evaluation_table(scorecard: &Scorecard, evaluation: &Evaluation) -> String {
    let mut out = String::from("<div class=\"ragulator-scorecard\">");
    out.push_str(STYLE);
    if evaluation.results.is_empty() {
        out.push_str("<p class=\"ragulator-note\">No results: the data has no rows for this scorecard's indicators.</p>");
        note_rejected(&mut out, evaluation);
        out.push_str("</div>");
        return out;
    }
    // Entities in first-seen order, each with its latest period.
    let mut entities: Vec<(Option<&str>, Period)> = Vec::new();
    let mut periods: Vec<Period> = Vec::new();
    for r in &evaluation.results {
        let e = r.entity.as_deref();
        match entities.iter_mut().find(|(x, _)| *x == e) {
            Some((_, p)) => *p = (*p).max(r.period),
            None => entities.push((e, r.period)),
        }
        if !periods.contains(&r.period) {
            periods.push(r.period);
        }
    }
    let themes: HashMap<(Option<&str>, &str, Period), &ThemeResult> = evaluation
        .themes
        .iter()
        .map(|t| ((t.entity.as_deref(), &*t.theme, t.period), t))
        .collect();
    if let Some(name) = scorecard.name() {
        let _ = write!(out, "<h3>{}</h3>", escape(name));
    }
    if periods.len() > 1 {
        let _ = write!(
            out,
            "<p class=\"ragulator-note\">The evaluation covers {} periods and {} results; each entity's latest period is shown.</p>",
            periods.len(),
            evaluation.results.len()
        );
    }
    let mut shown = 0usize;
    let mut hidden = 0usize;
    for &(entity, period) in &entities {
        let rows: Vec<&IndicatorResult> = evaluation
            .results
            .iter()
            .filter(|r| r.entity.as_deref() == entity && r.period == period)
            .collect();
        if shown >= MAX_ROWS {
            hidden += rows.len();
            continue;
        }
        let caption = match entity {
            Some(e) => format!("{} · {period}", escape(e)),
            None => period.to_string(),
        };
        let _ = write!(
            out,
            "<table><caption>{caption}</caption><thead><tr><th scope=\"col\">Indicator</th>\
             <th scope=\"col\" class=\"ragulator-num\">Value</th><th scope=\"col\" class=\"ragulator-num\">Target</th>\
             <th scope=\"col\">Status</th><th scope=\"col\">Direction</th><th scope=\"col\">Why</th></tr></thead>"
        );
        // Themes in scorecard order, then indicators without a theme.
        let mut groups: Vec<(Option<usize>, Vec<&IndicatorResult>)> = Vec::new();
        for r in rows {
            let theme_ix = scorecard.indicator(&r.indicator).and_then(|i| {
                let t = scorecard.theme_of(i)?;
                scorecard.themes().iter().position(|x| x.id == t.id)
            });
            match groups.iter_mut().find(|(t, _)| *t == theme_ix) {
                Some((_, g)) => g.push(r),
                None => groups.push((theme_ix, vec![r])),
            }
        }
        groups.sort_by_key(|(t, _)| t.unwrap_or(usize::MAX));
        for (theme_ix, members) in groups {
            out.push_str("<tbody>");
            match theme_ix.and_then(|t| scorecard.themes().get(t)) {
                Some(theme) => {
                    let tr = themes.get(&(entity, theme.id.as_str(), period));
                    let _ = write!(
                        out,
                        "<tr class=\"ragulator-theme\"><th scope=\"rowgroup\" colspan=\"3\">{}</th><td>{}</td><td></td><td>{}</td></tr>",
                        escape(&theme.name),
                        tr.map(|t| chip(scorecard, Some(&t.status))).unwrap_or_default(),
                        tr.map(|t| escape(&t.explanation)).unwrap_or_default()
                    );
                }
                None if scorecard.themes().is_empty() => {}
                None => out.push_str(
                    "<tr class=\"ragulator-theme\"><th scope=\"rowgroup\" colspan=\"6\">Indicators without a theme</th></tr>",
                ),
            }
            for r in members {
                if shown >= MAX_ROWS {
                    hidden += 1;
                    continue;
                }
                shown += 1;
                let Some(ind) = scorecard.indicator(&r.indicator) else {
                    continue;
                };
                let _ = write!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td class=\"ragulator-num\">{}</td><td class=\"ragulator-num\">{}</td>\
                     <td>{}{}</td><td>{} {}</td><td>{}</td></tr>",
                    escape(&ind.name),
                    escape(&value_text(ind, r.value)),
                    escape(&target_text(ind, r.target)),
                    chip(scorecard, r.status.as_deref()),
                    override_note(r, scorecard),
                    r.direction.arrow(ind.polarity),
                    r.direction.as_str().replace('_', " "),
                    escape(&r.explanation)
                );
            }
            out.push_str("</tbody>");
        }
        out.push_str("</table>");
    }
    if hidden > 0 {
        let _ = write!(
            out,
            "<p class=\"ragulator-note\">{hidden} more results are not shown (the display stops at {MAX_ROWS} rows); every result is in the data frames and JSON.</p>"
        );
    }
    note_rejected(&mut out, evaluation);
    out.push_str("</div>");
    out
}

fn note_rejected(out: &mut String, evaluation: &Evaluation) {
    if !evaluation.rejected.is_empty() {
        let _ = write!(
            out,
            "<p class=\"ragulator-note\">{} of {} input rows were rejected; see <code>rejected</code>.</p>",
            evaluation.rejected.len(),
            evaluation.input_rows
        );
    }
}
