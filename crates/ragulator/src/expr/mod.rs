//! The expression language of rule sets (DESIGN.md 3.5, 3.6, 5, 6).
//!
//! A condition such as `gap >= 0 and value > sn` is compiled once, when the
//! scorecard loads: [`Expr::compile`] checks its length, lexes it, parses it
//! (with spans, depth-limited), and type-checks it against a
//! [`CheckContext`], resolving every name to an enum or an index. Evaluation
//! ([`Expr::eval`]) then walks the resolved tree with no string lookups and no
//! allocation, reading data through an [`Env`].
//!
//! Missing data: a missing operand makes arithmetic missing (so does division
//! by zero), makes every comparison false (`!=` too), and is tested with
//! `missing(x)`. `and`, `or` and `not` take true/false only, so a condition is
//! never true by accident on absent data.
//!
//! ```
//! use ragulator::expr::{CheckContext, Env, Expr, Scope, Var, When};
//! use ragulator::model::Polarity;
//! use rust_decimal::Decimal;
//!
//! struct Row { value: Option<Decimal>, sn: Option<Decimal> }
//! impl Env for Row {
//!     fn var(&self, var: Var, when: When) -> Option<Decimal> {
//!         match (var, when) {
//!             (Var::Value, When::Current) => self.value,
//!             (Var::Comparator(0), When::Current) => self.sn,
//!             _ => None,
//!         }
//!     }
//!     fn polarity(&self) -> Polarity { Polarity::HigherIsBetter }
//! }
//!
//! let comparators = vec!["sn".to_string()];
//! let statuses = vec!["green".to_string(), "red".to_string(), "no_data".to_string()];
//! let ctx = CheckContext {
//!     scope: Scope::Indicator,
//!     comparators: &comparators,
//!     statuses: &statuses,
//!     polarity: Polarity::HigherIsBetter,
//! };
//! let expr = Expr::compile("better(value, sn) and value >= 80", &ctx).unwrap();
//! assert!(expr.eval(&Row { value: Some(Decimal::new(845, 1)), sn: Some(Decimal::new(80, 0)) }));
//! assert!(!expr.eval(&Row { value: Some(Decimal::new(845, 1)), sn: None }));
//!
//! let err = Expr::compile("value > england", &ctx).unwrap_err();
//! assert_eq!(err.to_string(),
//!     "column 9: unknown variable 'england'; expected one of: value, target, gap, gap_pct, previous, last_year, sn");
//! ```

mod checker;
mod eval;
mod lexer;
mod parser;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::model::Polarity;

pub(crate) use eval::compare;
pub use parser::{parse, Ast, BinaryOp, Node, UnaryOp};

/// The longest expression accepted, in bytes of source.
pub const MAX_LENGTH: usize = 4096;

/// The deepest nesting accepted: parentheses, operators and calls, and the
/// height of the parsed tree.
pub const MAX_DEPTH: usize = 48;

/// An error in an expression: what is wrong and where.
///
/// ```
/// let err = ragulator::expr::parse("value > > 1").unwrap_err();
/// assert_eq!(err.column, 9);
/// assert_eq!(err.span, 8..9);
/// assert_eq!(err.to_string(), "column 9: expected a value, found '>'");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ExprError {
    /// What is wrong, and what would be valid.
    pub message: String,
    /// Where, 1-based, counted in characters.
    pub column: usize,
    /// Where, in bytes of the source.
    pub span: Range<usize>,
}

impl ExprError {
    fn new(source: &str, span: Range<usize>, message: impl Into<String>) -> ExprError {
        ExprError {
            message: message.into(),
            column: Self::column_of(source, span.start),
            span,
        }
    }

    /// The 1-based character column of byte offset `at`.
    fn column_of(source: &str, at: usize) -> usize {
        match source.get(..at) {
            Some(prefix) => prefix.chars().count() + 1,
            None => at + 1,
        }
    }
}

/// Which names an expression may use.
///
/// ```
/// use ragulator::expr::Scope;
/// assert_ne!(Scope::Indicator, Scope::Theme);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// An indicator's rule set: `value`, `target`, comparators, history, SPC.
    Indicator,
    /// A theme's rule set: `count("red")`, `share("green")`, `total`.
    Theme,
}

