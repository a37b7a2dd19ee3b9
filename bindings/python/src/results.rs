//! An evaluation's indicator results as one Arrow record batch, the table
//! behind `Evaluation.to_arrow()`, `to_pandas()` and `to_polars()`: built
//! column by column from the core's typed results, so a million results
//! never go through JSON and Python objects on the way to a data frame.
//!
//! The columns and their values are those of the result JSON (DESIGN.md
//! section 4), flattened: `target` splits into `target`, `target_low` and
//! `target_high`, each comparator is a column, the override and SPC state
//! give `override_*` and `spc_*` columns. Text columns are `utf8`; decimal
//! columns are `decimal128(38, s)` with `s` the largest scale in the column
//! (as written in the JSON), or `decimal256(76, s)` when a column needs more
//! than 38 digits (exact text instead, for polars).

use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, Decimal256Builder, StringBuilder};
use arrow_array::types::Decimal256Type;
use arrow_array::{ArrayRef, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use ragulator::model::TargetValue;
use ragulator::{Evaluation, IndicatorResult, Scorecard};
use rust_decimal::Decimal;

type I256 = <Decimal256Type as ArrowPrimitiveType>::Native;

/// Columns whose names a comparator column must not take (it becomes
/// `comparator_<name>` instead).
const FIXED: [&str; 25] = [
    "entity",
    "theme",
    "indicator",
    "period",
    "value",
    "target",
    "target_low",
    "target_high",
    "gap",
    "gap_pct",
    "previous",
    "last_year",
    "numerator",
    "denominator",
    "status",
    "computed_status",
    "label",
    "override_status",
    "override_reason",
    "direction",
    "no_data_reason",
    "explanation",
    "spc_variation",
    "spc_assurance",
    "spc_point_type",
];

/// Decimal digits of `m` (at least 1).
fn digits(m: i128) -> u32 {
    m.unsigned_abs().checked_ilog10().map_or(1, |d| d + 1)
}

/// A decimal column: each value's mantissa brought to the column's scale;
/// a column needing more than 38 digits as `decimal256`, or as exact text
/// when `wide_as_text` (for polars, which reads no wider decimals).
fn decimal_column(
    values: &[Option<Decimal>],
    wide_as_text: bool,
) -> Result<(DataType, ArrayRef), ArrowError> {
    let scale = values
        .iter()
        .flatten()
        .map(Decimal::scale)
        .max()
        .unwrap_or(0);
    let integer_digits = values
        .iter()
        .flatten()
        .map(|d| digits(d.mantissa()).saturating_sub(d.scale()).max(1))
        .max()
        .unwrap_or(1);
    // rust_decimal: scale <= 28, so 10^(scale - d.scale()) fits an i128.
    let widen = |d: &Decimal| 10i128.pow(scale - d.scale());
    if integer_digits + scale <= 38 {
        let mut b = Decimal128Builder::with_capacity(values.len());
        for v in values {
            // Fits: the column needs at most 38 digits.
            b.append_option(v.map(|d| d.mantissa() * widen(&d)));
        }
        let t = DataType::Decimal128(38, scale as i8);
        Ok((t.clone(), Arc::new(b.finish().with_data_type(t))))
    } else if wide_as_text {
        let mut b = StringBuilder::new();
        for v in values {
            b.append_option(v.map(|d| d.to_string()));
        }
        Ok((DataType::Utf8, Arc::new(b.finish())))
    } else {
        let mut b = Decimal256Builder::with_capacity(values.len());
        for v in values {
            b.append_option(
                v.map(|d| I256::from_i128(d.mantissa()).wrapping_mul(I256::from_i128(widen(&d)))),
            );
        }
        let t = DataType::Decimal256(76, scale as i8);
        Ok((t.clone(), Arc::new(b.finish().with_data_type(t))))
    }
}

/// Fields and columns, in order.
#[derive(Default)]
struct Columns {
    fields: Vec<Field>,
    columns: Vec<ArrayRef>,
    wide_as_text: bool,
    /// Decimal columns written as text (see [`decimal_column`]).
    wide: Vec<String>,
}

impl Columns {
    fn text<'a>(&mut self, name: &str, values: impl Iterator<Item = Option<&'a str>>) {
        let mut b = StringBuilder::new();
        for v in values {
            b.append_option(v);
        }
        self.fields.push(Field::new(name, DataType::Utf8, true));
        self.columns.push(Arc::new(b.finish()));
    }

    fn decimal(&mut self, name: &str, values: &[Option<Decimal>]) -> Result<(), ArrowError> {
        let (t, column) = decimal_column(values, self.wide_as_text)?;
        if t == DataType::Utf8 {
            self.wide.push(name.to_string());
        }
        self.fields.push(Field::new(name, t, true));
        self.columns.push(column);
        Ok(())
    }
}

