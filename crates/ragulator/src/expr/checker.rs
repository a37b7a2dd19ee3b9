//! The type checker: an untyped [`Ast`] and a [`CheckContext`] to a resolved,
//! typed tree ([`Typed`]) in which every name is an enum or an index.
//!
//! It runs once, when the scorecard loads, and reports the first problem with
//! its column and what would be valid. Its recursion follows the tree, whose
//! height the parser has already limited to [`super::MAX_DEPTH`].

use std::sync::Arc;

use rust_decimal::Decimal;

use super::parser::{Ast, BinaryOp, Node, UnaryOp};
use super::{CheckContext, ExprError, Scope, Type, Var, When};
use crate::model::Polarity;

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

/// Numeric comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// The resolved tree. Each variant's type is fixed: the evaluator has one
/// function per type and never looks a name up.
#[derive(Clone, Debug)]
pub(crate) enum Typed {
    // Numbers.
    Num(Decimal),
    Var(Var, When),
    Neg(Box<Typed>),
    Arith(Arith, Box<Typed>, Box<Typed>),
    Abs(Box<Typed>),
    Min(Box<[Typed]>),
    Max(Box<[Typed]>),
    Round(Box<Typed>, u32),
    MeanLast(usize),
    Count(usize),
    Share(usize),
    Total,
    // Booleans.
    Bool(bool),
    CmpNum(Cmp, Box<Typed>, Box<Typed>),
    EqStr {
        ne: bool,
        lhs: Box<Typed>,
        rhs: Box<Typed>,
    },
    EqBool {
        ne: bool,
        lhs: Box<Typed>,
        rhs: Box<Typed>,
    },
    And(Box<Typed>, Box<Typed>),
    Or(Box<Typed>, Box<Typed>),
    Not(Box<Typed>),
    MissingNum(Box<Typed>),
    MissingStr(Box<Typed>),
    Better {
        strict: bool,
        lhs: Box<Typed>,
        rhs: Box<Typed>,
    },
    WorseFor(usize),
    // Strings.
    Str(Arc<str>),
    Trend(usize),
    Variation,
    Assurance,
}

/// The checker's result.
pub(crate) struct Checked {
    pub(crate) root: Typed,
    pub(crate) ty: Type,
    pub(crate) variables: Vec<(Var, When)>,
    /// Whether it calls a function that reads more than the current
    /// period's variables (history, SPC or theme counts).
    pub(crate) reads_beyond_variables: bool,
    /// Whether it calls `variation()` or `assurance()`.
    pub(crate) reads_spc: bool,
}

/// The longest history a function may ask for (`mean_last(n)` etc.).
const MAX_HISTORY: u32 = 120;

const INDICATOR_VARIABLES: [&str; 6] =
    ["value", "target", "gap", "gap_pct", "previous", "last_year"];
const THEME_VARIABLES: [&str; 1] = ["total"];
const COMMON_FUNCTIONS: [&str; 5] = ["abs", "min", "max", "round", "missing"];
const INDICATOR_FUNCTIONS: [&str; 9] = [
    "better",
    "at_least_as_good",
    "previous",
    "last_year",
    "mean_last",
    "worse_for",
    "trend",
    "variation",
    "assurance",
];
const THEME_FUNCTIONS: [&str; 3] = ["count", "share", "total"];

/// What `variation()` can be (DESIGN.md 6).
pub(crate) const VARIATIONS: [&str; 7] = [
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
];
/// What `assurance()` can be.
pub(crate) const ASSURANCES: [&str; 3] = ["consistent_pass", "consistent_fail", "hit_and_miss"];
/// What `trend(n)` can be with a direction of improvement.
pub(crate) const TRENDS: [&str; 3] = ["improving", "worsening", "no_change"];
/// What `trend(n)` can be without one (polarity `none` or `range`).
pub(crate) const DIRECTIONS: [&str; 3] = ["up", "down", "no_change"];

/// Checks `ast` (parsed from `source`) in `ctx`.
pub(crate) fn check(source: &str, ast: &Ast, ctx: &CheckContext) -> Result<Checked, ExprError> {
    let mut checker = Checker {
        source,
        ctx,
        variables: Vec::new(),
        reads_beyond_variables: false,
        reads_spc: false,
    };
    let (root, ty) = checker
        .check(ast)
        .map_err(|e| with_other_unknown_names(source, ast, ctx, e))?;
    Ok(Checked {
        root,
        ty,
        variables: checker.variables,
        reads_beyond_variables: checker.reads_beyond_variables,
        reads_spc: checker.reads_spc,
    })
}

/// An unknown name stops the check at the first; DESIGN.md 3 asks for
/// every broken reference at once, so the error names the expression's
/// other unknown names too (`; also unknown: 'cipfa' (column 30)`).
fn with_other_unknown_names(
    source: &str,
    ast: &Ast,
    ctx: &CheckContext,
    mut e: ExprError,
) -> ExprError {
    let Some(first) = e
        .message
        .strip_prefix("unknown variable '")
        .or_else(|| e.message.strip_prefix("unknown function '"))
        .and_then(|rest| rest.split_once('\''))
        .map(|(name, _)| name.to_string())
    else {
        return e;
    };
    let mut unknown: Vec<(String, usize)> = Vec::new();
    collect_unknown_names(ast, ctx, &mut unknown);
    let others: Vec<String> = unknown
        .iter()
        .filter(|(name, _)| *name != first)
        .map(|(name, start)| {
            let column = source.get(..*start).map_or(0, |s| s.chars().count()) + 1;
            format!("'{name}' (column {column})")
        })
        .collect();
    if !others.is_empty() {
        e.message = format!("{}; also unknown: {}", e.message, others.join(", "));
    }
    e
}