/// What the checker needs to know about where an expression is used.
///
/// ```
/// use ragulator::expr::{CheckContext, Scope};
/// use ragulator::model::Polarity;
/// let statuses = vec!["green".to_string(), "red".to_string(), "no_data".to_string()];
/// let ctx = CheckContext { scope: Scope::Theme, comparators: &[], statuses: &statuses,
///                          polarity: Polarity::None };
/// assert_eq!(ctx.statuses.len(), 3);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CheckContext<'a> {
    /// Indicator or theme.
    pub scope: Scope,
    /// The indicator's comparator names; [`Var::Comparator`] indexes this.
    pub comparators: &'a [String],
    /// Every status id of the scale, including `no_data`; `count` and
    /// `share` resolve to indexes into this.
    pub statuses: &'a [String],
    /// The indicator's polarity (ignored in theme scope).
    pub polarity: Polarity,
}

/// A variable of an indicator, resolved by the checker.
///
/// ```
/// use ragulator::expr::Var;
/// assert_eq!(Var::GapPct.name(&[]), "gap_pct");
/// assert_eq!(Var::Comparator(0).name(&["sn".to_string()]), "sn");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Var {
    /// The (rounded) value.
    Value,
    /// The target (for `range`, see the caller's convention).
    Target,
    /// `gap` (section 3.3): `>= 0` means met.
    Gap,
    /// `gap / |target| * 100`.
    GapPct,
    /// A comparator, by index into [`CheckContext::comparators`].
    Comparator(usize),
}

impl Var {
    /// The name as written in expressions (`"?"` for an out-of-range
    /// comparator index).
    pub fn name(self, comparators: &[String]) -> &str {
        match self {
            Var::Value => "value",
            Var::Target => "target",
            Var::Gap => "gap",
            Var::GapPct => "gap_pct",
            Var::Comparator(i) => comparators.get(i).map_or("?", String::as_str),
        }
    }
}

/// Which period a variable is read for.
///
/// ```
/// use ragulator::expr::When;
/// assert_ne!(When::Previous, When::LastYear);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum When {
    /// The period being evaluated.
    Current,
    /// The period just before (`previous`, `previous(x)`).
    Previous,
    /// The same period a year earlier (`last_year`, `last_year(x)`).
    LastYear,
}

/// The static type of an expression.
///
/// ```
/// use ragulator::expr::Type;
/// assert_eq!(Type::Number.to_string(), "a number");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// A decimal (possibly missing at run time).
    Number,
    /// True or false (never missing).
    Bool,
    /// A string (possibly missing at run time).
    String,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Number => "a number",
            Type::Bool => "true/false",
            Type::String => "a string",
        })
    }
}

/// A run-time value, as [`Expr::eval_value`] reports it.
///
/// ```
/// use ragulator::expr::Value;
/// assert_eq!(Value::Str("improving".into()).to_string(), "\"improving\"");
/// assert_eq!(Value::Missing.to_string(), "missing");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A decimal.
    Number(Decimal),
    /// True or false.
    Bool(bool),
    /// A string.
    Str(Arc<str>),
    /// A number or string with no data.
    Missing,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(d) => write!(f, "{}", d.normalize()),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Missing => f.write_str("missing"),
        }
    }
}

