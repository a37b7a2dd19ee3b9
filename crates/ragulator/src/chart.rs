//! The SPC chart of one indicator and entity, with periods: what
//! `ragulator spc` prints (DESIGN.md section 6).

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::error::DataError;
use crate::eval::improvement;
use crate::load::Scorecard;
use crate::model::TargetValue;
use crate::observations::{Observations, Reading, ACTUAL, TARGET};
use crate::period::Period;
use crate::spc;

/// A segment of the chart, from its first period.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartGroup {
    /// First period of the segment.
    pub start: Period,
    /// Points in the segment.
    pub n: usize,
    /// Mean.
    pub mean: Decimal,
    /// Lower process limit (the mean when [`ChartGroup::has_limits`] is false).
    pub lpl: Decimal,
    /// Upper process limit (the mean when [`ChartGroup::has_limits`] is false).
    pub upl: Decimal,
    /// Lower near-limit line (two sigma; the mean without limits).
    pub near_lower: Decimal,
    /// Upper near-limit line (two sigma; the mean without limits).
    pub near_upper: Decimal,
    /// Fewer than 12 points: trial limits.
    pub short: bool,
    /// See [`ChartGroup::has_limits`].
    limits: bool,
}

impl ChartGroup {
    /// Whether the segment has process limits ([`spc::Segment::has_limits`]):
    /// a single point has no moving range, and a baseline of equal values
    /// none left after screening, hence none (NHSRplotthedots: NA). The JSON
    /// prints its `lpl`, `upl`, `near_lower` and `near_upper` as null.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nspc={}\n").unwrap();
    /// let data = s.read_csv(b"indicator,period,value\nx,2022-01,10\n").unwrap();
    /// let chart = s.spc(&data, "x", None).unwrap();
    /// assert!(!chart.groups[0].has_limits());
    /// assert!(chart.to_json()["groups"][0]["lpl"].is_null());
    /// assert_eq!(chart.assurance, Some("hit_and_miss")); // as R, with NA limits
    /// ```
    pub fn has_limits(&self) -> bool {
        self.limits
    }
}

/// One point of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPoint {
    /// Its period.
    pub period: Period,
    /// The (rounded) value.
    pub value: Decimal,
    /// The special-cause rule it triggered, if any.
    pub rule: Option<&'static str>,
    /// Its classification.
    pub point_type: &'static str,
    /// The target for its period (the data's target row, else the
    /// scorecard's), for drawing the target line; `None` without one or
    /// for a range target. Not in the chart's JSON, whose one `target` is
    /// the last point's (the one assurance uses).
    pub target: Option<Decimal>,
}

/// An indicator's XmR chart for one entity.
#[derive(Debug, Clone, PartialEq)]
pub struct SpcChart {
    /// Indicator id.
    pub indicator: String,
    /// Entity, if any.
    pub entity: Option<String>,
    /// Segments.
    pub groups: Vec<ChartGroup>,
    /// Points, by period.
    pub points: Vec<ChartPoint>,
    /// The last point's variation.
    pub variation: Option<&'static str>,
    /// Assurance against the target; `None` without a target or direction
    /// (hit and miss when the last segment has a single point: no limits).
    pub assurance: Option<&'static str>,
    /// The target used for assurance.
    pub target: Option<Decimal>,
    /// Warnings (short segments, ignored options).
    pub warnings: Vec<String>,
}

impl SpcChart {
    /// The chart as JSON (DESIGN.md section 6); decimals as strings, limits to
    /// 4 places, null limits for a segment without any ([`ChartGroup::has_limits`]).
    pub fn to_json(&self) -> Value {
        let limit = |g: &ChartGroup, d: Decimal| g.has_limits().then(|| spc::round4(d).to_string());
        json!({
            "indicator": self.indicator,
            "entity": self.entity,
            "groups": self.groups.iter().map(|g| json!({
                "start": g.start.to_string(), "n": g.n,
                "mean": spc::round4(g.mean).to_string(), "lpl": limit(g, g.lpl),
                "upl": limit(g, g.upl),
                "near_lower": limit(g, g.near_lower), "near_upper": limit(g, g.near_upper),
                "short": g.short,
            })).collect::<Vec<_>>(),
            "points": self.points.iter().map(|p| json!({
                "period": p.period.to_string(), "value": p.value.to_string(), "rule": p.rule, "point_type": p.point_type,
            })).collect::<Vec<_>>(),
            "variation": self.variation,
            "assurance": self.assurance,
            "target": self.target.map(|t| t.normalize().to_string()),
            "warnings": self.warnings,
        })
    }
}