/// The indicator results of `evaluation` as a record batch (see the module
/// doc), and the decimal columns written as text (`wide_as_text`).
pub(crate) fn batch(
    scorecard: &Scorecard,
    evaluation: &Evaluation,
    wide_as_text: bool,
) -> Result<(RecordBatch, Vec<String>), ArrowError> {
    let rs = &evaluation.results;
    let mut out = Columns {
        wide_as_text,
        ..Columns::default()
    };
    let theme = |r: &IndicatorResult| {
        scorecard
            .indicator(&r.indicator)
            .and_then(|i| scorecard.theme_of(i))
            .map(|t| t.id.as_str())
    };
    out.text("entity", rs.iter().map(|r| r.entity.as_deref()));
    out.text("theme", rs.iter().map(theme));
    out.text("indicator", rs.iter().map(|r| Some(&*r.indicator)));
    let periods: Vec<String> = rs.iter().map(|r| r.period.to_string()).collect();
    out.text("period", periods.iter().map(|p| Some(p.as_str())));

    let column = |f: &dyn Fn(&IndicatorResult) -> Option<Decimal>| -> Vec<Option<Decimal>> {
        rs.iter().map(f).collect()
    };
    // Targets as the JSON writes them (normalised); values at their decimals.
    out.decimal("value", &column(&|r| r.value))?;
    out.decimal(
        "target",
        &column(&|r| match r.target {
            Some(TargetValue::Value(v)) => Some(v.get().normalize()),
            _ => None,
        }),
    )?;
    out.decimal(
        "target_low",
        &column(&|r| match r.target {
            Some(TargetValue::Range { low, .. }) => Some(low.get().normalize()),
            _ => None,
        }),
    )?;
    out.decimal(
        "target_high",
        &column(&|r| match r.target {
            Some(TargetValue::Range { high, .. }) => Some(high.get().normalize()),
            _ => None,
        }),
    )?;
    out.decimal("gap", &column(&|r| r.gap))?;
    // As the JSON writes them: normalised.
    out.decimal("gap_pct", &column(&|r| r.gap_pct().map(|d| d.normalize())))?;
    out.decimal("previous", &column(&|r| r.previous))?;
    out.decimal("last_year", &column(&|r| r.last_year))?;
    out.decimal(
        "numerator",
        &column(&|r| r.numerator.map(|d| d.normalize())),
    )?;
    out.decimal(
        "denominator",
        &column(&|r| r.denominator.map(|d| d.normalize())),
    )?;
    // The scorecard's comparators, then any other a result carries.
    let mut comparators: Vec<String> = scorecard
        .comparators()
        .map(|(name, _)| name.to_string())
        .collect();
    for r in rs {
        for (name, _) in r.comparators.iter() {
            if !comparators.iter().any(|c| c == &**name) {
                comparators.push(name.to_string());
            }
        }
    }
    for c in &comparators {
        let name = if FIXED.contains(&c.as_str()) {
            format!("comparator_{c}")
        } else {
            c.clone()
        };
        let values = column(&|r| {
            r.comparators
                .iter()
                .find(|(name, _)| **name == **c)
                .map(|(_, v)| v.normalize())
        });
        out.decimal(&name, &values)?;
    }

    out.text("status", rs.iter().map(|r| r.status.as_deref()));
    out.text(
        "computed_status",
        rs.iter().map(|r| r.computed_status.as_deref()),
    );
    out.text("label", rs.iter().map(|r| r.label.as_deref()));
    out.text(
        "override_status",
        rs.iter().map(|r| r.overridden.as_ref().map(|o| &*o.status)),
    );
    out.text(
        "override_reason",
        rs.iter().map(|r| r.overridden.as_ref().map(|o| &*o.reason)),
    );
    out.text("direction", rs.iter().map(|r| Some(r.direction.as_str())));
    let reasons: Vec<Option<String>> = rs
        .iter()
        .map(|r| r.no_data_reason.as_ref().map(|n| n.phrase()))
        .collect();
    out.text("no_data_reason", reasons.iter().map(Option::as_deref));
    out.text(
        "explanation",
        rs.iter().map(|r| Some(r.explanation.as_str())),
    );
    out.text(
        "spc_variation",
        rs.iter().map(|r| r.spc.as_ref().and_then(|s| s.variation)),
    );
    out.text(
        "spc_assurance",
        rs.iter().map(|r| r.spc.as_ref().and_then(|s| s.assurance)),
    );
    out.text(
        "spc_point_type",
        rs.iter().map(|r| r.spc.as_ref().and_then(|s| s.point_type)),
    );
    let batch = RecordBatch::try_new(Arc::new(Schema::new(out.fields)), out.columns)?;
    Ok((batch, out.wide))
}
