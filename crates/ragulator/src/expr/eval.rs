//! The evaluator: walks the checker's resolved tree against an [`Env`].
//!
//! One function per type, so no run-time type tags are matched and nothing is
//! allocated: numbers are `Option<Decimal>` (`None` = missing), strings are
//! borrowed `Option<&str>`, booleans are plain `bool`. Arithmetic overflow and
//! division by zero give missing; any comparison with a missing operand is
//! false. Recursion follows the tree, whose height is at most
//! [`super::MAX_DEPTH`].

use std::cmp::Ordering;

use rust_decimal::{Decimal, RoundingStrategy};

use super::checker::{Arith, Cmp, Typed};
use super::Env;
use crate::model::Polarity;

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// Compares two decimals exactly, quickly when their scales agree.
///
/// Values, targets and thresholds are held at the indicator's decimals, so
/// most comparisons in evaluation are between equal scales; there the
/// mantissas decide, while `Decimal`'s `Ord` always takes its general path
/// (an out-of-line call that checks zeros, signs and rescales).
///
/// Between scales up to 9 apart (`gap >= 0` with a gap at one place, say)
/// the mantissa with fewer places is multiplied up in `i128`: a mantissa is
/// below 2^96 and 10^9 below 2^30, so that cannot overflow.
#[inline]
pub(crate) fn compare(a: Decimal, b: Decimal) -> Ordering {
    let (sa, sb) = (a.scale(), b.scale());
    if sa == sb {
        return a.mantissa().cmp(&b.mantissa());
    }
    let apart = sa.abs_diff(sb);
    match 10_i128.checked_pow(apart).filter(|_| apart <= 9) {
        Some(up) => {
            if sa < sb {
                (a.mantissa() * up).cmp(&b.mantissa())
            } else {
                a.mantissa().cmp(&(b.mantissa() * up))
            }
        }
        _ => a.cmp(&b),
    }
}

/// Evaluates a number-typed node (`None` = missing).
pub(crate) fn number(node: &Typed, env: &dyn Env) -> Option<Decimal> {
    match node {
        Typed::Num(d) => Some(*d),
        Typed::Var(var, when) => env.var(*var, *when),
        Typed::Neg(x) => number(x, env).map(|d| -d),
        Typed::Arith(op, a, b) => {
            let a = number(a, env)?;
            let b = number(b, env)?;
            match op {
                Arith::Add => a.checked_add(b),
                Arith::Sub => a.checked_sub(b),
                Arith::Mul => a.checked_mul(b),
                Arith::Div => a.checked_div(b),
            }
        }
        Typed::Abs(x) => number(x, env).map(|d| d.abs()),
        Typed::Min(xs) => fold(xs, env, Decimal::min),
        Typed::Max(xs) => fold(xs, env, Decimal::max),
        Typed::Round(x, dp) => number(x, env)
            .map(|d| d.round_dp_with_strategy(*dp, RoundingStrategy::MidpointAwayFromZero)),
        Typed::MeanLast(n) => env.mean_last(*n),
        Typed::Count(status) => Some(env.count(*status)),
        Typed::Total => Some(env.total()),
        Typed::Share(status) => {
            let total = env.total();
            if total.is_zero() {
                return None;
            }
            env.count(*status).checked_mul(HUNDRED)?.checked_div(total)
        }
        _ => None,
    }
}

/// min/max: missing if any argument is.
fn fold(xs: &[Typed], env: &dyn Env, pick: fn(Decimal, Decimal) -> Decimal) -> Option<Decimal> {
    let (head, rest) = xs.split_first()?;
    let mut acc = number(head, env)?;
    for x in rest {
        acc = pick(acc, number(x, env)?);
    }
    Some(acc)
}

