//! The HTML document: a cover summary, then one section per theme. Small
//! functions, one per part of the page; every piece of text from the
//! scorecard, data or narrative goes through `escape`.

use std::fmt::Write;

use ragulator::load::{Indicator, Theme};
use ragulator::{Direction, IndicatorResult, Period, Scorecard};

use crate::chart::indicator_chart;
use crate::text::{
    cell, css_colour, entity_name, escape, paragraphs, period_long, target_cell, unit_note,
};
use crate::Report;

const CSS: &str = include_str!("report.css");

/// Shapes beside status labels, by rank (best first), so chips differ in
/// greyscale even before the text is read.
const SHAPES: [&str; 6] = ["●", "▲", "■", "◆", "★", "✚"];

/// The whole document.
pub(crate) fn document(r: &Report<'_>) -> String {
    let name = r.sc.name().unwrap_or("Scorecard report");
    let mut title = format!("{name} — {}", period_long(&r.period));
    if let Some(e) = &r.entity {
        let _ = write!(title, " — {}", entity_name(e));
    }
    let mut body = String::new();
    body.push_str(&cover(r));
    let themes = r.sc.themes();
    for (i, theme) in themes.iter().enumerate() {
        body.push_str(&theme_section(r, theme, i + 1, themes.len()));
    }
    body.push_str(&unthemed_section(r));
    body.push_str(&footer(r));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"ragulator\">\n\
         <title>{}</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>\n{CSS}</style>\n</head>\n\
         <body>\n<main class=\"report\">\n{body}</main>\n</body>\n</html>\n",
        escape(&title)
    )
}

/// A status chip: shape, colour and label text; the id as data.
fn chip(sc: &Scorecard, status: Option<&str>, class: &str) -> String {
    let Some(id) = status else {
        return format!("<span class=\"chip context {class}\">Context (no status)</span>");
    };
    let (label, colour, rank) = match sc.status(id) {
        Some(s) => (
            s.label.as_str(),
            css_colour(&s.colour),
            sc.statuses().iter().position(|x| x.id == id),
        ),
        None => (id, "#ffffff", None),
    };
    let shape = match rank {
        Some(i) => SHAPES[i % SHAPES.len()],
        None => "○",
    };
    format!(
        "<span class=\"chip {class}\" data-status=\"{}\" style=\"--c:{};--i:{}\">\
         <span class=\"shape\" aria-hidden=\"true\">{shape}</span>{}</span>",
        escape(id),
        escape(colour),
        crate::chart::ink_on(colour),
        escape(label)
    )
}

/// A status's label, for sentences.
fn label<'s>(sc: &'s Scorecard, id: &'s str) -> &'s str {
    sc.status(id).map_or(id, |s| s.label.as_str())
}

fn theme_anchor(theme: &Theme) -> String {
    format!("theme-{}", escape(&theme.id))
}

fn indicator_anchor(ind: &Indicator) -> String {
    format!("ind-{}", escape(&ind.id))
}

// ------------------------------------------------------------------ cover

fn cover(r: &Report<'_>) -> String {
    let sc = r.sc;
    let mut out = String::from("<header class=\"cover\">");
    let kicker = match &r.entity {
        Some(e) => format!("{} · Monthly performance report", entity_name(e)),
        None => "Monthly performance report".to_string(),
    };
    let _ = write!(
        out,
        "<p class=\"kicker\">{}</p><h1>{}</h1><dl class=\"meta\"><div><dt>Period</dt><dd>{}</dd></div>",
        escape(&kicker),
        escape(sc.name().unwrap_or("Scorecard report")),
        escape(&period_long(&r.period))
    );
    if let Some(e) = &r.entity {
        let _ = write!(
            out,
            "<div><dt>Area</dt><dd>{}</dd></div>",
            escape(&entity_name(e))
        );
    }
    if let Some(p) = r.previous_period {
        let _ = write!(
            out,
            "<div><dt>Compared with</dt><dd>{}</dd></div>",
            escape(&period_long(&p))
        );
    }
    let _ = write!(
        out,
        "<div><dt>Indicators</dt><dd>{}</dd></div></dl>",
        r.current.results.len()
    );
    if let Some(d) = &sc.spec().description {
        let _ = write!(out, "<p class=\"lead\">{}</p>", escape(d.trim()));
    }
    out.push_str("</header>");
    out.push_str("<section class=\"summary\" aria-labelledby=\"summary-h\">");
    out.push_str("<h2 id=\"summary-h\">Summary</h2>");
    out.push_str(&theme_strip(r));
    out.push_str("<div class=\"summary-grid\">");
    out.push_str(&status_counts(r));
    out.push_str(&changes(r));
    out.push_str("</div>");
    out.push_str(&reading_key(r));
    out.push_str("</section>");
    out
}

