//! The terminal table: per entity and period, each theme with its status,
//! then its indicators with value, target, comparators, direction and label.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use ragulator::explain::{number, reference_places, with_unit};
use ragulator::load::Indicator;
use ragulator::{Direction, Evaluation, IndicatorResult, Scorecard};

fn ansi(colour: &str) -> &'static str {
    match colour {
        "blue" => "\x1b[1;34m",
        "green" => "\x1b[1;32m",
        "amber" => "\x1b[1;33m",
        "red" => "\x1b[1;31m",
        _ => "\x1b[2m",
    }
}

fn paint(text: &str, status: &str, colour: bool) -> String {
    if colour {
        format!("{}{text}\x1b[0m", ansi(status))
    } else {
        text.to_string()
    }
}

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n >= width {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        format!("{text}{}", " ".repeat(width - n))
    }
}

fn lpad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{}{text}", " ".repeat(width.saturating_sub(n)))
}

/// One indicator's line of the table, as text.
struct Row {
    name: String,
    /// Value, target, then each comparator.
    cells: Vec<String>,
    arrow: &'static str,
    travel: &'static str,
    label: String,
}

fn row(ind: &Indicator, r: &IndicatorResult, comparators: &[(String, String)]) -> Row {
    // Targets and comparators are never rounded; nor is their display.
    let reference = |v| with_unit(v, ind.unit, reference_places(v, ind.decimals));
    let value = r
        .value
        .map(|v| with_unit(v, ind.unit, ind.decimals))
        .unwrap_or_else(|| "–".into());
    let target = match r.target {
        Some(ragulator::model::TargetValue::Value(t)) => reference(t.0),
        Some(ragulator::model::TargetValue::Range { low, high }) => format!(
            "{}–{}",
            number(low.0, reference_places(low.0, ind.decimals)),
            reference(high.0)
        ),
        None => "–".into(),
    };
    let mut cells = vec![value, target];
    for (name, _) in comparators {
        let c = r
            .comparators
            .iter()
            .find(|(n, _)| &**n == name.as_str())
            .map(|(_, v)| reference(*v));
        cells.push(c.unwrap_or_else(|| "–".into()));
    }
    let label = match (&r.label, &r.overridden) {
        (Some(l), Some(_)) => format!(
            "{l} (overridden from {})",
            r.computed_status.as_deref().unwrap_or("")
        ),
        (Some(l), None) => l.to_string(),
        (None, _) => "context".to_string(),
    };
    // The arrow shows the movement, the word whether it is better.
    let travel = match r.direction {
        Direction::Improving => "better",
        Direction::Worsening => "worse",
        Direction::NoChange => "no change",
        Direction::Up => "up",
        Direction::Down => "down",
        Direction::NotComparable => "",
    };
    Row {
        name: ind.name.clone(),
        cells,
        arrow: r.direction.arrow(ind.polarity),
        travel,
        label,
    }
}

/// Renders an evaluation as a text table.
pub fn render(scorecard: &Scorecard, evaluation: &Evaluation, colour: bool) -> String {
    let mut out = String::new();
    if let Some(name) = scorecard.name() {
        let _ = writeln!(out, "{name}");
    }
    let comparators: Vec<(String, String)> = scorecard
        .comparators()
        .map(|(n, l)| (n.to_string(), l.to_string()))
        .collect();
    // Names whole where they fit: two names cut to one prefix would read as
    // the same indicator. Very long names are still cut, to keep a row a line.
    let name_width = scorecard
        .indicators()
        .iter()
        .map(|i| i.name.chars().count() + 1)
        .max()
        .unwrap_or(0)
        .clamp(24, 60);
    let keys: BTreeSet<(Option<&str>, ragulator::Period)> = evaluation
        .results
        .iter()
        .map(|r| (r.entity.as_deref(), r.period))
        .collect();
    for (entity, period) in keys {
        let _ = writeln!(out, "\n{} · {period}", entity.unwrap_or("(all)"));
        let here: Vec<&IndicatorResult> = evaluation
            .results
            .iter()
            .filter(|r| r.entity.as_deref() == entity && r.period == period)
            .collect();
        // Every cell first, so that each column is as wide as its widest
        // cell (a range target, "668 per 10,000") in all of this block's
        // sections.
        // By indicator: one result each in this block.
        let rows: HashMap<&str, Row> = here
            .iter()
            .filter_map(|r| {
                let row = row(scorecard.indicator(&r.indicator)?, r, &comparators);
                Some((&*r.indicator, row))
            })
            .collect();
        let mut headers = vec!["Value".to_string(), "Target".to_string()];
        headers.extend(comparators.iter().map(|(name, _)| name.to_uppercase()));
        let widths: Vec<usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                rows.values()
                    .map(|row| row.cells[i].chars().count())
                    .chain([h.chars().count(), 6])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut header = format!("  {}", pad("Indicator", name_width));
        for (h, w) in headers.iter().zip(&widths) {
            let _ = write!(header, " {}", lpad(h, *w));
        }
        header.push_str("  Direction    Status");
        let section = |title: String, members: Vec<&IndicatorResult>, out: &mut String| {
            let _ = writeln!(out, "\n{title}");
            let _ = writeln!(out, "{header}");
            for r in members {
                let Some(row) = rows.get(&*r.indicator) else {
                    continue;
                };
                let mut line = format!("  {}", pad(&row.name, name_width));
                for (cell, w) in row.cells.iter().zip(&widths) {
                    let _ = write!(line, " {}", lpad(cell, *w));
                }
                let status = r.status.as_deref().unwrap_or("");
                let _ = writeln!(
                    line,
                    "  {} {:<9}  {}",
                    row.arrow,
                    row.travel,
                    paint(&row.label, status, colour)
                );
                out.push_str(&line);
            }
        };
        for theme in scorecard.themes() {
            let tr = evaluation.themes.iter().find(|t| {
                t.entity.as_deref() == entity && t.period == period && *t.theme == *theme.id
            });
            let rows: Vec<&IndicatorResult> = here
                .iter()
                .copied()
                .filter(|r| {
                    scorecard
                        .indicator(&r.indicator)
                        .and_then(|i| scorecard.theme_of(i))
                        .map(|t| t.id.as_str())
                        == Some(theme.id.as_str())
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let title = match tr {
                Some(t) => {
                    let label = if t.overridden.is_some() {
                        format!("{} (overridden from {})", t.label, t.computed_status)
                    } else {
                        t.label.to_string()
                    };
                    format!("{} — {}", theme.name, paint(&label, &t.status, colour))
                }
                None => theme.name.clone(),
            };
            section(title, rows, &mut out);
        }
        let rest: Vec<&IndicatorResult> = here
            .iter()
            .copied()
            .filter(|r| {
                scorecard
                    .indicator(&r.indicator)
                    .and_then(|i| scorecard.theme_of(i))
                    .is_none()
            })
            .collect();
        if !rest.is_empty() {
            section("Other indicators".into(), rest, &mut out);
        }
    }
    out
}