/// Evaluates a Bool-typed node.
pub(crate) fn boolean(node: &Typed, env: &dyn Env) -> bool {
    match node {
        Typed::Bool(b) => *b,
        Typed::CmpNum(op, a, b) => {
            let (Some(a), Some(b)) = (number(a, env), number(b, env)) else {
                return false;
            };
            let order = compare(a, b);
            match op {
                Cmp::Lt => order.is_lt(),
                Cmp::Le => order.is_le(),
                Cmp::Gt => order.is_gt(),
                Cmp::Ge => order.is_ge(),
                Cmp::Eq => order.is_eq(),
                Cmp::Ne => order.is_ne(),
            }
        }
        Typed::EqStr { ne, lhs, rhs } => match (string(lhs, env), string(rhs, env)) {
            (Some(a), Some(b)) => (a == b) != *ne,
            _ => false,
        },
        Typed::EqBool { ne, lhs, rhs } => (boolean(lhs, env) == boolean(rhs, env)) != *ne,
        Typed::And(a, b) => boolean(a, env) && boolean(b, env),
        Typed::Or(a, b) => boolean(a, env) || boolean(b, env),
        Typed::Not(x) => !boolean(x, env),
        Typed::MissingNum(x) => number(x, env).is_none(),
        Typed::MissingStr(x) => string(x, env).is_none(),
        Typed::Better { strict, lhs, rhs } => {
            let (Some(a), Some(b)) = (number(lhs, env), number(rhs, env)) else {
                return false;
            };
            let order = compare(a, b);
            match (env.polarity(), strict) {
                (Polarity::HigherIsBetter, true) => order.is_gt(),
                (Polarity::HigherIsBetter, false) => order.is_ge(),
                (Polarity::LowerIsBetter, true) => order.is_lt(),
                (Polarity::LowerIsBetter, false) => order.is_le(),
                (Polarity::Range | Polarity::None, _) => false,
            }
        }
        Typed::WorseFor(n) => env.worse_for(*n).unwrap_or(false),
        _ => false,
    }
}