/// One card per theme: its number, name, RAG chip and indicator counts.
fn theme_strip(r: &Report<'_>) -> String {
    if r.sc.themes().is_empty() {
        return String::new();
    }
    let mut out =
        String::from("<h3 class=\"visually-hidden\">Theme ratings</h3><ol class=\"strip\">");
    for (i, theme) in r.sc.themes().iter().enumerate() {
        let tr = r.theme(&theme.id);
        let colour = tr
            .and_then(|t| r.sc.status(&t.status))
            .map_or("#b1b4b6", |s| css_colour(&s.colour));
        let _ = write!(
            out,
            "<li class=\"card\" style=\"--c:{}\"><a href=\"#{}\"><span class=\"num\">{}</span>{}</a>{}",
            escape(colour),
            theme_anchor(theme),
            i + 1,
            escape(&theme.name),
            chip(r.sc, tr.map(|t| &*t.status), "")
        );
        if let Some(t) = tr {
            let counts: Vec<String> = t
                .counts
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(id, n)| format!("{n} {}", short_label(r.sc, id)))
                .collect();
            if !counts.is_empty() {
                let _ = write!(
                    out,
                    "<span class=\"counts\">{}</span>",
                    escape(&counts.join(" · "))
                );
            }
            if t.overridden.is_some() {
                let _ = write!(
                    out,
                    "<span class=\"note\">Judgement; the roll-up said {}</span>",
                    escape(label(r.sc, &t.computed_status))
                );
            }
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    out
}

/// `Green` from `Green – Low Risk`: the part before a dash between words.
/// A label without one is whole (`No data`, `On track`), not its first word.
fn short_label<'s>(sc: &'s Scorecard, id: &'s str) -> &'s str {
    let l = label(sc, id);
    [" – ", " — ", " - "]
        .iter()
        .filter_map(|dash| l.split_once(dash))
        .map(|(before, _)| before.trim())
        .find(|s| !s.is_empty())
        .unwrap_or(l)
}

/// How many indicators have each status at the reported period.
fn status_counts(r: &Report<'_>) -> String {
    let sc = r.sc;
    let mut out = format!(
        "<table class=\"counts-table\"><caption>Indicators by status, {}</caption>\
         <thead><tr><th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">Indicators</th></tr></thead><tbody>",
        escape(&period_long(&r.period))
    );
    let count = |id: Option<&str>| {
        r.current
            .results
            .iter()
            .filter(|x| x.status.as_deref() == id)
            .count()
    };
    let no_data = sc.no_data_status().id.as_str();
    let ids = sc
        .statuses()
        .iter()
        .map(|s| Some(s.id.as_str()))
        .chain([Some(no_data), None]);
    for id in ids {
        let n = count(id);
        // Always list the scale; no data and context only when present.
        if n == 0 && (id.is_none() || id == Some(no_data)) {
            continue;
        }
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{n}</td></tr>",
            chip(sc, id, "")
        );
    }
    let _ = write!(
        out,
        "</tbody><tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">{}</td></tr></tfoot></table>",
        r.current.results.len()
    );
    out
}

