//! Proptest strategies shared by the crate's unit tests.

use proptest::prelude::*;
use rust_decimal::Decimal;

/// Any decimal: a 96-bit mantissa at any scale 0..=28, either sign.
pub(crate) fn any_decimal() -> impl Strategy<Value = Decimal> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<bool>(),
        0u32..=28,
    )
        .prop_map(|(lo, mid, hi, negative, scale)| {
            Decimal::from_parts(lo, mid, hi, negative, scale)
        })
}

/// A decimal with a small mantissa and a few places, like the values,
/// targets and literals evaluation meets.
pub(crate) fn small_decimal() -> impl Strategy<Value = Decimal> {
    (-1_000_000i64..=1_000_000, 0u32..=12).prop_map(|(m, s)| Decimal::new(m, s))
}