/// The indices of `points` (sorted by period) where each rebase period starts
/// a new segment: the first point whose period starts on or after the rebase
/// period's first day. Periods of any kind mix, so a quarter on monthly data
/// starts at its first month, and a period without a value starts at the next
/// point. Rebases on or before the first point (it starts a segment anyway)
/// and after the last point (nothing to split) give no index.
pub(crate) fn rebase_starts(points: &[(Period, Decimal)], rebase: &[Period]) -> Vec<usize> {
    rebase
        .iter()
        .filter_map(|r| points.iter().position(|(p, _)| p.start() >= r.start()))
        .filter(|&i| i > 0)
        .collect()
}

impl Scorecard {
    /// The SPC chart of an indicator for an entity, on every period with a
    /// value. Indicators without `spc` options are charted with the defaults.
    /// With several entities in the data, `entity` must name one.
    ///
    /// Each `rebase` period starts a new segment at the first point whose
    /// period starts on or after the rebase period's first day, whatever the
    /// kinds: `2020-Q3` on monthly data starts at 2020-07 (or the next month
    /// with a value). A rebase on or before the first point changes nothing,
    /// and neither does one after the last point (a warning says so).
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\nspc={}\n").unwrap();
    /// let data = s.read_csv(b"indicator,period,value\nx,2022-01,1\nx,2022-02,3\nx,2022-03,2\n").unwrap();
    /// let chart = s.spc(&data, "x", None).unwrap();
    /// assert_eq!(chart.groups[0].mean.to_string(), "2");
    /// assert_eq!(chart.variation, Some("common_cause"));
    /// ```
    pub fn spc(
        &self,
        data: &Observations,
        indicator: &str,
        entity: Option<&str>,
    ) -> Result<SpcChart, DataError> {
        self.spc_until(data, indicator, entity, None)
    }