/// The data an expression reads, supplied by the evaluator for one
/// (entity, indicator or theme, period).
///
/// Every method but [`Env::var`] and [`Env::polarity`] has a default that
/// reports no data, so a theme-only or indicator-only environment implements
/// only what its scope uses.
///
/// ```
/// use ragulator::expr::{Env, Var, When};
/// use ragulator::model::Polarity;
/// use rust_decimal::Decimal;
/// struct Fixed;
/// impl Env for Fixed {
///     fn var(&self, _: Var, _: When) -> Option<Decimal> { Some(Decimal::ONE) }
///     fn polarity(&self) -> Polarity { Polarity::None }
/// }
/// assert_eq!(Fixed.total(), Decimal::ZERO);
/// ```
pub trait Env {
    /// A variable's value for a period; `None` when missing.
    fn var(&self, var: Var, when: When) -> Option<Decimal>;
    /// The indicator's polarity (for `better` and `at_least_as_good`).
    fn polarity(&self) -> Polarity;
    /// The mean of the last `n` values including the current one; `None`
    /// with fewer than `n`.
    fn mean_last(&self, n: usize) -> Option<Decimal> {
        let _ = n;
        None
    }
    /// Whether each of the last `n` changes was a worsening; `None` when
    /// there is not enough history (`worse_for` is then false).
    fn worse_for(&self, n: usize) -> Option<bool> {
        let _ = n;
        None
    }
    /// The polarity-aware sign of the least-squares slope over the last `n`
    /// values: `"improving"`, `"worsening"` or `"no_change"`; `"up"`,
    /// `"down"` or `"no_change"` for polarity `none` and `range`. `None` with
    /// fewer than `n` values.
    fn trend(&self, n: usize) -> Option<&'static str> {
        let _ = n;
        None
    }
    /// The SPC variation of the current point (`"common_cause"`,
    /// `"improvement_high"`, ...); `None` without SPC.
    fn variation(&self) -> Option<&'static str> {
        None
    }
    /// The SPC assurance (`"consistent_pass"`, `"consistent_fail"`,
    /// `"hit_and_miss"`); `None` without a target or SPC.
    fn assurance(&self) -> Option<&'static str> {
        None
    }
    /// Theme scope: how many of the theme's indicators have this status
    /// (an index into [`CheckContext::statuses`]).
    fn count(&self, status: usize) -> Decimal {
        let _ = status;
        Decimal::ZERO
    }
    /// Theme scope: how many indicators the theme has.
    fn total(&self) -> Decimal {
        Decimal::ZERO
    }
}

/// A compiled, type-checked expression. `Send + Sync`, cheap to evaluate.
///
/// ```
/// use ragulator::expr::{CheckContext, Expr, Scope, Var, When};
/// use ragulator::model::Polarity;
/// let comparators = vec!["sn".to_string(), "england".to_string()];
/// let ctx = CheckContext { scope: Scope::Indicator, comparators: &comparators,
///                          statuses: &[], polarity: Polarity::LowerIsBetter };
/// let expr = Expr::compile("value < england and previous(england) > last_year", &ctx).unwrap();
/// assert_eq!(expr.variables(), &[(Var::Value, When::Current),
///     (Var::Comparator(1), When::Current), (Var::Comparator(1), When::Previous),
///     (Var::Value, When::LastYear)]);
/// assert_eq!(expr.comparators_used().collect::<Vec<_>>(), vec![1]);
/// assert_eq!(expr.source(), "value < england and previous(england) > last_year");
/// ```
#[derive(Clone, Debug)]
pub struct Expr {
    source: Arc<str>,
    root: checker::Typed,
    ty: Type,
    variables: Vec<(Var, When)>,
    comparators: Vec<usize>,
    reads_beyond_variables: bool,
    reads_spc: bool,
}

impl Expr {
    /// Compiles a rule condition: length check, lex, parse, check. The
    /// expression must be true/false.
    ///
    /// ```
    /// use ragulator::expr::{CheckContext, Expr, Scope};
    /// use ragulator::model::Polarity;
    /// let ctx = CheckContext { scope: Scope::Indicator, comparators: &[], statuses: &[],
    ///                          polarity: Polarity::HigherIsBetter };
    /// assert!(Expr::compile("gap >= 0", &ctx).is_ok());
    /// assert_eq!(Expr::compile("gap + 1", &ctx).unwrap_err().message,
    ///            "a condition must be true or false, found a number");
    /// ```
    pub fn compile(source: &str, ctx: &CheckContext) -> Result<Expr, ExprError> {
        let expr = Self::compile_value(source, ctx)?;
        if expr.ty != Type::Bool {
            return Err(ExprError::new(
                source,
                0..source.len(),
                format!("a condition must be true or false, found {}", expr.ty),
            ));
        }
        Ok(expr)
    }

    /// Compiles an expression of any type (a number, a string or a
    /// condition), e.g. for a value shown in a trace.
    ///
    /// ```
    /// use ragulator::expr::{CheckContext, Expr, Scope, Type};
    /// use ragulator::model::Polarity;
    /// let ctx = CheckContext { scope: Scope::Indicator, comparators: &[], statuses: &[],
    ///                          polarity: Polarity::HigherIsBetter };
    /// assert_eq!(Expr::compile_value("round(gap_pct, 1)", &ctx).unwrap().ty(), Type::Number);
    /// ```
    pub fn compile_value(source: &str, ctx: &CheckContext) -> Result<Expr, ExprError> {
        let ast = parse(source)?;
        let checked = checker::check(source, &ast, ctx)?;
        let mut comparators = Vec::new();
        for (var, _) in &checked.variables {
            if let Var::Comparator(i) = var {
                if !comparators.contains(i) {
                    comparators.push(*i);
                }
            }
        }
        Ok(Expr {
            source: Arc::from(source),
            root: checked.root,
            ty: checked.ty,
            variables: checked.variables,
            comparators,
            reads_beyond_variables: checked.reads_beyond_variables,
            reads_spc: checked.reads_spc,
        })
    }