/// The names in `ast` that are no variable, comparator or function in any
/// scope (those are reported by the check itself), each once, in order.
fn collect_unknown_names(ast: &Ast, ctx: &CheckContext, out: &mut Vec<(String, usize)>) {
    let function = |n: &str| {
        COMMON_FUNCTIONS
            .iter()
            .chain(&INDICATOR_FUNCTIONS)
            .chain(&THEME_FUNCTIONS)
            .any(|f| *f == n)
    };
    let mut note = |name: &str, start: usize| {
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), start));
        }
    };
    match &ast.node {
        Node::Ident(name) => {
            let known = INDICATOR_VARIABLES.contains(&name.as_str())
                || THEME_VARIABLES.contains(&name.as_str())
                || ctx.comparators.iter().any(|c| c == name)
                || function(name);
            if !known {
                note(name, ast.span.start);
            }
        }
        Node::Call {
            name,
            name_span,
            args,
        } => {
            if !function(name) {
                note(name, name_span.start);
            }
            for arg in args {
                collect_unknown_names(arg, ctx, out);
            }
        }
        Node::Unary { operand, .. } => collect_unknown_names(operand, ctx, out),
        Node::Binary { lhs, rhs, .. } => {
            collect_unknown_names(lhs, ctx, out);
            collect_unknown_names(rhs, ctx, out);
        }
        Node::Number(_) | Node::Str(_) | Node::Bool(_) => {}
    }
}

struct Checker<'s, 'c> {
    source: &'s str,
    ctx: &'c CheckContext<'c>,
    variables: Vec<(Var, When)>,
    reads_beyond_variables: bool,
    reads_spc: bool,
}

fn join(names: &[&str]) -> String {
    names.join(", ")
}

fn boxed(t: Typed) -> Box<Typed> {
    Box::new(t)
}

impl Checker<'_, '_> {
    fn error(&self, span: &std::ops::Range<usize>, message: impl Into<String>) -> ExprError {
        ExprError::new(self.source, span.clone(), message)
    }

    fn indicator(&self) -> bool {
        self.ctx.scope == Scope::Indicator
    }

    fn variable_names(&self) -> Vec<&str> {
        match self.ctx.scope {
            Scope::Indicator => INDICATOR_VARIABLES
                .iter()
                .copied()
                .chain(self.ctx.comparators.iter().map(String::as_str))
                .collect(),
            Scope::Theme => THEME_VARIABLES.to_vec(),
        }
    }