/// Evaluates a string-typed node (`None` = missing).
pub(crate) fn string<'a>(node: &'a Typed, env: &dyn Env) -> Option<&'a str> {
    match node {
        Typed::Str(s) => Some(s),
        Typed::Trend(n) => env.trend(*n),
        Typed::Variation => env.variation(),
        Typed::Assurance => env.assurance(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::test_strategies::{any_decimal, small_decimal};

    proptest! {
        #[test]
        fn compare_agrees_with_decimal_ord(a in any_decimal(), b in any_decimal()) {
            prop_assert_eq!(super::compare(a, b), a.cmp(&b));
        }

        #[test]
        fn compare_agrees_with_decimal_ord_on_small_numbers(a in small_decimal(), b in small_decimal()) {
            prop_assert_eq!(super::compare(a, b), a.cmp(&b));
            // The same number at another scale compares equal.
            let mut c = a;
            c.rescale(a.scale() + 3);
            prop_assert_eq!(super::compare(a, c), Ordering::Equal);
        }
    }

    use std::str::FromStr;
    use std::sync::Arc;

    use super::super::{CheckContext, Expr, Scope, Value, Var, When};
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    /// Fixed data: value 84.5, target 80, gap 4.5, gap_pct 5.625, sn 82,
    /// england missing; previous value 83, last year 90.
    struct TestEnv {
        polarity: Polarity,
        value: Option<Decimal>,
        counts: [u32; 5],
        total: u32,
        variation: Option<&'static str>,
    }

    impl Default for TestEnv {
        fn default() -> Self {
            TestEnv {
                polarity: Polarity::HigherIsBetter,
                value: Some(d("84.5")),
                counts: [0, 2, 1, 1, 0],
                total: 4,
                variation: Some("common_cause"),
            }
        }
    }

    impl Env for TestEnv {
        fn var(&self, var: Var, when: When) -> Option<Decimal> {
            match (var, when) {
                (Var::Value, When::Current) => self.value,
                (Var::Value, When::Previous) => Some(d("83")),
                (Var::Value, When::LastYear) => Some(d("90")),
                (Var::Target, When::Current) => Some(d("80")),
                (Var::Target, When::Previous) => Some(d("85")),
                (Var::Gap, When::Current) => Some(d("4.5")),
                (Var::GapPct, When::Current) => Some(d("5.625")),
                (Var::Comparator(0), When::Current) => Some(d("82")),
                (Var::Comparator(0), When::LastYear) => Some(d("81")),
                _ => None,
            }
        }
        fn polarity(&self) -> Polarity {
            self.polarity
        }
        fn mean_last(&self, n: usize) -> Option<Decimal> {
            (n <= 3).then(|| Decimal::from(n * 10))
        }
        fn worse_for(&self, n: usize) -> Option<bool> {
            (n <= 5).then_some(n <= 2)
        }
        fn trend(&self, n: usize) -> Option<&'static str> {
            (n <= 6).then_some(match self.polarity {
                Polarity::None | Polarity::Range => "up",
                _ => "improving",
            })
        }
        fn variation(&self) -> Option<&'static str> {
            self.variation
        }
        fn assurance(&self) -> Option<&'static str> {
            None
        }
        fn count(&self, status: usize) -> Decimal {
            Decimal::from(self.counts.get(status).copied().unwrap_or(0))
        }
        fn total(&self) -> Decimal {
            Decimal::from(self.total)
        }
    }

    fn compile(source: &str, scope: Scope, polarity: Polarity) -> Expr {
        let comparators = vec!["sn".to_string(), "england".to_string()];
        let statuses: Vec<String> = ["blue", "green", "amber", "red", "no_data"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let ctx = CheckContext {
            scope,
            comparators: &comparators,
            statuses: &statuses,
            polarity,
        };
        match Expr::compile_value(source, &ctx) {
            Ok(e) => e,
            Err(e) => panic!("{source:?}: {e}"),
        }
    }

    /// Theme scope for sources using theme names, indicator scope otherwise.
    fn scope_of(source: &str) -> Scope {
        if ["count", "share", "total"]
            .iter()
            .any(|w| source.contains(w))
        {
            Scope::Theme
        } else {
            Scope::Indicator
        }
    }

    fn value_with(source: &str, env: &TestEnv) -> Value {
        compile(source, scope_of(source), env.polarity).eval_value(env)
    }

    fn value(source: &str) -> Value {
        value_with(source, &TestEnv::default())
    }

    fn num(source: &str) -> Value {
        value(source)
    }

    fn n(s: &str) -> Value {
        Value::Number(d(s))
    }

    fn truth(source: &str) -> bool {
        truth_with(source, &TestEnv::default())
    }

    fn truth_with(source: &str, env: &TestEnv) -> bool {
        match value_with(source, env) {
            Value::Bool(b) => {
                // eval and eval_value agree.
                let expr = compile(source, scope_of(source), env.polarity);
                assert_eq!(expr.eval(env), b, "{source}");
                b
            }
            other => panic!("{source:?} is not true/false: {other:?}"),
        }
    }

    #[test]
    fn arithmetic_and_precedence() {
        assert_eq!(num("1 + 2 * 3"), n("7"));
        assert_eq!(num("(1 + 2) * 3"), n("9"));
        assert_eq!(num("10 - 4 - 3"), n("3"));
        assert_eq!(num("12 / 3 / 2"), n("2"));
        assert_eq!(num("-value + 100"), n("15.5"));
        assert_eq!(num("- -2"), n("2"));
        assert_eq!(num("value - target"), n("4.5"));
        assert_eq!(num(".5 * 4"), n("2"));
        assert_eq!(num("1 / 3 * 3"), n("0.9999999999999999999999999999"));
    }

    #[test]
    fn variables_and_history() {
        assert_eq!(num("value"), n("84.5"));
        assert_eq!(num("target"), n("80"));
        assert_eq!(num("gap"), n("4.5"));
        assert_eq!(num("gap_pct"), n("5.625"));
        assert_eq!(num("sn"), n("82"));
        assert_eq!(num("england"), Value::Missing);
        assert_eq!(num("previous"), n("83"));
        assert_eq!(num("previous(value)"), n("83"));
        assert_eq!(num("previous(target)"), n("85"));
        assert_eq!(num("last_year"), n("90"));
        assert_eq!(num("last_year(sn)"), n("81"));
        assert_eq!(num("previous(sn)"), Value::Missing);
        assert_eq!(num("mean_last(3)"), n("30"));
        assert_eq!(num("mean_last(4)"), Value::Missing);
        assert!(truth("worse_for(2)"));
        assert!(!truth("worse_for(3)"));
        assert!(!truth("worse_for(6)"), "not enough history is false");
        assert!(!truth("not worse_for(6) and false"));
    }

    #[test]
    fn functions() {
        assert_eq!(num("abs(-gap)"), n("4.5"));
        assert_eq!(num("abs(england)"), Value::Missing);
        assert_eq!(num("min(value, sn, 100)"), n("82"));
        assert_eq!(num("max(value, sn, 100)"), n("100"));
        assert_eq!(num("min(value, england)"), Value::Missing);
        assert_eq!(num("max(england, value)"), Value::Missing);
        assert_eq!(num("round(84.95, 1)"), n("85.0"));
        assert_eq!(num("round(-84.95, 1)"), n("-85.0"));
        assert_eq!(num("round(2.5, 0)"), n("3"));
        assert_eq!(num("round(-2.5, 0)"), n("-3"));
        assert_eq!(num("round(gap_pct, 2)"), n("5.63"));
        assert_eq!(num("round(england, 2)"), Value::Missing);
        assert!(truth("round(84.95, 1) == 85"));
    }

    #[test]
    fn missing_semantics() {
        // Arithmetic with a missing operand is missing.
        assert_eq!(num("england + 1"), Value::Missing);
        assert_eq!(num("1 - england"), Value::Missing);
        assert_eq!(num("england * 0"), Value::Missing);
        assert_eq!(num("-england"), Value::Missing);
        // Division by zero is missing.
        assert_eq!(num("value / 0"), Value::Missing);
        assert_eq!(num("value / (target - 80)"), Value::Missing);
        // Overflow is missing.
        assert_eq!(num("79228162514264337593543950335 * 10"), Value::Missing);
        assert_eq!(num("79228162514264337593543950335 + 1"), Value::Missing);
        // Every comparison with a missing operand is false, != included.
        for op in ["<", "<=", ">", ">=", "==", "!="] {
            assert!(!truth(&format!("england {op} 1")), "{op}");
            assert!(!truth(&format!("1 {op} england")), "{op}");
            assert!(!truth(&format!("england {op} england")), "{op}");
            assert!(!truth(&format!("value / 0 {op} 1")), "{op}");
        }
        // not of a false comparison is true: the documented way round is missing().
        assert!(truth("not (england > 1)"));
        assert!(truth("missing(england)"));
        assert!(truth("missing(value / 0)"));
        assert!(!truth("missing(value)"));
        assert!(truth("missing(england) or england > 1"));
        assert!(truth("missing(trend(7))"));
        assert!(!truth("missing(trend(3))"));
        assert!(!truth("trend(7) == \"improving\""));
        assert!(!truth("trend(7) != \"improving\""));
        assert!(truth("missing(assurance())"));
        assert!(!truth("assurance() != \"hit_and_miss\""));
        let no_value = TestEnv {
            value: None,
            ..TestEnv::default()
        };
        assert!(!truth_with("value >= target", &no_value));
        assert!(!truth_with("value < target", &no_value));
        assert!(truth_with("missing(value)", &no_value));
        assert!(!truth_with("better(value, sn)", &no_value));
        assert!(!truth_with("at_least_as_good(value, sn)", &no_value));
    }

    #[test]
    fn comparisons() {
        assert!(truth("value > target"));
        assert!(truth("value >= 84.5"));
        assert!(truth("value <= 84.50"));
        assert!(!truth("value < 84.5"));
        assert!(truth("value == 84.50"));
        assert!(truth("value != 84"));
        assert!(truth("\"a\" == \"a\""));
        assert!(truth("\"a\" != \"b\""));
        assert!(truth("(value > 1) == true"));
        assert!(truth("(value > 1) != false"));
        assert!(truth("variation() == \"common_cause\""));
        assert!(!truth("variation() != \"common_cause\""));
    }

    #[test]
    fn logic() {
        assert!(truth("true and true"));
        assert!(!truth("true and false"));
        assert!(truth("false or true"));
        assert!(!truth("false or false"));
        assert!(truth("not false"));
        assert!(truth("not not true"));
        assert!(truth("false and true or true"), "and binds tighter than or");
        assert!(!truth("false and (true or true)"));
        assert!(truth("not false and true"));
    }

    #[test]
    fn better_follows_polarity() {
        let higher = TestEnv::default();
        let lower = TestEnv {
            polarity: Polarity::LowerIsBetter,
            ..TestEnv::default()
        };
        assert!(truth_with("better(value, sn)", &higher));
        assert!(!truth_with("better(sn, value)", &higher));
        assert!(!truth_with("better(value, 84.5)", &higher));
        assert!(truth_with("at_least_as_good(value, 84.5)", &higher));
        assert!(!truth_with("better(value, sn)", &lower));
        assert!(truth_with("better(sn, value)", &lower));
        assert!(!truth_with("better(value, 84.5)", &lower));
        assert!(truth_with("at_least_as_good(value, 84.5)", &lower));
        assert!(!truth_with("at_least_as_good(value, 80)", &lower));
        assert!(!truth_with("better(value, england)", &higher));
        assert!(!truth_with("at_least_as_good(england, value)", &lower));
        // An environment whose polarity disagrees with the checked one: false.
        let expr = compile(
            "better(value, sn)",
            Scope::Indicator,
            Polarity::HigherIsBetter,
        );
        let none = TestEnv {
            polarity: Polarity::None,
            ..TestEnv::default()
        };
        assert!(!expr.eval(&none));
    }

    #[test]
    fn spc_and_trend() {
        assert!(truth("trend(3) == \"improving\""));
        let none = TestEnv {
            polarity: Polarity::None,
            ..TestEnv::default()
        };
        assert!(truth_with("trend(3) == \"up\"", &none));
        assert_eq!(value("trend(3)"), Value::Str(Arc::from("improving")));
        assert_eq!(value("variation()"), Value::Str(Arc::from("common_cause")));
        assert_eq!(value("assurance()"), Value::Missing);
        let no_spc = TestEnv {
            variation: None,
            ..TestEnv::default()
        };
        assert!(!truth_with("variation() == \"common_cause\"", &no_spc));
        assert!(truth_with("missing(variation())", &no_spc));
    }

    #[test]
    fn theme_scope() {
        let env = TestEnv::default();
        assert_eq!(value_with("count(\"green\")", &env), n("2"));
        assert_eq!(value_with("count(\"blue\")", &env), n("0"));
        assert_eq!(value_with("total", &env), n("4"));
        assert_eq!(value_with("total()", &env), n("4"));
        assert_eq!(value_with("share(\"green\")", &env), n("50"));
        assert_eq!(value_with("share(\"red\")", &env), n("25"));
        assert!(truth_with(
            "count(\"red\") >= 1 and share(\"green\") < 60",
            &env
        ));
        let thirds = TestEnv {
            counts: [0, 1, 1, 1, 0],
            total: 3,
            ..TestEnv::default()
        };
        assert_eq!(value_with("round(share(\"green\"), 1)", &thirds), n("33.3"));
        let empty = TestEnv {
            counts: [0; 5],
            total: 0,
            ..TestEnv::default()
        };
        assert_eq!(value_with("share(\"green\")", &empty), Value::Missing);
        assert!(!truth_with("share(\"green\") < 50", &empty));
        assert!(truth_with(
            "missing(share(\"green\")) and total == 0",
            &empty
        ));
    }

    #[test]
    fn eval_on_non_bool_is_false() {
        let expr = compile("value", Scope::Indicator, Polarity::HigherIsBetter);
        assert!(!expr.eval(&TestEnv::default()));
    }

    #[test]
    fn many_evaluations_share_one_expr_across_threads() {
        let expr = Arc::new(compile(
            "gap >= 0 and (better(value, sn) or missing(england))",
            Scope::Indicator,
            Polarity::HigherIsBetter,
        ));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let expr = Arc::clone(&expr);
                std::thread::spawn(move || (0..1000).all(|_| expr.eval(&TestEnv::default())))
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().ok(), Some(true));
        }
    }
}