    /// The source text it was compiled from.
    ///
    /// ```
    /// # use ragulator::expr::{CheckContext, Expr, Scope};
    /// # use ragulator::model::Polarity;
    /// # let ctx = CheckContext { scope: Scope::Indicator, comparators: &[], statuses: &[],
    /// #                          polarity: Polarity::HigherIsBetter };
    /// assert_eq!(Expr::compile("true", &ctx).unwrap().source(), "true");
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The expression's static type ([`Type::Bool`] for anything from
    /// [`Expr::compile`]).
    ///
    /// ```
    /// # use ragulator::expr::{CheckContext, Expr, Scope, Type};
    /// # use ragulator::model::Polarity;
    /// # let ctx = CheckContext { scope: Scope::Indicator, comparators: &[], statuses: &[],
    /// #                          polarity: Polarity::HigherIsBetter };
    /// assert_eq!(Expr::compile("true", &ctx).unwrap().ty(), Type::Bool);
    /// ```
    pub fn ty(&self) -> Type {
        self.ty
    }

    /// Evaluates a condition. False for a non-Bool expression; never true
    /// because data is missing (unless the expression says `missing(x)`).
    ///
    /// ```
    /// # use ragulator::expr::{CheckContext, Env, Expr, Scope, Var, When};
    /// # use ragulator::model::Polarity;
    /// # use rust_decimal::Decimal;
    /// struct NoData;
    /// impl Env for NoData {
    ///     fn var(&self, _: Var, _: When) -> Option<Decimal> { None }
    ///     fn polarity(&self) -> Polarity { Polarity::HigherIsBetter }
    /// }
    /// # let ctx = CheckContext { scope: Scope::Indicator, comparators: &[], statuses: &[],
    /// #                          polarity: Polarity::HigherIsBetter };
    /// assert!(!Expr::compile("value != target", &ctx).unwrap().eval(&NoData));
    /// assert!(Expr::compile("missing(value)", &ctx).unwrap().eval(&NoData));
    /// ```
    pub fn eval(&self, env: &dyn Env) -> bool {
        eval::boolean(&self.root, env)
    }

    /// Evaluates to a [`Value`], for traces (allocates only for a string
    /// result).
    ///
    /// ```
    /// # use ragulator::expr::{CheckContext, Env, Expr, Scope, Value, Var, When};
    /// # use ragulator::model::Polarity;
    /// # use rust_decimal::Decimal;
    /// struct Ten;
    /// impl Env for Ten {
    ///     fn var(&self, _: Var, _: When) -> Option<Decimal> { Some(Decimal::TEN) }
    ///     fn polarity(&self) -> Polarity { Polarity::HigherIsBetter }
    /// }
    /// # let ctx = CheckContext { scope: Scope::Indicator, comparators: &[], statuses: &[],
    /// #                          polarity: Polarity::HigherIsBetter };
    /// let e = Expr::compile_value("value / 4", &ctx).unwrap();
    /// assert_eq!(e.eval_value(&Ten), Value::Number(Decimal::new(25, 1)));
    /// let e = Expr::compile_value("value / (target - 10)", &ctx).unwrap();
    /// assert_eq!(e.eval_value(&Ten), Value::Missing);
    /// ```
    pub fn eval_value(&self, env: &dyn Env) -> Value {
        match self.ty {
            Type::Bool => Value::Bool(eval::boolean(&self.root, env)),
            Type::Number => eval::number(&self.root, env).map_or(Value::Missing, Value::Number),
            Type::String => {
                eval::string(&self.root, env).map_or(Value::Missing, |s| Value::Str(Arc::from(s)))
            }
        }
    }

