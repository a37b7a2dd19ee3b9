//! Checks that `evaluate_statuses` (compact rows, integer kernels where an
//! indicator allows) says exactly what `evaluate` says: shared by the golden
//! corpus and the status-kernel properties.

use ragulator::{Evaluation, Scorecard, StatusTable};

/// Every status row against the rich result in the same position: entity,
/// indicator, period, value and gap (as text, so the scale counts too),
/// statuses and direction; theme rows likewise.
pub fn same_statuses(sc: &Scorecard, e: &Evaluation, t: &StatusTable) -> Result<(), String> {
    let name = |s: Option<u8>| {
        s.map(|s| {
            sc.statuses()
                .get(s as usize)
                .unwrap_or(sc.no_data_status())
                .id
                .clone()
        })
    };
    let text = |d: Option<rust_decimal::Decimal>| d.map(|d| d.to_string());
    if e.results.len() != t.results.len() {
        return Err(format!(
            "{} results but {} status rows",
            e.results.len(),
            t.results.len()
        ));
    }
    for (i, (r, row)) in e.results.iter().zip(&t.results).enumerate() {
        let entity = t.entities.get(row.entity as usize).map(String::as_str);
        let got = (
            entity.unwrap_or("?"),
            sc.indicators()[row.indicator as usize].id.as_str(),
            row.period,
            text(row.value),
            text(row.gap),
            name(row.status),
            name(row.computed_status),
            row.direction,
        );
        let want = (
            r.entity.as_deref().unwrap_or(""),
            &*r.indicator,
            r.period,
            text(r.value),
            text(r.gap),
            r.status.as_deref().map(String::from),
            r.computed_status.as_deref().map(String::from),
            r.direction,
        );
        if got != want {
            return Err(format!(
                "result {i}: evaluate_statuses says {got:?}, evaluate says {want:?}"
            ));
        }
    }
    if e.themes.len() != t.themes.len() {
        return Err(format!(
            "{} theme results but {} theme rows",
            e.themes.len(),
            t.themes.len()
        ));
    }
    for (i, (r, row)) in e.themes.iter().zip(&t.themes).enumerate() {
        let got = (
            t.entities
                .get(row.entity as usize)
                .map(String::as_str)
                .unwrap_or("?"),
            sc.themes()[row.theme as usize].id.as_str(),
            row.period,
            name(Some(row.status)),
            name(Some(row.computed_status)),
        );
        let want = (
            r.entity.as_deref().unwrap_or(""),
            &*r.theme,
            r.period,
            Some(r.status.to_string()),
            Some(r.computed_status.to_string()),
        );
        if got != want {
            return Err(format!(
                "theme {i}: evaluate_statuses says {got:?}, evaluate says {want:?}"
            ));
        }
    }
    Ok(())
}