/// Themes and indicators whose status differs from the previous period.
fn changes(r: &Report<'_>) -> String {
    let sc = r.sc;
    let mut out = String::from("<div class=\"changes\">");
    let (Some(prev), Some(_)) = (r.previous_period, &r.previous) else {
        out.push_str("<h3>What changed since last month</h3><p class=\"muted\">The data has no values for the previous period, so there is nothing to compare with.</p></div>");
        return out;
    };
    let mut rows = String::new();
    for theme in sc.themes() {
        let (Some(now), Some(before)) = (r.theme(&theme.id), r.previous_theme(&theme.id)) else {
            continue;
        };
        if now.status != before.status {
            let _ = write!(
                rows,
                "<tr><th scope=\"row\"><a href=\"#{}\">{}</a> <span class=\"muted\">(theme)</span></th><td>{}</td><td>{}</td></tr>",
                theme_anchor(theme),
                escape(&theme.name),
                chip(sc, Some(&before.status), "small"),
                chip(sc, Some(&now.status), "small")
            );
        }
    }
    for now in &r.current.results {
        let (Some(ind), Some(before)) = (
            sc.indicator(&now.indicator),
            r.previous_result(&now.indicator),
        ) else {
            continue;
        };
        if now.status != before.status {
            let _ = write!(
                rows,
                "<tr><th scope=\"row\"><a href=\"#{}\">{}</a></th><td>{}</td><td>{}</td></tr>",
                indicator_anchor(ind),
                escape(&ind.name),
                chip(sc, before.status.as_deref(), "small"),
                chip(sc, now.status.as_deref(), "small")
            );
        }
    }
    let _ = write!(
        out,
        "<h3>What changed since {}</h3>",
        escape(&period_long(&prev))
    );
    if rows.is_empty() {
        let _ = write!(
            out,
            "<p class=\"muted\">No theme or indicator changed status since {}.</p>",
            escape(&period_long(&prev))
        );
    } else {
        let _ = write!(
            out,
            "<table class=\"changes-table\"><caption class=\"visually-hidden\">Statuses that changed between {p} and {n}</caption>\
             <thead><tr><th scope=\"col\">Theme or indicator</th><th scope=\"col\">{p}</th><th scope=\"col\">{n}</th></tr></thead>\
             <tbody>{rows}</tbody></table>",
            p = escape(&period_long(&prev)),
            n = escape(&period_long(&r.period))
        );
    }
    out.push_str("</div>");
    out
}

/// A key to the charts, once, instead of a long legend under each.
fn reading_key(r: &Report<'_>) -> String {
    let statuses: Vec<String> =
        r.sc.statuses()
            .iter()
            .chain([r.sc.no_data_status()])
            .map(|s| chip(r.sc, Some(&s.id), "small"))
            .collect();
    format!(
        "<aside class=\"key\" aria-labelledby=\"key-h\"><h3 id=\"key-h\">Reading this report</h3><ul>\
         <li>Each status is written out and shown with a shape: {}.</li>\
         <li>Charts show the solid value line, the dashed target and a dotted or dash-dot line per comparator. \
         Where an indicator uses statistical process control (SPC), the grey line is the mean and the grey dashes the process limits.</li>\
         <li>Special-cause points (SPC) are marked by shape: a diamond for improvement, a square for concern, a triangle for a change that is neither; other points are small dots.</li>\
         <li>The strip under each chart gives each period’s status by its initial.</li>\
         <li>Direction compares with the previous period and says whether the change is better or worse given the indicator’s polarity.</li></ul></aside>",
        statuses.join(" ")
    )
}

// ------------------------------------------------------------------ themes

fn theme_section(r: &Report<'_>, theme: &Theme, number: usize, of: usize) -> String {
    let sc = r.sc;
    let anchor = theme_anchor(theme);
    let tr = r.theme(&theme.id);
    let colour = tr
        .and_then(|t| sc.status(&t.status))
        .map_or("#b1b4b6", |s| css_colour(&s.colour));
    let mut out = format!(
        "<section class=\"theme\" id=\"{anchor}\" data-theme=\"{}\" aria-labelledby=\"{anchor}-h\">\
         <header class=\"theme-head\" style=\"--c:{}\"><div><p class=\"theme-num\">Theme {number} of {of}</p>\
         <h2 id=\"{anchor}-h\">{}</h2></div><div class=\"theme-rag\"><span class=\"muted\">Theme rating</span>{}</div></header>",
        escape(&theme.id),
        escape(colour),
        escape(&theme.name),
        chip(sc, tr.map(|t| &*t.status), "big")
    );
    let description = sc
        .spec()
        .theme
        .iter()
        .find(|t| t.id == theme.id)
        .and_then(|t| t.description.as_deref());
    if let Some(d) = description {
        let _ = write!(out, "<p class=\"lead\">{}</p>", escape(d.trim()));
    }
    if let Some(t) = tr {
        // An override's sentence is left to the judgement box below, which
        // gives its reason: the roll-up's sentence alone here.
        let rollup = t.rollup_explanation();
        if !rollup.is_empty() {
            let _ = write!(out, "<p class=\"rollup\">{}</p>", escape(rollup));
        }
        if let Some(o) = &t.overridden {
            let _ = write!(
                out,
                "<div class=\"override\"><p><strong>Rating by judgement: {}.</strong> The roll-up of the indicators said {}.</p><p>Reason: {}</p></div>",
                escape(label(sc, &o.status)),
                escape(label(sc, &t.computed_status)),
                escape(&o.reason)
            );
        }
    }
    let members: Vec<&Indicator> = sc
        .indicators()
        .iter()
        .filter(|i| sc.theme_of(i).is_some_and(|t| t.id == theme.id))
        .collect();
    out.push_str(&indicator_block(r, &theme.name, &members));
    out.push_str(&narrative(r, theme));
    out.push_str("</section>");
    out
}