    /// The distinct variables the expression reads, in first-use order.
    ///
    /// ```
    /// # use ragulator::expr::{CheckContext, Expr, Scope, Var, When};
    /// # use ragulator::model::Polarity;
    /// # let ctx = CheckContext { scope: Scope::Indicator, comparators: &[], statuses: &[],
    /// #                          polarity: Polarity::HigherIsBetter };
    /// let e = Expr::compile("gap > 0 or gap > previous", &ctx).unwrap();
    /// assert_eq!(e.variables(), &[(Var::Gap, When::Current), (Var::Value, When::Previous)]);
    /// ```
    pub fn variables(&self) -> &[(Var, When)] {
        &self.variables
    }

    /// Whether it reads only [`Expr::variables`]: no function over the
    /// history (`mean_last`, `worse_for`, `trend`), SPC (`variation`,
    /// `assurance`) or theme counts.
    ///
    /// ```
    /// # use ragulator::expr::{CheckContext, Expr, Scope};
    /// # use ragulator::model::Polarity;
    /// let ctx = CheckContext { scope: Scope::Indicator, comparators: &[], statuses: &[],
    ///                          polarity: Polarity::HigherIsBetter };
    /// assert!(Expr::compile("gap >= 0 or better(value, previous)", &ctx).unwrap().reads_only_variables());
    /// assert!(!Expr::compile("value > mean_last(3)", &ctx).unwrap().reads_only_variables());
    /// ```
    pub fn reads_only_variables(&self) -> bool {
        !self.reads_beyond_variables
    }

    /// Whether it reads the indicator's SPC chart (`variation()`,
    /// `assurance()`): the indicator then gets one, as the `spc` rule does.
    ///
    /// ```
    /// # use ragulator::expr::{CheckContext, Expr, Scope};
    /// # use ragulator::model::Polarity;
    /// let ctx = CheckContext { scope: Scope::Indicator, comparators: &[], statuses: &[],
    ///                          polarity: Polarity::HigherIsBetter };
    /// assert!(Expr::compile("variation() == \"concern_low\"", &ctx).unwrap().reads_spc());
    /// assert!(!Expr::compile("value > mean_last(3)", &ctx).unwrap().reads_spc());
    /// ```
    pub fn reads_spc(&self) -> bool {
        self.reads_spc
    }

