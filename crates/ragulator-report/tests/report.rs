//! Renders the children's social care example and checks the document's
//! structure with an HTML parser: sections, rows, charts, text
//! alternatives, self-containment and the print stylesheet.

use ragulator::{Format, Observations, Scorecard};
use ragulator_report::{render, Narrative, ReportError, ReportOptions};
use scraper::{Html, Selector};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/childrens-social-care"
);

fn example() -> (Scorecard, Observations, ReportOptions) {
    let read = |name: &str| {
        std::fs::read_to_string(format!("{EXAMPLE}/{name}")).expect("example file readable")
    };
    let scorecard = Scorecard::from_toml(&read("scorecard.toml")).expect("example scorecard");
    let data = scorecard
        .read_csv(read("data.csv").as_bytes())
        .expect("example data");
    let overrides = scorecard
        .read_overrides_csv(read("overrides.csv").as_bytes())
        .expect("example overrides");
    let narrative = Narrative::parse(&scorecard, &read("narrative.toml"), Format::Toml)
        .expect("example narrative");
    let options = ReportOptions {
        entity: Some("southampton".into()),
        overrides,
        narrative: Some(narrative),
        ..ReportOptions::default()
    };
    (scorecard, data, options)
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

fn text(e: scraper::ElementRef<'_>) -> String {
    e.text().collect::<String>()
}

#[test]
fn every_theme_has_a_section_with_a_row_and_a_chart_per_indicator() {
    let (scorecard, data, options) = example();
    let doc = Html::parse_document(&render(&scorecard, &data, &options).unwrap());
    let sections: Vec<_> = doc.select(&sel("section.theme")).collect();
    assert_eq!(sections.len(), scorecard.themes().len());
    for (section, theme) in sections.iter().zip(scorecard.themes()) {
        assert_eq!(section.value().attr("data-theme"), Some(theme.id.as_str()));
        let heading = section.select(&sel("h2")).next().expect("theme heading");
        assert_eq!(text(heading), theme.name);
        let members: Vec<&str> = scorecard
            .indicators()
            .iter()
            .filter(|i| scorecard.theme_of(i).is_some_and(|t| t.id == theme.id))
            .map(|i| i.id.as_str())
            .collect();
        assert!(!members.is_empty());
        let rows: Vec<&str> = section
            .select(&sel("table.indicators tbody tr"))
            .filter_map(|r| r.value().attr("data-indicator"))
            .collect();
        assert_eq!(rows, members, "one row per indicator of {}", theme.id);
        // Each row header names its indicator, with scope.
        for row in section.select(&sel("table.indicators tbody tr")) {
            let th = row
                .select(&sel("th[scope=row]"))
                .next()
                .expect("row header");
            let id = row.value().attr("data-indicator").unwrap();
            let name = th.select(&sel("a")).next().expect("link to the chart");
            assert_eq!(text(name), scorecard.indicator(id).unwrap().name);
        }
        let charts = section.select(&sel("figure.indicator svg")).count();
        assert_eq!(
            charts,
            members.len(),
            "one SVG per indicator of {}",
            theme.id
        );
        // The theme's rating is written out, with its label.
        let rag = section
            .select(&sel(".theme-rag .chip"))
            .next()
            .expect("theme chip");
        let status = rag.value().attr("data-status").unwrap();
        assert_eq!(
            text(rag).trim_start_matches(|c: char| !c.is_alphabetic()),
            scorecard.status(status).unwrap().label
        );
    }
    // Nothing outside the themes holds a chart.
    assert_eq!(
        doc.select(&sel("svg")).count(),
        scorecard.indicators().len()
    );
}

#[test]
fn the_cover_summarises_the_month() {
    let (scorecard, data, options) = example();
    let doc = Html::parse_document(&render(&scorecard, &data, &options).unwrap());
    let cover = doc.select(&sel("header.cover")).next().expect("cover");
    let cover_text = text(cover);
    assert!(cover_text.contains(scorecard.name().unwrap()));
    assert!(
        cover_text.contains("June 2022"),
        "default period is the latest"
    );
    assert!(cover_text.contains("Southampton"));
    // The strip: one card per theme, each with a labelled chip.
    let cards: Vec<_> = doc.select(&sel(".strip .card")).collect();
    assert_eq!(cards.len(), scorecard.themes().len());
    // right_service is overridden to red in the example: the card says so.
    let right = cards[3];
    assert_eq!(
        right
            .select(&sel(".chip"))
            .next()
            .unwrap()
            .value()
            .attr("data-status"),
        Some("red")
    );
    assert!(text(right).contains("the roll-up said Amber – Medium Risk"));
    // Counts by status add up to the indicators.
    let total: usize = doc
        .select(&sel("table.counts-table tbody td.num"))
        .map(|td| text(td).parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, scorecard.indicators().len());
    // What changed: a table of statuses against May 2022.
    let changes = doc.select(&sel(".changes")).next().expect("changes");
    assert!(text(changes).contains("May 2022"));
}

#[test]
fn what_changed_lists_exactly_the_statuses_that_differ_from_last_month() {
    let (scorecard, data, options) = example();
    let doc = Html::parse_document(&render(&scorecard, &data, &options).unwrap());
    let eval = |period: &str| {
        scorecard
            .evaluate(
                &data,
                &ragulator::EvaluateOptions {
                    period: Some(period.into()),
                    entity: Some("southampton".into()),
                    overrides: options.overrides.clone(),
                    explain: false,
                },
            )
            .unwrap()
    };
    let (june, may) = (eval("2022-06"), eval("2022-05"));
    let mut expected: Vec<String> = Vec::new();
    for (now, before) in june.themes.iter().zip(&may.themes) {
        if now.status != before.status {
            let name = &scorecard
                .themes()
                .iter()
                .find(|t| *t.id == *now.theme)
                .unwrap()
                .name;
            expected.push(format!("{name} (theme)"));
        }
    }
    for (now, before) in june.results.iter().zip(&may.results) {
        if now.status != before.status {
            expected.push(scorecard.indicator(&now.indicator).unwrap().name.clone());
        }
    }
    assert!(!expected.is_empty(), "the example has changes in June");
    let listed: Vec<String> = doc
        .select(&sel("table.changes-table tbody th"))
        .map(|th| text(th).trim().to_string())
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn charts_have_text_alternatives_with_numbers() {
    let (scorecard, data, options) = example();
    let doc = Html::parse_document(&render(&scorecard, &data, &options).unwrap());
    for svg in doc.select(&sel("svg")) {
        assert_eq!(svg.value().attr("role"), Some("img"));
        let title = svg.select(&sel("title")).next().expect("svg title");
        let desc = svg.select(&sel("desc")).next().expect("svg desc");
        let labelled = svg.value().attr("aria-labelledby").unwrap();
        assert!(labelled.contains(title.value().attr("id").unwrap()));
        assert!(labelled.contains(desc.value().attr("id").unwrap()));
        assert!(text(desc).chars().any(|c| c.is_ascii_digit()));
    }
    // Re-referrals: 21.4% in June 2022 against a 20% target, with SPC.
    let re = doc
        .select(&sel("figure#ind-re_referrals desc"))
        .next()
        .expect("re-referrals chart");
    let d = text(re);
    assert!(
        d.starts_with("Re-referrals within 12 months was 21.4% in June 2022"),
        "{d}"
    );
    assert!(d.contains("target 20.0%"), "{d}");
    assert!(d.contains("SPC: mean"), "{d}");
    // SPC limits drawn only where the indicator has spc: four lines' worth
    // of dashes per segment are not checked, but the legend is.
    let legend = |id: &str| {
        doc.select(&sel(&format!("figure#ind-{id} svg")))
            .next()
            .map(text)
            .unwrap()
    };
    assert!(legend("re_referrals").contains("Process limits"));
    assert!(!legend("cp_visits").contains("Process limits"));
    // Status never by colour alone: every chip carries its label text.
    for chip in doc.select(&sel(".chip")) {
        let t = text(chip);
        assert!(
            t.chars().filter(|c| c.is_alphabetic()).count() >= 2,
            "chip text: {t:?}"
        );
    }
}

#[test]
fn overrides_show_the_computed_status_and_reason() {
    let (scorecard, data, options) = example();
    let doc = Html::parse_document(&render(&scorecard, &data, &options).unwrap());
    let note = doc
        .select(&sel("#ind-placement_moves_3plus-judgement"))
        .next()
        .expect("judgement note for the overridden indicator");
    let t = text(note);
    assert!(t.contains("rated Amber – Medium Risk by judgement"), "{t}");
    assert!(t.contains("the rules said Green – Low Risk"), "{t}");
    assert!(t.contains("three placement endings"), "{t}");
    let theme = doc
        .select(&sel("#theme-right_service .override"))
        .next()
        .unwrap();
    assert!(text(theme).contains("Judged High Risk at the Performance Board"));
    // The reason is given once: in the judgement box, not also in the
    // roll-up's sentence above it.
    let section = text(doc.select(&sel("#theme-right_service")).next().unwrap());
    assert_eq!(
        section
            .matches("Judged High Risk at the Performance Board")
            .count(),
        1
    );
    let rollup = text(
        doc.select(&sel("#theme-right_service .rollup"))
            .next()
            .unwrap(),
    );
    assert!(
        rollup.starts_with("Right Service at the Right Time is Amber"),
        "{rollup}"
    );
}

#[test]
fn narrative_is_printed_per_theme() {
    let (scorecard, data, options) = example();
    let doc = Html::parse_document(&render(&scorecard, &data, &options).unwrap());
    let analysis = doc
        .select(&sel("#theme-assessment .narrative .analysis"))
        .next()
        .unwrap();
    assert!(text(analysis).contains("Re-referrals within 12 months rose to 21.4%"));
    let next = doc
        .select(&sel("#theme-corporate_parenting .narrative .next-steps"))
        .next()
        .unwrap();
    assert!(text(next).contains("Escalate IHA and RHA performance"));
    // Without a narrative the sections say nothing was written.
    let bare = ReportOptions {
        narrative: None,
        ..options
    };
    let doc = Html::parse_document(&render(&scorecard, &data, &bare).unwrap());
    let analysis = doc
        .select(&sel("#theme-assessment .narrative .analysis"))
        .next()
        .unwrap();
    assert!(text(analysis).contains("No analysis was written"));
    let next = doc
        .select(&sel("#theme-assessment .narrative"))
        .next()
        .unwrap();
    assert!(
        text(next).contains("No next steps were written"),
        "{}",
        text(next)
    );
}

#[test]
fn the_document_is_self_contained_and_printable() {
    let (scorecard, data, options) = example();
    let html = render(&scorecard, &data, &options).unwrap();
    let doc = Html::parse_document(&html);
    assert_eq!(doc.select(&sel("script")).count(), 0);
    assert_eq!(doc.select(&sel("link[rel=stylesheet]")).count(), 0);
    for e in doc.select(&sel("[src], [href], [xlink\\:href]")) {
        for attr in ["src", "href", "xlink:href"] {
            if let Some(v) = e.value().attr(attr) {
                assert!(
                    v.starts_with('#') || v.starts_with("data:"),
                    "{attr}={v} points outside the document"
                );
            }
        }
    }
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("http://") && !lower.contains("https://"));
    assert!(!lower.contains("url(") && !lower.contains("@import"));
    let css: String = doc.select(&sel("style")).map(text).collect();
    assert!(css.contains("size: A4"));
    assert!(css.contains("@media print"));
    assert!(css.contains("break-before: page"));
    // Tables are real tables: captions and scoped headers.
    for table in doc.select(&sel("table")) {
        assert!(table.select(&sel("caption")).next().is_some());
        assert!(table.select(&sel("th[scope]")).next().is_some());
    }
}

#[test]
fn text_from_the_scorecard_is_escaped() {
    let s = Scorecard::from_toml(
        "ragulator = 1\nname = \"<script>alert(1)</script>\"\n\
         [[status]]\nid='ok'\nlabel='OK & <b>fine</b>'\ncolour='red;background:url(https://x.invalid/a)'\n\
         [[status]]\nid='bad'\nlabel='Bad'\ncolour='#d4351c'\n\
         [[theme]]\nid='t'\nname='T <i>'\n\
         [[indicator]]\nid='x'\nname='X \"quoted\" <img src=x>'\ntheme='t'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='bands',thresholds=[5]}\n",
    )
    .unwrap();
    let data = s
        .read_csv(b"indicator,period,value\nx,2022-06,7\n")
        .unwrap();
    let html = render(&s, &data, &ReportOptions::default()).unwrap();
    assert!(!html.contains("<script>") && !html.contains("<img") && !html.contains("<i>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("OK &amp; &lt;b&gt;fine&lt;/b&gt;"));
    assert!(!html.contains("url("), "a colour cannot smuggle CSS in");
}

#[test]
fn several_entities_need_one_chosen() {
    let (scorecard, data, options) = example();
    let none = ReportOptions {
        entity: None,
        ..options.clone()
    };
    match render(&scorecard, &data, &none) {
        Err(ReportError::EntityRequired(list)) => {
            assert!(list.contains(&"southampton".to_string()));
            assert_eq!(list.len(), 4);
        }
        other => panic!("expected EntityRequired, got {:?}", other.map(|_| ())),
    }
    let wrong = ReportOptions {
        entity: Some("atlantis".into()),
        ..options
    };
    let err = render(&scorecard, &data, &wrong).unwrap_err();
    assert!(err.to_string().contains("atlantis") && err.to_string().contains("southampton"));
}

#[test]
fn data_of_one_named_entity_needs_no_choice() {
    let (scorecard, _, options) = example();
    // The example's rows for plymouth only: one entity, named.
    let csv = std::fs::read_to_string(format!("{EXAMPLE}/data.csv")).expect("example data");
    let mut lines = csv.lines();
    let header = lines.next().expect("header");
    let only: String = std::iter::once(header)
        .chain(lines.filter(|l| l.starts_with("plymouth,")))
        .map(|l| format!("{l}\n"))
        .collect();
    let one = scorecard
        .read_csv(only.as_bytes())
        .expect("plymouth's rows");
    let chosen = ReportOptions {
        entity: Some("plymouth".into()),
        ..options.clone()
    };
    let none = ReportOptions {
        entity: None,
        ..options
    };
    let html = render(&scorecard, &one, &none).expect("no entity needed");
    assert!(html.contains("June 2022 — Plymouth</title>"));
    assert_eq!(html, render(&scorecard, &one, &chosen).expect("plymouth"));
}

#[test]
fn an_earlier_period_is_charted_up_to_that_period() {
    let (scorecard, data, options) = example();
    let march = ReportOptions {
        period: Some("2022-03".into()),
        ..options.clone()
    };
    let doc = Html::parse_document(&render(&scorecard, &data, &march).unwrap());
    let desc = text(
        doc.select(&sel("figure#ind-re_referrals desc"))
            .next()
            .unwrap(),
    );
    assert!(desc.contains("in March 2022"), "{desc}");
    assert!(
        !desc.contains("Jun 22"),
        "later periods are not charted: {desc}"
    );
    let late = ReportOptions {
        period: Some("2030-01".into()),
        ..options
    };
    let err = render(&scorecard, &data, &late).unwrap_err();
    assert!(matches!(err, ReportError::NoDataForPeriod { .. }), "{err}");
    assert!(err.to_string().contains("2021-04") && err.to_string().contains("2022-06"));
}

#[test]
fn narrative_errors_say_where() {
    let (scorecard, _, _) = example();
    let err = Narrative::parse(
        &scorecard,
        "[assesment.\"2022-06\"]\nanalysis = \"x\"\n",
        Format::Toml,
    )
    .unwrap_err();
    assert_eq!(err.diagnostic.path, "assesment");
    assert!(err.diagnostic.message.contains("unknown theme 'assesment'"));
    assert!(err.diagnostic.message.contains("assessment, contact"));
    let err = Narrative::parse(
        &scorecard,
        "{\"contact\": {\"2022-06\": {\"analysys\": \"x\"}}}",
        Format::Json,
    )
    .unwrap_err();
    assert_eq!(err.diagnostic.path, "contact.2022-06.analysys");
    assert!(
        err.diagnostic.message.contains("analysis"),
        "{}",
        err.diagnostic.message
    );
    let err = Narrative::parse(
        &scorecard,
        "contact:\n  2022-13:\n    analysis: x\n",
        Format::Yaml,
    )
    .unwrap_err();
    assert_eq!(err.diagnostic.path, "contact.\"2022-13\"");
    // A month written twice would lose one of its commentaries: in JSON
    // (whose reader keeps the last key) and as two spellings of a period.
    let err = Narrative::parse(
        &scorecard,
        "{\"contact\": {\"2022-06\": {\"analysis\": \"first\"}, \"2022-06\": {\"analysis\": \"second\"}}}",
        Format::Json,
    )
    .unwrap_err();
    // The path is the mapping the key is repeated in; the line and column
    // are the second key's.
    assert_eq!(err.diagnostic.path, "contact");
    assert_eq!(
        (err.diagnostic.line, err.diagnostic.column),
        (Some(1), Some(56))
    );
    assert!(
        err.diagnostic.message.contains("key `2022-06` given twice"),
        "{}",
        err.diagnostic.message
    );
    let err = Narrative::parse(
        &scorecard,
        "[contact.\"2022-Q2\"]\nanalysis = \"first\"\n[contact.\"2022-q2\"]\nanalysis = \"second\"\n",
        Format::Toml,
    )
    .unwrap_err();
    assert_eq!(err.diagnostic.path, "contact.\"2022-q2\"");
    assert_eq!(
        err.diagnostic.message,
        "'2022-q2' is the period '2022-Q2' again, written twice for theme 'contact'; keep one, so that no commentary is lost"
    );
    let ok = Narrative::parse(
        &scorecard,
        "contact:\n  \"2022-06\":\n    analysis: Seen.\n    next_steps: Keep going.\n",
        Format::Yaml,
    )
    .unwrap();
    assert_eq!(ok.len(), 1);
}

/// The theme strip counts statuses by the part of their label before a
/// dash (`Green` of `Green – Low Risk`); a label without one is whole.
#[test]
fn theme_counts_name_each_status_by_its_label() {
    let scorecard = Scorecard::from_toml(
        "ragulator = 1\n\
         [[status]]\nid = 'green'\nlabel = 'On track'\ncolour = '#00703c'\n\
         [[status]]\nid = 'amber'\nlabel = 'Near target – watch'\ncolour = '#ffbf47'\n\
         [[status]]\nid = 'red'\nlabel = 'Off track'\ncolour = '#d4351c'\n\
         [[theme]]\nid = 't'\nname = 'T'\n\
         [[indicator]]\nid = 'a'\nname = 'A'\ntheme = 't'\nunit = 'count'\npolarity = 'higher_is_better'\ntarget = 10\nrag = { rule = 'target', amber = 1 }\n\
         [[indicator]]\nid = 'b'\nname = 'B'\ntheme = 't'\nunit = 'count'\npolarity = 'higher_is_better'\ntarget = 10\nrag = { rule = 'target', amber = 1 }\n\
         [[indicator]]\nid = 'c'\nname = 'C'\ntheme = 't'\nunit = 'count'\npolarity = 'higher_is_better'\ntarget = 10\nrag = { rule = 'target', amber = 1 }\n",
    )
    .expect("scorecard");
    let data = scorecard
        .read_csv(b"indicator,period,value\na,2022-06,10\nb,2022-06,9\nc,2022-05,1\n")
        .expect("data");
    let page = render(&scorecard, &data, &ReportOptions::default()).expect("report");
    let doc = Html::parse_document(&page);
    let counts = doc.select(&sel(".strip .counts")).next().expect("counts");
    assert_eq!(text(counts), "1 On track · 1 Near target · 1 No data");
}

/// Direction of travel: the arrow is the value's movement and the words say
/// whether it is better (re-referrals, lower is better, rose: ↑ Worsening);
/// "from" the previous value only where the two compare.
#[test]
fn direction_arrows_show_the_movement() {
    let (scorecard, data, options) = example();
    let doc = Html::parse_document(&render(&scorecard, &data, &options).unwrap());
    let row_of = |name: &str| {
        doc.select(&sel("tr"))
            .filter(|tr| {
                tr.select(&sel("th"))
                    .next()
                    .is_some_and(|th| text(th).starts_with(name))
            })
            .find_map(|tr| {
                tr.select(&sel("td"))
                    .find(|td| td.select(&sel(".dir")).next().is_some())
            })
            .map(text)
            .unwrap_or_else(|| panic!("no row with a direction for {name}"))
    };
    assert!(row_of("Re-referrals").starts_with("↑ Worsening"));
    let range = row_of("Children on a CP plan per 10,000");
    assert!(
        range.starts_with("· Not comparable") && !range.contains("from"),
        "{range}"
    );
}