    fn function_names(&self) -> Vec<&'static str> {
        let specific: &[&'static str] = match self.ctx.scope {
            Scope::Indicator => &INDICATOR_FUNCTIONS,
            Scope::Theme => &THEME_FUNCTIONS,
        };
        COMMON_FUNCTIONS.iter().chain(specific).copied().collect()
    }

    fn use_var(&mut self, var: Var, when: When) -> Typed {
        if !self.variables.contains(&(var, when)) {
            self.variables.push((var, when));
        }
        Typed::Var(var, when)
    }

    /// Resolves an indicator variable name (`value`, `target`, `gap`,
    /// `gap_pct`, a comparator), without `previous`/`last_year`.
    fn resolve_var(&self, name: &str) -> Option<Var> {
        match name {
            "value" => Some(Var::Value),
            "target" => Some(Var::Target),
            "gap" => Some(Var::Gap),
            "gap_pct" => Some(Var::GapPct),
            _ => self
                .ctx
                .comparators
                .iter()
                .position(|c| c == name)
                .map(Var::Comparator),
        }
    }

    fn check(&mut self, ast: &Ast) -> Result<(Typed, Type), ExprError> {
        match &ast.node {
            Node::Number(d) => Ok((Typed::Num(*d), Type::Number)),
            Node::Str(s) => Ok((Typed::Str(Arc::from(s.as_str())), Type::String)),
            Node::Bool(b) => Ok((Typed::Bool(*b), Type::Bool)),
            Node::Ident(name) => self.ident(name, ast),
            Node::Call {
                name,
                name_span,
                args,
            } => self.call(name, name_span, args),
            Node::Unary { op, operand } => {
                let (inner, ty) = self.check(operand)?;
                match op {
                    UnaryOp::Neg => {
                        self.require(ty, Type::Number, operand, || "'-' needs a number".into())?;
                        Ok((Typed::Neg(boxed(inner)), Type::Number))
                    }
                    UnaryOp::Not => {
                        self.require(ty, Type::Bool, operand, || "'not' needs true/false".into())?;
                        Ok((Typed::Not(boxed(inner)), Type::Bool))
                    }
                }
            }
            Node::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => self.binary(*op, op_span, lhs, rhs),
        }
    }

    /// Fails with "`what`, found <type>" at `at` unless `ty == want`.
    fn require(
        &self,
        ty: Type,
        want: Type,
        at: &Ast,
        what: impl FnOnce() -> String,
    ) -> Result<(), ExprError> {
        if ty == want {
            return Ok(());
        }
        let mut message = format!("{}, found {ty}", what());
        if want == Type::Bool && ty == Type::Number {
            message.push_str(" (compare it, e.g. gap >= 0)");
        }
        Err(self.error(&at.span, message))
    }

    fn ident(&mut self, name: &str, ast: &Ast) -> Result<(Typed, Type), ExprError> {
        let span = &ast.span;
        match self.ctx.scope {
            Scope::Indicator => {
                let when_var = match name {
                    "previous" => Some((Var::Value, When::Previous)),
                    "last_year" => Some((Var::Value, When::LastYear)),
                    _ => self.resolve_var(name).map(|v| (v, When::Current)),
                };
                if let Some((var, when)) = when_var {
                    if matches!(var, Var::Gap | Var::GapPct) && self.ctx.polarity == Polarity::None
                    {
                        // Never computed without a polarity: a clause on it
                        // could never hold (DESIGN.md 3.3).
                        return Err(self.error(
                            span,
                            format!(
                                "{name} needs an indicator with a polarity (higher_is_better, lower_is_better or range); this one has polarity none: compare value with target instead"
                            ),
                        ));
                    }
                    return Ok((self.use_var(var, when), Type::Number));
                }
                if THEME_VARIABLES.contains(&name) || THEME_FUNCTIONS.contains(&name) {
                    return Err(self.error(
                        span,
                        format!("'{name}' can only be used in a theme rule set"),
                    ));
                }
            }
            Scope::Theme => {
                if name == "total" {
                    self.reads_beyond_variables = true;
                    return Ok((Typed::Total, Type::Number));
                }
                if INDICATOR_VARIABLES.contains(&name) || INDICATOR_FUNCTIONS.contains(&name) {
                    return Err(self.error(
                        span,
                        format!(
                            "'{name}' can only be used in an indicator rule set; a theme rule set uses count(\"status\"), share(\"status\") and total"
                        ),
                    ));
                }
            }
        }
        if self.function_names().contains(&name) {
            return Err(self.error(
                span,
                format!("'{name}' is a function: call it as {name}(...)"),
            ));
        }
        Err(self.error(
            span,
            format!(
                "unknown variable '{name}'; expected one of: {}",
                join(&self.variable_names())
            ),
        ))
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        op_span: &std::ops::Range<usize>,
        lhs: &Ast,
        rhs: &Ast,
    ) -> Result<(Typed, Type), ExprError> {
        let (l, lt) = self.check(lhs)?;
        let (r, rt) = self.check(rhs)?;
        let sym = op.symbol();
        match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let arith = match op {
                    BinaryOp::Add => Arith::Add,
                    BinaryOp::Sub => Arith::Sub,
                    BinaryOp::Mul => Arith::Mul,
                    _ => Arith::Div,
                };
                self.require(lt, Type::Number, lhs, || format!("'{sym}' needs numbers"))?;
                self.require(rt, Type::Number, rhs, || format!("'{sym}' needs numbers"))?;
                Ok((Typed::Arith(arith, boxed(l), boxed(r)), Type::Number))
            }
            BinaryOp::And | BinaryOp::Or => {
                self.require(lt, Type::Bool, lhs, || format!("'{sym}' needs true/false"))?;
                self.require(rt, Type::Bool, rhs, || format!("'{sym}' needs true/false"))?;
                let node = if op == BinaryOp::And {
                    Typed::And(boxed(l), boxed(r))
                } else {
                    Typed::Or(boxed(l), boxed(r))
                };
                Ok((node, Type::Bool))
            }
            BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::Eq
            | BinaryOp::Ne => {
                if lt != rt {
                    return Err(
                        self.error(op_span, format!("'{sym}' cannot compare {lt} with {rt}"))
                    );
                }
                let ne = op == BinaryOp::Ne;
                match lt {
                    Type::Number => {
                        let cmp = match op {
                            BinaryOp::Lt => Cmp::Lt,
                            BinaryOp::Le => Cmp::Le,
                            BinaryOp::Gt => Cmp::Gt,
                            BinaryOp::Ge => Cmp::Ge,
                            BinaryOp::Eq => Cmp::Eq,
                            _ => Cmp::Ne,
                        };
                        Ok((Typed::CmpNum(cmp, boxed(l), boxed(r)), Type::Bool))
                    }
                    _ if !matches!(op, BinaryOp::Eq | BinaryOp::Ne) => {
                        let what = if lt == Type::String {
                            "strings"
                        } else {
                            "true/false values"
                        };
                        Err(self.error(
                            op_span,
                            format!("'{sym}' cannot compare {what}; use == or !="),
                        ))
                    }
                    Type::String => {
                        self.check_literal(&l, &r, rhs)?;
                        self.check_literal(&r, &l, lhs)?;
                        Ok((
                            Typed::EqStr {
                                ne,
                                lhs: boxed(l),
                                rhs: boxed(r),
                            },
                            Type::Bool,
                        ))
                    }
                    Type::Bool => Ok((
                        Typed::EqBool {
                            ne,
                            lhs: boxed(l),
                            rhs: boxed(r),
                        },
                        Type::Bool,
                    )),
                }
            }
        }
    }

    /// When `func` is `variation()`, `assurance()` or `trend(n)` and `lit` a
    /// string literal, the literal must be one of the function's results.
    fn check_literal(&self, func: &Typed, lit: &Typed, lit_ast: &Ast) -> Result<(), ExprError> {
        let Typed::Str(text) = lit else {
            return Ok(());
        };
        let (name, values): (&str, &[&str]) = match func {
            Typed::Variation => ("variation()", &VARIATIONS),
            Typed::Assurance => ("assurance()", &ASSURANCES),
            Typed::Trend(_) => match self.ctx.polarity {
                Polarity::HigherIsBetter | Polarity::LowerIsBetter => ("trend()", &TRENDS),
                Polarity::Range | Polarity::None => {
                    ("trend() (no direction of improvement)", &DIRECTIONS)
                }
            },
            _ => return Ok(()),
        };
        if values.contains(&&**text) {
            return Ok(());
        }
        Err(self.error(
            &lit_ast.span,
            format!(
                "\"{text}\" is never a value of {name}; expected one of: {}",
                join(values)
            ),
        ))
    }

    /// A whole-number literal argument from `lo` to `hi`.
    fn int_arg(&self, fname: &str, arg: &Ast, lo: u32, hi: u32) -> Result<u32, ExprError> {
        let found = match &arg.node {
            Node::Number(d) if d.is_integer() => match u32::try_from(*d) {
                Ok(n) if (lo..=hi).contains(&n) => return Ok(n),
                _ => d.to_string(),
            },
            Node::Number(d) => d.to_string(),
            // `-1` parses as minus applied to 1: name it as written.
            Node::Unary {
                op: UnaryOp::Neg,
                operand,
            } => match &operand.node {
                Node::Number(d) => format!("-{d}"),
                _ => "an expression".to_string(),
            },
            _ => "an expression".to_string(),
        };
        let call = if fname == "round" {
            "round(x, n)"
        } else {
            &format!("{fname}(n)")
        };
        Err(self.error(
            &arg.span,
            format!("the n of {call} must be a whole number from {lo} to {hi}, written as a literal; found {found}"),
        ))
    }

    /// `fname` compares values by the indicator's polarity: an error on an
    /// indicator without one (`none`, `range`).
    fn needs_polarity(&self, fname: &str, span: &std::ops::Range<usize>) -> Result<(), ExprError> {
        let polarity = match self.ctx.polarity {
            Polarity::HigherIsBetter | Polarity::LowerIsBetter => return Ok(()),
            Polarity::Range => "range",
            Polarity::None => "none",
        };
        Err(self.error(
            span,
            format!(
                "{fname} needs an indicator with polarity higher_is_better or lower_is_better; this one has polarity {polarity}"
            ),
        ))
    }

    fn arg_count(
        &self,
        fname: &str,
        span: &std::ops::Range<usize>,
        args: &[Ast],
        want: usize,
    ) -> Result<(), ExprError> {
        if args.len() == want {
            return Ok(());
        }
        let takes = match want {
            0 => "no arguments".to_string(),
            1 => "1 argument".to_string(),
            n => format!("{n} arguments"),
        };
        Err(self.error(span, format!("{fname} takes {takes}, found {}", args.len())))
    }

    /// Argument `i` (counts are checked first; this only keeps it panic-free).
    fn arg<'a>(
        &self,
        args: &'a [Ast],
        i: usize,
        span: &std::ops::Range<usize>,
    ) -> Result<&'a Ast, ExprError> {
        args.get(i)
            .ok_or_else(|| self.error(span, format!("argument {} is missing", i + 1)))
    }

    fn number_arg(&mut self, fname: &str, index: usize, arg: &Ast) -> Result<Typed, ExprError> {
        let (typed, ty) = self.check(arg)?;
        self.require(ty, Type::Number, arg, || {
            format!("argument {} of {fname} must be a number", index + 1)
        })?;
        Ok(typed)
    }

    fn status_arg(&self, fname: &str, args: &[Ast]) -> Result<usize, ExprError> {
        let Some(Ast {
            node: Node::Str(status),
            span,
        }) = args.first()
        else {
            let span = args.first().map_or(0..0, |a| a.span.clone());
            return Err(self.error(
                &span,
                format!("{fname} takes a status name in double quotes, e.g. {fname}(\"red\")"),
            ));
        };
        match self.ctx.statuses.iter().position(|s| s == status) {
            Some(i) => Ok(i),
            None => {
                let known: Vec<&str> = self.ctx.statuses.iter().map(String::as_str).collect();
                Err(self.error(
                    span,
                    format!(
                        "unknown status \"{status}\"; expected one of: {}",
                        join(&known)
                    ),
                ))
            }
        }
    }

    fn call(
        &mut self,
        name: &str,
        span: &std::ops::Range<usize>,
        args: &[Ast],
    ) -> Result<(Typed, Type), ExprError> {
        let indicator_only = INDICATOR_FUNCTIONS.contains(&name);
        let theme_only = THEME_FUNCTIONS.contains(&name);
        if indicator_only && !self.indicator() {
            return Err(self.error(
                span,
                format!("{name}() can only be used in an indicator rule set"),
            ));
        }
        if theme_only && self.indicator() {
            return Err(self.error(
                span,
                format!("{name}() can only be used in a theme rule set"),
            ));
        }
        match name {
            "abs" => {
                self.arg_count(name, span, args, 1)?;
                let x = self.number_arg(name, 0, self.arg(args, 0, span)?)?;
                Ok((Typed::Abs(boxed(x)), Type::Number))
            }
            "min" | "max" => {
                if args.len() < 2 {
                    return Err(self.error(
                        span,
                        format!("{name} takes 2 or more arguments, found {}", args.len()),
                    ));
                }
                let mut typed = Vec::with_capacity(args.len());
                for (i, arg) in args.iter().enumerate() {
                    typed.push(self.number_arg(name, i, arg)?);
                }
                let typed = typed.into_boxed_slice();
                let node = if name == "min" {
                    Typed::Min(typed)
                } else {
                    Typed::Max(typed)
                };
                Ok((node, Type::Number))
            }
            "round" => {
                self.arg_count(name, span, args, 2)?;
                let x = self.number_arg(name, 0, self.arg(args, 0, span)?)?;
                let dp = self.int_arg(name, self.arg(args, 1, span)?, 0, 28)?;
                Ok((Typed::Round(boxed(x), dp), Type::Number))
            }
            "missing" => {
                self.arg_count(name, span, args, 1)?;
                let arg = self.arg(args, 0, span)?;
                let (x, ty) = self.check(arg)?;
                match ty {
                    Type::Number => Ok((Typed::MissingNum(boxed(x)), Type::Bool)),
                    Type::String => Ok((Typed::MissingStr(boxed(x)), Type::Bool)),
                    Type::Bool => Err(self.error(
                        &arg.span,
                        "missing needs a number or a string, found true/false (which is never missing)",
                    )),
                }
            }
            "better" | "at_least_as_good" => {
                self.needs_polarity(name, span)?;
                self.arg_count(name, span, args, 2)?;
                let a = self.number_arg(name, 0, self.arg(args, 0, span)?)?;
                let b = self.number_arg(name, 1, self.arg(args, 1, span)?)?;
                Ok((
                    Typed::Better {
                        strict: name == "better",
                        lhs: boxed(a),
                        rhs: boxed(b),
                    },
                    Type::Bool,
                ))
            }
            "previous" | "last_year" => {
                self.arg_count(name, span, args, 1)?;
                let arg = self.arg(args, 0, span)?;
                let var = match &arg.node {
                    Node::Ident(v) => self.resolve_var(v),
                    _ => None,
                };
                let Some(var) = var else {
                    let mut valid = vec!["value", "target", "gap", "gap_pct"];
                    valid.extend(self.ctx.comparators.iter().map(String::as_str));
                    return Err(self.error(
                        &arg.span,
                        format!("{name}(x) takes a variable, one of: {}", join(&valid)),
                    ));
                };
                let when = if name == "previous" {
                    When::Previous
                } else {
                    When::LastYear
                };
                Ok((self.use_var(var, when), Type::Number))
            }
            "mean_last" => {
                self.reads_beyond_variables = true;
                self.arg_count(name, span, args, 1)?;
                let n = self.int_arg(name, self.arg(args, 0, span)?, 1, MAX_HISTORY)?;
                Ok((Typed::MeanLast(n as usize), Type::Number))
            }
            "worse_for" => {
                // A worsening is a change for the worse: it needs a polarity
                // (DESIGN.md 3.3), as `better` does.
                self.needs_polarity(name, span)?;
                self.reads_beyond_variables = true;
                self.arg_count(name, span, args, 1)?;
                let n = self.int_arg(name, self.arg(args, 0, span)?, 1, MAX_HISTORY)?;
                Ok((Typed::WorseFor(n as usize), Type::Bool))
            }
            "trend" => {
                self.reads_beyond_variables = true;
                self.arg_count(name, span, args, 1)?;
                let n = self.int_arg(name, self.arg(args, 0, span)?, 2, MAX_HISTORY)?;
                Ok((Typed::Trend(n as usize), Type::String))
            }
            "variation" | "assurance" => {
                self.reads_beyond_variables = true;
                self.reads_spc = true;
                self.arg_count(name, span, args, 0)?;
                let node = if name == "variation" {
                    Typed::Variation
                } else {
                    Typed::Assurance
                };
                Ok((node, Type::String))
            }
            "count" | "share" => {
                self.reads_beyond_variables = true;
                self.arg_count(name, span, args, 1)?;
                let status = self.status_arg(name, args)?;
                let node = if name == "count" {
                    Typed::Count(status)
                } else {
                    Typed::Share(status)
                };
                Ok((node, Type::Number))
            }
            "total" => {
                self.reads_beyond_variables = true;
                self.arg_count(name, span, args, 0)?;
                Ok((Typed::Total, Type::Number))
            }
            _ => {
                let hint = if self.variable_names().contains(&name) {
                    format!("'{name}' is a variable, not a function; ")
                } else {
                    String::new()
                };
                Err(self.error(
                    span,
                    format!(
                        "{hint}unknown function '{name}'; expected one of: {}",
                        join(&self.function_names())
                    ),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Expr, MAX_DEPTH};
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn compile_in(
        source: &str,
        scope: Scope,
        polarity: Polarity,
        any_type: bool,
    ) -> Result<Expr, ExprError> {
        let comparators = names(&["sn", "england"]);
        let statuses = names(&["blue", "green", "amber", "red", "no_data"]);
        let ctx = CheckContext {
            scope,
            comparators: &comparators,
            statuses: &statuses,
            polarity,
        };
        if any_type {
            Expr::compile_value(source, &ctx)
        } else {
            Expr::compile(source, &ctx)
        }
    }

    fn ok(source: &str) -> Expr {
        match compile_in(source, Scope::Indicator, Polarity::HigherIsBetter, false) {
            Ok(e) => e,
            Err(e) => panic!("{source:?}: {e}"),
        }
    }

    fn ty(source: &str) -> Type {
        match compile_in(source, Scope::Indicator, Polarity::HigherIsBetter, true) {
            Ok(e) => e.ty(),
            Err(e) => panic!("{source:?}: {e}"),
        }
    }

    fn err_in(source: &str, scope: Scope, polarity: Polarity) -> ExprError {
        match compile_in(source, scope, polarity, false) {
            Ok(e) => panic!("expected an error for {source:?}, got {e:?}"),
            Err(e) => e,
        }
    }

    /// Asserts the error's column and that its message contains `part`.
    fn err(source: &str, column: usize, part: &str) {
        let e = err_in(source, Scope::Indicator, Polarity::HigherIsBetter);
        assert!(
            e.message.contains(part),
            "{source:?}: {:?} lacks {part:?}",
            e.message
        );
        assert_eq!(e.column, column, "{source:?}: {}", e.message);
    }

    fn theme_err(source: &str, column: usize, part: &str) {
        let e = err_in(source, Scope::Theme, Polarity::None);
        assert!(
            e.message.contains(part),
            "{source:?}: {:?} lacks {part:?}",
            e.message
        );
        assert_eq!(e.column, column, "{source:?}: {}", e.message);
    }

    #[test]
    fn types() {
        assert_eq!(ty("1 + value * 2"), Type::Number);
        assert_eq!(ty("-gap"), Type::Number);
        assert_eq!(ty("abs(gap)"), Type::Number);
        assert_eq!(ty("min(value, sn, england)"), Type::Number);
        assert_eq!(ty("max(1, 2)"), Type::Number);
        assert_eq!(ty("round(gap_pct, 1)"), Type::Number);
        assert_eq!(ty("previous(sn)"), Type::Number);
        assert_eq!(ty("last_year"), Type::Number);
        assert_eq!(ty("mean_last(3)"), Type::Number);
        assert_eq!(ty("worse_for(3)"), Type::Bool);
        assert_eq!(ty("trend(6)"), Type::String);
        assert_eq!(ty("variation()"), Type::String);
        assert_eq!(ty("assurance()"), Type::String);
        assert_eq!(ty("\"x\""), Type::String);
        assert_eq!(ty("missing(value)"), Type::Bool);
        assert_eq!(ty("missing(trend(3))"), Type::Bool);
        assert_eq!(ty("better(value, sn)"), Type::Bool);
        assert_eq!(ty("at_least_as_good(value, sn)"), Type::Bool);
        assert_eq!(ty("true"), Type::Bool);
        assert_eq!(ty("not true"), Type::Bool);
        assert_eq!(ty("value > 1 or false"), Type::Bool);
    }

    #[test]
    fn conditions_must_be_bool() {
        err(
            "gap + 1",
            1,
            "a condition must be true or false, found a number",
        );
        err("trend(3)", 1, "found a string");
        ok("gap >= 0");
        ok("(true)");
    }

    #[test]
    fn unknown_names() {
        err(
            "valu > 1",
            1,
            "unknown variable 'valu'; expected one of: value, target, gap, gap_pct, previous, last_year, sn, england",
        );
        // Every unknown name at once, each once (DESIGN.md 3).
        err(
            "valu > 1 and nhs > 2 and foo(1) > 0 or nhs > valu",
            1,
            "; also unknown: 'nhs' (column 14), 'foo' (column 26)",
        );
        err("foo(nhs) > 1", 1, "unknown function 'foo'; expected one of");
        err("foo(nhs) > 1", 1, "; also unknown: 'nhs' (column 5)");
        // Known names in the wrong place are the check's own errors.
        let e = err_in(
            "count(\"red\") > 1",
            Scope::Indicator,
            Polarity::HigherIsBetter,
        );
        assert!(!e.message.contains("also unknown"), "{}", e.message);
        err("value > wales", 9, "unknown variable 'wales'");
        err(
            "foo(1) > 2",
            1,
            "unknown function 'foo'; expected one of: abs, min, max, round, missing, better, at_least_as_good, previous, last_year, mean_last, worse_for, trend, variation, assurance",
        );
        err("value(1) > 2", 1, "'value' is a variable, not a function");
        err("abs > 1", 1, "'abs' is a function: call it as abs(...)");
        err("variation == \"x\"", 1, "'variation' is a function");
        theme_err(
            "foo() > 1",
            1,
            "unknown function 'foo'; expected one of: abs, min, max, round, missing, count, share, total",
        );
        theme_err("x > 1", 1, "unknown variable 'x'; expected one of: total");
    }

    #[test]
    fn scopes() {
        err(
            "total > 1",
            1,
            "'total' can only be used in a theme rule set",
        );
        err(
            "count(\"red\") > 1",
            1,
            "count() can only be used in a theme rule set",
        );
        err(
            "1 < share(\"red\")",
            5,
            "share() can only be used in a theme rule set",
        );
        err(
            "total() > 1",
            1,
            "total() can only be used in a theme rule set",
        );
        theme_err(
            "value > 1",
            1,
            "'value' can only be used in an indicator rule set",
        );
        theme_err(
            "total > previous",
            9,
            "'previous' can only be used in an indicator rule set",
        );
        theme_err(
            "trend(3) == \"up\"",
            1,
            "trend() can only be used in an indicator rule set",
        );
        theme_err(
            "better(1, 2)",
            1,
            "better() can only be used in an indicator rule set",
        );
        theme_err("variation() == \"x\"", 1, "variation() can only be used");
    }

    #[test]
    fn theme_functions() {
        let comparators: Vec<String> = Vec::new();
        let statuses = names(&["green", "amber", "red", "no_data"]);
        let ctx = CheckContext {
            scope: Scope::Theme,
            comparators: &comparators,
            statuses: &statuses,
            polarity: Polarity::None,
        };
        for source in [
            "count(\"red\") > 0",
            "share(\"green\") >= 50 and total >= 3",
            "total() == total",
            "count(\"no_data\") == 0",
            "round(share(\"amber\"), 0) > 10 or missing(share(\"red\"))",
        ] {
            if let Err(e) = Expr::compile(source, &ctx) {
                panic!("{source}: {e}");
            }
        }
        theme_err(
            "count(\"purple\") > 0",
            7,
            "unknown status \"purple\"; expected one of: blue, green, amber, red, no_data",
        );
        theme_err(
            "count(red) > 0",
            7,
            "count takes a status name in double quotes, e.g. count(\"red\")",
        );
        theme_err("share() > 0", 1, "share takes 1 argument, found 0");
        theme_err(
            "share(\"red\", \"x\") > 0",
            1,
            "share takes 1 argument, found 2",
        );
        theme_err("total(1) > 0", 1, "total takes no arguments, found 1");
    }

    #[test]
    fn argument_counts_and_types() {
        err(
            "min(value) > 1",
            1,
            "min takes 2 or more arguments, found 1",
        );
        err("max() > 1", 1, "max takes 2 or more arguments, found 0");
        err("abs(value, 1) > 1", 1, "abs takes 1 argument, found 2");
        err("round(value) > 1", 1, "round takes 2 arguments, found 1");
        err("missing()", 1, "missing takes 1 argument, found 0");
        err("better(value)", 1, "better takes 2 arguments, found 1");
        err(
            "variation(1) == \"x\"",
            1,
            "variation takes no arguments, found 1",
        );
        err(
            "previous(value, 1) > 1",
            1,
            "previous takes 1 argument, found 2",
        );
        err(
            "abs(\"x\") > 1",
            5,
            "argument 1 of abs must be a number, found a string",
        );
        err(
            "min(1, true) > 1",
            8,
            "argument 2 of min must be a number, found true/false",
        );
        err(
            "better(value, \"x\")",
            15,
            "argument 2 of better must be a number",
        );
        err(
            "missing(true)",
            9,
            "missing needs a number or a string, found true/false",
        );
    }

    #[test]
    fn literal_arguments() {
        ok("round(value, 0) > 1");
        ok("round(value, 28) > 1");
        err(
            "round(value, 29) > 1",
            14,
            "the n of round(x, n) must be a whole number from 0 to 28",
        );
        err("round(value, 1.5) > 1", 14, "found 1.5");
        err("round(value, -1) > 1", 14, "found -1");
        err("round(value, target) > 1", 14, "found an expression");
        ok("mean_last(1) > 1");
        ok("mean_last(120) > 1");
        err(
            "mean_last(0) > 1",
            11,
            "the n of mean_last(n) must be a whole number from 1 to 120",
        );
        err("mean_last(121) > 1", 11, "from 1 to 120");
        ok("worse_for(1)");
        err("worse_for(0)", 11, "from 1 to 120");
        ok("trend(2) == \"improving\"");
        err(
            "trend(1) == \"improving\"",
            7,
            "the n of trend(n) must be a whole number from 2 to 120",
        );
        err(
            "trend(99999999999) == \"improving\"",
            7,
            "found 99999999999",
        );
        ok("round(value, 2.0) > 1");
    }

    #[test]
    fn history_arguments() {
        let e = ok("previous(value) > previous and last_year(gap) < 0 and previous(england) > 1");
        assert_eq!(
            e.variables(),
            &[
                (Var::Value, When::Previous),
                (Var::Gap, When::LastYear),
                (Var::Comparator(1), When::Previous)
            ]
        );
        err(
            "previous(value + 1) > 1",
            10,
            "previous(x) takes a variable, one of: value, target, gap, gap_pct, sn, england",
        );
        err(
            "last_year(previous) > 1",
            11,
            "last_year(x) takes a variable",
        );
        err("previous(wales) > 1", 10, "takes a variable");
    }

    #[test]
    fn operators_need_the_right_types() {
        err("value + \"x\" > 1", 9, "'+' needs numbers, found a string");
        err("true * 2 > 1", 1, "'*' needs numbers, found true/false");
        err("-true", 2, "'-' needs a number, found true/false");
        err(
            "value and true",
            1,
            "'and' needs true/false, found a number (compare it, e.g. gap >= 0)",
        );
        err("true or \"x\"", 9, "'or' needs true/false, found a string");
        err("not value", 5, "'not' needs true/false, found a number");
        err(
            "value == \"x\"",
            7,
            "'==' cannot compare a number with a string",
        );
        err(
            "true != 1",
            6,
            "'!=' cannot compare true/false with a number",
        );
        err(
            "\"a\" < \"b\"",
            5,
            "'<' cannot compare strings; use == or !=",
        );
        err(
            "true >= false",
            6,
            "'>=' cannot compare true/false values; use == or !=",
        );
        err("(value < 1) < true", 13, "cannot compare true/false values");
        ok("\"a\" == \"b\"");
        ok("(value < 1) == true");
        ok("trend(3) != trend(6)");
    }

    #[test]
    fn polarity_for_better() {
        ok("better(value, sn)");
        let ok_lower = compile_in(
            "better(value, sn)",
            Scope::Indicator,
            Polarity::LowerIsBetter,
            false,
        );
        assert!(ok_lower.is_ok());
        for name in ["gap", "gap_pct"] {
            let e = err_in(&format!("{name} >= 0"), Scope::Indicator, Polarity::None);
            assert_eq!(
                e.message,
                format!("{name} needs an indicator with a polarity (higher_is_better, lower_is_better or range); this one has polarity none: compare value with target instead")
            );
            assert_eq!(e.column, 1);
            for polarity in [Polarity::HigherIsBetter, Polarity::Range] {
                assert!(
                    compile_in(&format!("{name} >= 0"), Scope::Indicator, polarity, false).is_ok()
                );
            }
        }
        let e = err_in("better(value, sn)", Scope::Indicator, Polarity::None);
        assert_eq!(
            e.message,
            "better needs an indicator with polarity higher_is_better or lower_is_better; this one has polarity none"
        );
        assert_eq!(e.column, 1);
        let e = err_in(
            "gap > 0 or at_least_as_good(value, sn)",
            Scope::Indicator,
            Polarity::Range,
        );
        assert!(
            e.message.contains("this one has polarity range"),
            "{}",
            e.message
        );
        assert_eq!(e.column, 12);
        // A worsening needs a polarity too.
        for polarity in [Polarity::None, Polarity::Range] {
            let e = err_in("value > 1 and worse_for(2)", Scope::Indicator, polarity);
            assert!(
                e.message
                    .starts_with("worse_for needs an indicator with polarity"),
                "{}",
                e.message
            );
            assert_eq!(e.column, 15);
        }
    }

    #[test]
    fn function_result_literals() {
        ok("variation() == \"improvement_high\"");
        ok("\"common_cause\" != variation()");
        ok("assurance() == \"hit_and_miss\"");
        ok("trend(3) == \"worsening\"");
        err(
            "variation() == \"improving\"",
            16,
            "\"improving\" is never a value of variation(); expected one of: common_cause, improvement_high, improvement_low, concern_high, concern_low, neutral_high, neutral_low",
        );
        err(
            "\"pass\" == assurance()",
            1,
            "expected one of: consistent_pass, consistent_fail, hit_and_miss",
        );
        err(
            "trend(3) == \"up\"",
            13,
            "expected one of: improving, worsening, no_change",
        );
        let none = |s| compile_in(s, Scope::Indicator, Polarity::None, false);
        assert!(none("trend(3) == \"up\"").is_ok());
        assert!(none("trend(3) == \"down\" or trend(4) == \"no_change\"").is_ok());
        let e = err_in(
            "trend(3) == \"improving\"",
            Scope::Indicator,
            Polarity::None,
        );
        assert!(
            e.message.contains("expected one of: up, down, no_change"),
            "{}",
            e.message
        );
        let e = err_in(
            "trend(3) == \"improving\"",
            Scope::Indicator,
            Polarity::Range,
        );
        assert!(e.message.contains("up, down, no_change"), "{}", e.message);
        // Only literals are checked.
        ok("trend(3) == variation()");
    }

    #[test]
    fn variables_in_first_use_order() {
        let e = ok("sn > value and value > target or gap_pct > sn and last_year > gap");
        assert_eq!(
            e.variables(),
            &[
                (Var::Comparator(0), When::Current),
                (Var::Value, When::Current),
                (Var::Target, When::Current),
                (Var::GapPct, When::Current),
                (Var::Value, When::LastYear),
                (Var::Gap, When::Current),
            ]
        );
        assert_eq!(e.comparators_used().collect::<Vec<_>>(), vec![0]);
        assert!(ok("true").variables().is_empty());
    }

    #[test]
    fn comparator_named_like_a_builtin_loses() {
        let comparators = names(&["value"]);
        let ctx = CheckContext {
            scope: Scope::Indicator,
            comparators: &comparators,
            statuses: &[],
            polarity: Polarity::HigherIsBetter,
        };
        let e = Expr::compile("value > 1", &ctx).map_err(|e| e.to_string());
        assert_eq!(
            e.map(|e| e.variables().to_vec()),
            Ok(vec![(Var::Value, When::Current)])
        );
    }

    #[test]
    fn deep_but_legal_trees_check() {
        let chain = vec!["value"; MAX_DEPTH - 1].join(" + ");
        ok(&format!("{chain} > 0"));
        let nested = format!(
            "{}value{} > 0",
            "abs(".repeat(MAX_DEPTH - 2),
            ")".repeat(MAX_DEPTH - 2)
        );
        ok(&nested);
    }
}