    /// The distinct comparator indexes the expression reads, in first-use
    /// order.
    ///
    /// ```
    /// # use ragulator::expr::{CheckContext, Expr, Scope};
    /// # use ragulator::model::Polarity;
    /// let names = vec!["sn".to_string(), "england".to_string()];
    /// let ctx = CheckContext { scope: Scope::Indicator, comparators: &names, statuses: &[],
    ///                          polarity: Polarity::HigherIsBetter };
    /// let e = Expr::compile("value > england or last_year(england) > sn", &ctx).unwrap();
    /// assert_eq!(e.comparators_used().collect::<Vec<_>>(), vec![1, 0]);
    /// ```
    pub fn comparators_used(&self) -> impl Iterator<Item = usize> + '_ {
        self.comparators.iter().copied()
    }

    /// The 1-based character column where `name` is first used as a name
    /// (not inside a string), to point at it in a message.
    ///
    /// ```
    /// # use ragulator::expr::{CheckContext, Expr, Scope};
    /// # use ragulator::model::Polarity;
    /// let names = vec!["sn".to_string()];
    /// let ctx = CheckContext { scope: Scope::Indicator, comparators: &names, statuses: &[],
    ///                          polarity: Polarity::HigherIsBetter };
    /// let e = Expr::compile("\"sn\" == \"sn\" and value > sn", &ctx).unwrap();
    /// assert_eq!(e.column_of_name("sn"), Some(26));
    /// ```
    pub fn column_of_name(&self, name: &str) -> Option<usize> {
        let tokens = lexer::lex(&self.source).ok()?;
        let at = tokens
            .iter()
            .find(|t| matches!(&t.tok, lexer::Tok::Ident(n) if n == name))?;
        Some(ExprError::column_of(&self.source, at.span.start))
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_send_sync<T: Send + Sync + Clone + fmt::Debug>() {}

    #[test]
    fn expr_is_send_sync() {
        assert_send_sync::<Expr>();
        assert_send_sync::<Ast>();
        assert_send_sync::<ExprError>();
    }

    #[test]
    fn column_counts_characters() {
        assert_eq!(ExprError::column_of("ééx", 4), 3);
        assert_eq!(ExprError::column_of("abc", 3), 4);
        // Not a char boundary or out of range: no panic.
        assert_eq!(ExprError::column_of("é", 1), 2);
        assert_eq!(ExprError::column_of("a", 10), 11);
    }

    #[test]
    fn huge_inputs_are_errors() {
        let ctx = CheckContext {
            scope: Scope::Indicator,
            comparators: &[],
            statuses: &[],
            polarity: Polarity::HigherIsBetter,
        };
        let deep = format!("{}1{}", "(".repeat(20_000), ")".repeat(20_000));
        assert!(Expr::compile(&deep, &ctx).is_err());
        let megabyte = "value > 1 and ".repeat(80_000);
        let e = Expr::compile(&megabyte, &ctx).map(|_| ()).unwrap_err();
        assert!(e.message.contains("too long"), "{}", e.message);
        // Within the length limit but too deep for the tree.
        let deep = format!("{}1{}", "(".repeat(2000), ")".repeat(2000));
        let e = Expr::compile(&deep, &ctx).map(|_| ()).unwrap_err();
        assert!(e.message.contains("nested too deeply"), "{}", e.message);
    }

    /// Large and awkward values, to shake out overflow and rounding.
    struct Wild;

    impl Env for Wild {
        fn var(&self, var: Var, when: When) -> Option<Decimal> {
            match (var, when) {
                (Var::Value, _) => Some(Decimal::MAX),
                (Var::Target, _) => Some(Decimal::ZERO),
                (Var::Gap, _) => Some(Decimal::MIN),
                (Var::GapPct, _) => Some(Decimal::new(1, 28)),
                (Var::Comparator(_), _) => None,
            }
        }
        fn polarity(&self) -> Polarity {
            Polarity::LowerIsBetter
        }
        fn mean_last(&self, n: usize) -> Option<Decimal> {
            Some(Decimal::from(n))
        }
        fn worse_for(&self, n: usize) -> Option<bool> {
            Some(n % 2 == 0)
        }
        fn trend(&self, _: usize) -> Option<&'static str> {
            Some("worsening")
        }
        fn variation(&self) -> Option<&'static str> {
            Some("concern_high")
        }
        fn count(&self, status: usize) -> Decimal {
            Decimal::from(status)
        }
        fn total(&self) -> Decimal {
            Decimal::from(3)
        }
    }

    proptest! {
        #[test]
        fn compile_and_eval_never_panic(
            parts in prop::collection::vec(
                prop_oneof![
                    Just("value"), Just("target"),
                    Just("gap"), Just("gap_pct"),
                    Just("sn"), Just("previous"),
                    Just("last_year"), Just("total"),
                    Just("abs("), Just("min("),
                    Just("max("), Just("round("),
                    Just("missing("), Just("better("),
                    Just("mean_last("), Just("worse_for("),
                    Just("trend("), Just("variation()"),
                    Just("count(\"red\")"), Just("share(\"red\")"),
                    Just("\"worsening\""), Just("("),
                    Just(")"), Just(","),
                    Just(" + "), Just(" - "),
                    Just(" * "), Just(" / "),
                    Just(" < "), Just(" == "),
                    Just(" != "), Just(" and "),
                    Just(" or "), Just("not "),
                    Just("0"), Just("2"),
                    Just("79228162514264337593543950335"),
                    Just("0.0000000000000000000000000001"),
                    Just("true"),
                ],
                1..40,
            ),
            theme in any::<bool>(),
        ) {
            let source = parts.concat();
            let comparators = vec!["sn".to_string()];
            let statuses = vec!["green".to_string(), "red".to_string(), "no_data".to_string()];
            let ctx = CheckContext {
                scope: if theme { Scope::Theme } else { Scope::Indicator },
                comparators: &comparators,
                statuses: &statuses,
                polarity: Polarity::LowerIsBetter,
            };
            match Expr::compile_value(&source, &ctx) {
                Ok(expr) => {
                    let value = expr.eval_value(&Wild);
                    let _ = expr.eval(&Wild);
                    let _ = value.to_string();
                }
                Err(e) => {
                    prop_assert!(e.span.end <= source.len());
                    prop_assert!(e.column >= 1);
                }
            }
        }
    }
}