    /// The SPC chart as it stood at `until`: only the points up to and
    /// including that period, so limits and signals do not use later data
    /// (a report for an earlier month). `None` charts every period.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\nspc={}\n").unwrap();
    /// let data = s.read_csv(b"indicator,period,value\nx,2022-01,1\nx,2022-02,5\nx,2022-03,9\n").unwrap();
    /// let feb = s.parse_period("2022-02").unwrap();
    /// let chart = s.spc_until(&data, "x", None, Some(feb)).unwrap();
    /// assert_eq!(chart.points.len(), 2);
    /// assert_eq!(chart.groups[0].mean.to_string(), "3");
    /// ```
    pub fn spc_until(
        &self,
        data: &Observations,
        indicator: &str,
        entity: Option<&str>,
        until: Option<Period>,
    ) -> Result<SpcChart, DataError> {
        self.check_observations(data)?;
        let ix = self
            .indicator_by_id
            .get(indicator)
            .copied()
            .ok_or_else(|| {
                let ids: Vec<&str> = self.indicators.iter().map(|i| i.id.as_str()).collect();
                DataError {
                    message: format!(
                        "unknown indicator '{indicator}'; indicators are: {}",
                        ids.join(", ")
                    ),
                    row: None,
                    // An option, not a data column.
                    column: None,
                }
            })?;
        let ind = &self.indicators[ix];
        let rows: Vec<_> = data
            .rows
            .iter()
            .filter(|o| o.indicator as usize == ix)
            .collect();
        let entity_ix = match entity {
            Some(name) => data
                .entities
                .iter()
                .position(|e| e == name)
                .ok_or_else(|| {
                    let mut known: Vec<&str> = data
                        .entities
                        .iter()
                        .map(String::as_str)
                        .filter(|e| !e.is_empty())
                        .collect();
                    known.sort_unstable();
                    DataError {
                        message: format!(
                            "no data for entity '{name}'; the data's entities are: {}",
                            if known.is_empty() {
                                "none (no entity column)".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                        row: None,
                        column: None,
                    }
                })?,
            None => {
                let mut seen: Vec<u32> = rows.iter().map(|o| o.entity).collect();
                seen.sort_unstable();
                seen.dedup();
                match seen.as_slice() {
                    [] => 0,
                    [one] => *one as usize,
                    many => {
                        let mut names: Vec<&str> = many
                            .iter()
                            .filter_map(|&e| data.entities.get(e as usize))
                            .map(String::as_str)
                            .collect();
                        names.sort_unstable();
                        return Err(DataError {
                            message: format!(
                                "the data has several entities; choose one of: {}",
                                names.join(", ")
                            ),
                            row: None,
                            column: None,
                        });
                    }
                }
            }
        };
        let mut points: Vec<(Period, Decimal)> = Vec::new();
        let mut target_rows: Vec<(Period, Decimal)> = Vec::new();
        for o in rows
            .iter()
            .filter(|o| o.entity as usize == entity_ix && until.is_none_or(|u| o.period <= u))
        {
            match (o.series, o.reading_at(ind.decimals)) {
                (ACTUAL, Reading::Value(v)) => points.push((o.period, v)),
                (TARGET, Reading::Value(v)) => target_rows.push((o.period, v)),
                _ => {}
            }
        }
        points.sort_by_key(|p| p.0);
        // One kind of period a chart: months with a financial year's
        // outturn among them are not one series. The kind with the most
        // points (a tie: the latest point's); `evaluate` charts each
        // result's own kind.
        let mut other_kinds = 0;
        let count = |k| points.iter().filter(|p| p.0.kind() == k).count();
        // `max_by_key` keeps the last of equals: the latest point's kind.
        let kind = points.iter().map(|p| p.0.kind()).max_by_key(|&k| count(k));
        if let Some(kind) = kind {
            let before = points.len();
            points.retain(|p| p.0.kind() == kind);
            other_kinds = before - points.len();
        }
        let config = ind.spc.as_ref();
        let options = config.map(|c| c.options.clone()).unwrap_or_default();
        let rebase = config.map_or(&[][..], |c| c.rebase.as_slice());
        let starts = rebase_starts(&points, rebase);
        let mut warnings = Vec::new();
        if points.is_empty() {
            // An empty chart is not an error (a library caller may chart
            // every entity), but say why it is empty.
            let whose = data
                .entities
                .get(entity_ix)
                .filter(|e| !e.is_empty())
                .map(|e| format!(" for entity '{e}'"))
                .unwrap_or_default();
            let until = until.map(|u| format!(" up to {u}")).unwrap_or_default();
            warnings.push(format!(
                "no values to chart: the data has no value of indicator '{}'{whose}{until}",
                ind.id
            ));
        }
        if let (Some((last, _)), 1..) = (points.last(), other_kinds) {
            warnings.push(format!(
                "{other_kinds} point(s) of another kind of period are left out: a chart is of one kind, here {}",
                last.kind().as_str()
            ));
        }
        if let Some((last, _)) = points.last() {
            for r in rebase.iter().filter(|r| r.start() > last.start()) {
                warnings.push(format!(
                    "rebase {r} starts after the last point ({last}) and has no effect"
                ));
            }
        }
        // One data row per period (conflicts were rejected when read).
        target_rows.sort_by_key(|t| t.0);
        let target_at = |p: Period| {
            let row = target_rows.binary_search_by_key(&p, |t| t.0).ok();
            row.and_then(|i| target_rows.get(i))
                .map(|t| t.1)
                .or(match ind.target_at(&p) {
                    Some(TargetValue::Value(t)) => Some(t.0),
                    _ => None,
                })
        };
        let target = points.last().and_then(|p| target_at(p.0));
        let values: Vec<Decimal> = points.iter().map(|p| p.1).collect();
        let chart = spc::chart(
            &values,
            &starts,
            &options,
            improvement(ind.polarity),
            target,
        );
        let groups = chart
            .segments
            .iter()
            .filter_map(|s| {
                Some(ChartGroup {
                    start: points.get(s.start)?.0,
                    n: s.n,
                    mean: s.mean,
                    lpl: s.lpl,
                    upl: s.upl,
                    near_lower: s.near_lower,
                    near_upper: s.near_upper,
                    short: s.short,
                    limits: s.has_limits(),
                })
            })
            .collect();
        let points = points
            .iter()
            .zip(&chart.points)
            .map(|((period, value), signal)| ChartPoint {
                period: *period,
                value: *value,
                rule: signal.rule.map(|r| r.as_str()),
                point_type: signal.point_type.as_str(),
                target: target_at(*period),
            })
            .collect();
        Ok(SpcChart {
            indicator: ind.id.clone(),
            entity: data
                .entities
                .get(entity_ix)
                .filter(|e| !e.is_empty())
                .cloned(),
            groups,
            points,
            variation: chart.variation.map(|v| v.as_str()),
            assurance: chart.assurance.map(|a| a.as_str()),
            target,
            warnings: chart.warnings.into_iter().chain(warnings).collect(),
        })
    }
}