fn unthemed_section(r: &Report<'_>) -> String {
    let members: Vec<&Indicator> =
        r.sc.indicators()
            .iter()
            .filter(|i| r.sc.theme_of(i).is_none())
            .collect();
    if members.is_empty() {
        return String::new();
    }
    let heading = if r.sc.themes().is_empty() {
        "Indicators"
    } else {
        "Other indicators"
    };
    format!(
        "<section class=\"theme\" id=\"theme-none\" aria-labelledby=\"theme-none-h\">\
         <header class=\"theme-head\" style=\"--c:#b1b4b6\"><div><h2 id=\"theme-none-h\">{heading}</h2></div></header>{}</section>",
        indicator_block(r, heading, &members)
    )
}

/// The table, the judgements under it, and the charts.
fn indicator_block(r: &Report<'_>, caption: &str, members: &[&Indicator]) -> String {
    let mut out = indicator_table(r, caption, members);
    out.push_str(&judgements(r, members));
    out.push_str("<h3 class=\"tells\">What the data tells us</h3><div class=\"charts\">");
    let periods = r.chart_periods();
    for ind in members {
        out.push_str(&figure(r, ind, &periods));
    }
    out.push_str("</div>");
    out
}

fn indicator_table(r: &Report<'_>, caption: &str, members: &[&Indicator]) -> String {
    let comparators: Vec<(&str, &str)> = r.sc.comparators().collect();
    let mut out = format!(
        "<table class=\"indicators\"><caption>{}: indicators for {}</caption><thead><tr>\
         <th scope=\"col\">Indicator</th><th scope=\"col\" class=\"num\">Value</th><th scope=\"col\" class=\"num\">Target</th>",
        escape(caption),
        escape(&period_long(&r.period))
    );
    for (_, label) in &comparators {
        let _ = write!(
            out,
            "<th scope=\"col\" class=\"num\">{}</th>",
            escape(label)
        );
    }
    out.push_str(
        "<th scope=\"col\" class=\"num\">Last year</th><th scope=\"col\">Direction</th><th scope=\"col\">Status</th></tr></thead><tbody>",
    );
    for ind in members {
        let res = r.result(&ind.id);
        let _ = write!(
            out,
            "<tr data-indicator=\"{}\"><th scope=\"row\"><a href=\"#{}\">{}</a>{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            escape(&ind.id),
            indicator_anchor(ind),
            escape(&ind.name),
            unit_note(ind.unit)
                .map(|u| format!("<span class=\"unit\">{u}</span>"))
                .unwrap_or_default(),
            value_cell(ind, res),
            escape(&target_cell(ind, res.and_then(|x| x.target)))
        );
        for (name, _) in &comparators {
            let v = res.and_then(|x| {
                x.comparators
                    .iter()
                    .find(|(n, _)| &**n == *name)
                    .map(|(_, v)| *v)
            });
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                escape(&crate::text::reference_cell(ind, v))
            );
        }
        let _ = write!(
            out,
            "<td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&cell(ind, res.and_then(|x| x.last_year))),
            direction_cell(ind, res),
            status_cell(r.sc, ind, res)
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// The value, with its numerator and denominator when it is a ratio.
fn value_cell(ind: &Indicator, res: Option<&IndicatorResult>) -> String {
    let v = escape(&cell(ind, res.and_then(|x| x.value)));
    match res.and_then(|x| Some((x.numerator?, x.denominator?))) {
        Some((n, d)) if res.and_then(|x| x.value).is_some() => format!(
            "<strong>{v}</strong><span class=\"ratio\">{} of {}</span>",
            escape(&ragulator::explain::number(n, None)),
            escape(&ragulator::explain::number(d, None))
        ),
        _ => format!("<strong>{v}</strong>"),
    }
}

fn direction_cell(ind: &Indicator, res: Option<&IndicatorResult>) -> String {
    let Some(x) = res else {
        return "—".to_string();
    };
    let words = match x.direction {
        Direction::Improving => "Improving",
        Direction::Worsening => "Worsening",
        Direction::NoChange => "No change",
        Direction::Up => "Up",
        Direction::Down => "Down",
        Direction::NotComparable => "Not comparable",
    };
    let from = x
        .previous
        .filter(|_| x.direction != Direction::NotComparable)
        .map(|p| {
            format!(
                "<span class=\"from\">from {}</span>",
                escape(&cell(ind, Some(p)))
            )
        })
        .unwrap_or_default();
    format!(
        "<span class=\"dir {}\"><span class=\"arrow\" aria-hidden=\"true\">{}</span> {words}</span>{from}",
        x.direction.as_str(),
        x.direction.arrow(ind.polarity)
    )
}

fn status_cell(sc: &Scorecard, ind: &Indicator, res: Option<&IndicatorResult>) -> String {
    let Some(x) = res else {
        return chip(sc, Some(&sc.no_data_status().id), "");
    };
    let mut out = chip(sc, x.status.as_deref(), "");
    if x.overridden.is_some() {
        let _ = write!(
            out,
            "<a class=\"note\" href=\"#{}-judgement\">By judgement; see note</a>",
            indicator_anchor(ind)
        );
    } else if let Some(reason) = &x.no_data_reason {
        let _ = write!(
            out,
            "<span class=\"note\">{}</span>",
            escape(&reason.phrase())
        );
    }
    out
}

/// Overridden indicator statuses: what the rules said, and why people differ.
fn judgements(r: &Report<'_>, members: &[&Indicator]) -> String {
    let mut items = String::new();
    for ind in members {
        let Some(x) = r.result(&ind.id) else { continue };
        let Some(o) = &x.overridden else { continue };
        let _ = write!(
            items,
            "<li id=\"{}-judgement\"><strong>{}</strong>: rated {} by judgement; the rules said {}. Reason: {}</li>",
            indicator_anchor(ind),
            escape(&ind.name),
            escape(label(r.sc, &o.status)),
            escape(x.computed_status.as_deref().map_or("no status", |c| label(r.sc, c))),
            escape(&o.reason)
        );
    }
    if items.is_empty() {
        String::new()
    } else {
        format!("<div class=\"override\"><h3>Judgements</h3><ul>{items}</ul></div>")
    }
}

fn figure(r: &Report<'_>, ind: &Indicator, periods: &[Period]) -> String {
    let res = r.result(&ind.id);
    let anchor = indicator_anchor(ind);
    let explanation = res.map(|x| x.explanation.as_str()).unwrap_or_default();
    format!(
        "<figure class=\"indicator\" id=\"{anchor}\"><div class=\"fig-head\"><h4>{}</h4>{}</div>{}<figcaption>{}</figcaption></figure>",
        escape(&ind.name),
        status_chip_for_figure(r.sc, res),
        indicator_chart(r, ind, periods, &format!("chart-{anchor}")),
        escape(explanation)
    )
}

fn status_chip_for_figure(sc: &Scorecard, res: Option<&IndicatorResult>) -> String {
    match res {
        Some(x) => chip(sc, x.status.as_deref(), "small"),
        None => chip(sc, Some(&sc.no_data_status().id), "small"),
    }
}

/// Analysis and next steps from the narrative file.
fn narrative(r: &Report<'_>, theme: &Theme) -> String {
    let entry = r.narrative.and_then(|n| n.get(&theme.id, &r.period));
    let missing = |what: &str, verb: &str| {
        format!(
            "<p class=\"muted\">No {what} {verb} written for this theme for {}.</p>",
            escape(&period_long(&r.period))
        )
    };
    let analysis = entry
        .and_then(|e| e.analysis.as_deref())
        .map(paragraphs)
        .unwrap_or_else(|| missing("analysis", "was"));
    let next = entry
        .and_then(|e| e.next_steps.as_deref())
        .map(paragraphs)
        .unwrap_or_else(|| missing("next steps", "were"));
    format!(
        "<div class=\"narrative\"><section class=\"analysis\"><h3>Analysis</h3>{analysis}</section>\
         <section class=\"next-steps\"><h3>Next steps</h3>{next}</section></div>"
    )
}

fn footer(r: &Report<'_>) -> String {
    let mut out = format!(
        "<footer class=\"footer\"><p>Produced by ragulator from {} data rows",
        r.input_rows
    );
    if r.rejected > 0 {
        let _ = write!(
            out,
            "; <strong>{} rows were rejected</strong> (run <code>ragulator evaluate</code> to list them)",
            r.rejected
        );
    }
    out.push_str(". Statuses are computed from the scorecard’s rules on values rounded to each indicator’s decimal places; ratings marked “by judgement” were set by people, with the reason shown.</p></footer>");
    out
}
