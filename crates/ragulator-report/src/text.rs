//! Words and numbers for the page: periods, values, escaped paragraphs.

use ragulator::explain::{number, reference_places, with_unit};
use ragulator::load::Indicator;
use ragulator::model::{TargetValue, Unit};
use ragulator::{Period, PeriodKind};
use rust_decimal::Decimal;

pub(crate) use ragulator::html::escape;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Year and 1-based month of a monthly period.
fn year_month(p: &Period) -> Option<(String, usize)> {
    if p.kind() != PeriodKind::Month {
        return None;
    }
    // `2022-06`: the period's own text, so no date arithmetic here.
    let text = p.to_string();
    let (year, month) = text.split_once('-')?;
    let m: usize = month.parse().ok()?;
    (1..=12).contains(&m).then(|| (year.to_string(), m))
}

/// `June 2022` for a month, else the period's own text (`2022-Q1`, `2022/23`).
pub(crate) fn period_long(p: &Period) -> String {
    match year_month(p) {
        Some((y, m)) => format!("{} {y}", MONTHS[m - 1]),
        None => p.to_string(),
    }
}

/// `Jun 22` for a month, else the period's own text.
pub(crate) fn period_short(p: &Period) -> String {
    match year_month(p) {
        Some((y, m)) => format!("{} {}", &MONTHS[m - 1][..3], y.get(2..).unwrap_or(&y)),
        None => p.to_string(),
    }
}

/// An entity id as a heading: `southampton` → `Southampton`,
/// `isle_of_wight` → `Isle of Wight`. Ids with capitals are kept as written.
pub(crate) fn entity_name(id: &str) -> String {
    if id.chars().any(|c| c.is_uppercase()) {
        return id.to_string();
    }
    id.split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| match w {
            "of" | "and" | "the" | "upon" | "on" if i > 0 => w.to_string(),
            _ => {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// A value with its unit, or a dash: `24.1%`, `668 per 10,000`.
pub(crate) fn value(ind: &Indicator, v: Option<Decimal>) -> String {
    v.map(|v| with_unit(v, ind.unit, ind.decimals))
        .unwrap_or_else(|| "—".to_string())
}

/// A value for a table cell: the number, with `%` for a percentage; other
/// units are named once, under the indicator's name ([`unit_note`]).
pub(crate) fn cell(ind: &Indicator, v: Option<Decimal>) -> String {
    match v {
        Some(v) if ind.unit == Unit::Percent => format!("{}%", number(v, ind.decimals)),
        Some(v) => number(v, ind.decimals),
        None => "—".to_string(),
    }
}

/// The unit named under an indicator's name in tables, if cells omit it.
pub(crate) fn unit_note(unit: Unit) -> Option<&'static str> {
    match unit {
        Unit::Per10k => Some("rate per 10,000"),
        Unit::Per1000 => Some("rate per 1,000"),
        Unit::Days => Some("days"),
        Unit::Percent | Unit::Count | Unit::Ratio => None,
    }
}

/// A target (or range) with its unit, or a dash: `20.0%`, `45.0–60.0 per
/// 10,000`; never rounded below its own places (`84.14%` with `decimals =
/// 1`), as targets are not rounded for the rules.
pub(crate) fn target(ind: &Indicator, t: Option<TargetValue>) -> String {
    let places = |v: Decimal| reference_places(v, ind.decimals);
    match t {
        None => "—".to_string(),
        Some(TargetValue::Value(v)) => with_unit(v.get(), ind.unit, places(v.get())),
        Some(TargetValue::Range { low, high }) => format!(
            "{}–{}",
            number(low.get(), places(low.get())),
            with_unit(high.get(), ind.unit, places(high.get()))
        ),
    }
}

/// A target or comparator for a table cell: like [`cell`], but never
/// rounded below its own places (see [`target`]).
pub(crate) fn reference_cell(ind: &Indicator, v: Option<Decimal>) -> String {
    match v {
        Some(v) if ind.unit == Unit::Percent => {
            format!("{}%", number(v, reference_places(v, ind.decimals)))
        }
        Some(v) => number(v, reference_places(v, ind.decimals)),
        None => "—".to_string(),
    }
}

/// A target for a table cell: like [`reference_cell`].
pub(crate) fn target_cell(ind: &Indicator, t: Option<TargetValue>) -> String {
    match t {
        None => "—".to_string(),
        Some(TargetValue::Value(v)) => reference_cell(ind, Some(v.get())),
        Some(TargetValue::Range { low, high }) => format!(
            "{}–{}",
            number(low.get(), reference_places(low.get(), ind.decimals)),
            reference_cell(ind, Some(high.get()))
        ),
    }
}

/// A status colour safe to put in a style attribute: a hex colour, a name, or
/// an `rgb()`/`hsl()` form; anything else (a `url(...)`, a `;`) becomes grey,
/// so a scorecard cannot inject CSS or make the page fetch from elsewhere.
pub(crate) fn css_colour(c: &str) -> &str {
    let c = c.trim();
    let hex = c.strip_prefix('#').is_some_and(|h| {
        matches!(h.len(), 3 | 4 | 6 | 8) && h.chars().all(|x| x.is_ascii_hexdigit())
    });
    let name = !c.is_empty() && c.len() <= 30 && c.chars().all(|x| x.is_ascii_alphabetic());
    let func = ["rgb(", "rgba(", "hsl(", "hsla("]
        .iter()
        .any(|f| c.starts_with(f))
        && c.ends_with(')')
        && c.chars()
            .all(|x| x.is_ascii_alphanumeric() || " ,.%()/".contains(x));
    if hex || name || func {
        c
    } else {
        "#b1b4b6"
    }
}

/// Free text as escaped paragraphs: a blank line starts a new one.
pub(crate) fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_names() {
        assert_eq!(entity_name("southampton"), "Southampton");
        assert_eq!(entity_name("isle_of_wight"), "Isle of Wight");
        assert_eq!(entity_name("NHS Trust"), "NHS Trust");
    }

    #[test]
    fn colours_cannot_inject_css() {
        assert_eq!(css_colour("#00703c"), "#00703c");
        assert_eq!(css_colour("rebeccapurple"), "rebeccapurple");
        assert_eq!(css_colour("rgb(0, 112, 60)"), "rgb(0, 112, 60)");
        assert_eq!(
            css_colour("red;background:url(https://x.invalid/a)"),
            "#b1b4b6"
        );
        assert_eq!(css_colour("url(https://x.invalid/a)"), "#b1b4b6");
    }

    #[test]
    fn paragraphs_are_escaped_and_split() {
        assert_eq!(paragraphs("a <b>\n\n c "), "<p>a &lt;b&gt;</p><p>c</p>");
    }
}
