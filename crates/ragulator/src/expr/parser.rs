//! The parser: tokens to an untyped tree ([`Ast`]) with byte spans.
//!
//! Precedence, lowest first: `or`; `and`; `not`; comparisons (not
//! associative); `+ -`; `* /`; unary minus; calls, literals, names and
//! parentheses. Binary operators other than comparisons associate to the left.
//!
//! Two limits keep every later recursion bounded: the parser's own nesting
//! (parentheses, argument lists, unary operators) and the height of the tree
//! it builds are both at most [`MAX_DEPTH`].

use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;

use rust_decimal::Decimal;

use super::lexer::{lex, Tok, Token};
use super::{ExprError, MAX_DEPTH, MAX_LENGTH};

/// A node of the untyped tree and the bytes of the source it came from.
///
/// `Display` prints it back as source with only the parentheses it needs, so
/// printing and re-parsing gives the same tree (spans aside).
///
/// ```
/// let ast = ragulator::expr::parse("(value - target) * 2 >= abs(-gap)").unwrap();
/// assert_eq!(ast.span, 0..33);
/// assert_eq!(ast.to_string(), "(value - target) * 2 >= abs(-gap)");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    /// What the node is.
    pub node: Node,
    /// Where it is in the source, in bytes (parentheses around it included).
    pub span: Range<usize>,
}

/// The kinds of node in an [`Ast`].
///
/// ```
/// use ragulator::expr::{parse, Node, BinaryOp};
/// let ast = parse("a or b").unwrap();
/// assert!(matches!(ast.node, Node::Binary { op: BinaryOp::Or, .. }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A decimal literal (never negative: `-2` is a negation of `2`).
    Number(Decimal),
    /// A string literal, escapes resolved.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// A bare name: a variable, or `total`.
    Ident(String),
    /// A function call `name(args...)`.
    Call {
        /// The function's name.
        name: String,
        /// Where the name is.
        name_span: Range<usize>,
        /// The arguments, in order.
        args: Vec<Ast>,
    },
    /// `-x` or `not x`.
    Unary {
        /// Which operator.
        op: UnaryOp,
        /// Its operand.
        operand: Box<Ast>,
    },
    /// `lhs op rhs`.
    Binary {
        /// Which operator.
        op: BinaryOp,
        /// Where the operator is.
        op_span: Range<usize>,
        /// The left operand.
        lhs: Box<Ast>,
        /// The right operand.
        rhs: Box<Ast>,
    },
}

/// A prefix operator.
///
/// ```
/// assert_eq!(ragulator::expr::UnaryOp::Not.symbol(), "not");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Arithmetic negation, `-x`.
    Neg,
    /// Logical negation, `not x`.
    Not,
}

impl UnaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "not",
        }
    }
}

/// An infix operator.
///
/// ```
/// use ragulator::expr::BinaryOp;
/// assert_eq!(BinaryOp::Le.symbol(), "<=");
/// assert!(BinaryOp::Le.is_comparison());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// True for `< <= > >= == !=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne
        )
    }

    /// Binding strength: `or` 1, `and` 2, comparisons 4, `+ -` 5, `* /` 6
    /// (`not` is 3 and unary minus 7).
    fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div => 6,
            _ => 4,
        }
    }
}

/// Parses `source` into an untyped tree, without looking at names or types.
///
/// Errors: longer than [`MAX_LENGTH`] bytes, a bad token, a syntax error, or
/// nesting deeper than [`MAX_DEPTH`]. Never panics and never recurses deeper
/// than the limit, whatever the input.
///
/// ```
/// use ragulator::expr::parse;
/// assert!(parse("value >= target and not missing(sn)").is_ok());
/// let err = parse("1 < 2 < 3").unwrap_err();
/// assert_eq!(err.column, 7);
/// assert!(parse(&"(".repeat(20_000)).is_err());
/// ```
pub fn parse(source: &str) -> Result<Ast, ExprError> {
    if source.len() > MAX_LENGTH {
        return Err(ExprError {
            message: format!(
                "the expression is too long: {} bytes, at most {MAX_LENGTH}",
                source.len()
            ),
            column: 1,
            span: 0..source.len(),
        });
    }
    let tokens = lex(source)?;
    parse_tokens(source, tokens)
}

/// Parses already-lexed tokens (no length check: the depth limit alone keeps
/// the recursion bounded).
pub(crate) fn parse_tokens(source: &str, tokens: Vec<Token>) -> Result<Ast, ExprError> {
    let mut parser = Parser {
        source,
        tokens,
        pos: 0,
        depth: 0,
    };
    let (ast, _) = parser.expr()?;
    let next = parser.peek();
    if next.tok != Tok::Eof {
        let message = match next.tok {
            Tok::RParen => "unmatched ')'".to_string(),
            _ => format!(
                "expected an operator or the end of the expression, found {}",
                next.tok.describe()
            ),
        };
        return Err(parser.error(next.span.clone(), message));
    }
    Ok(ast)
}

/// A parsed subtree and its height (a leaf is 1).
type Parsed = (Ast, usize);

static EOF: Token = Token {
    tok: Tok::Eof,
    span: 0..0,
};

struct Parser<'s> {
    source: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        self.tokens.get(self.pos).unwrap_or(&EOF)
    }

    fn bump(&mut self) -> Token {
        let token = self.peek().clone();
        self.pos += 1;
        token
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ExprError {
        ExprError::new(self.source, span, message)
    }

    fn too_deep(&self, span: Range<usize>) -> ExprError {
        self.error(
            span,
            format!("the expression is nested too deeply (more than {MAX_DEPTH} levels)"),
        )
    }

    /// Enters one level of nesting at the current token.
    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.too_deep(self.peek().span.clone()));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn binary(
        &self,
        op: BinaryOp,
        op_span: Range<usize>,
        (lhs, lh): Parsed,
        (rhs, rh): Parsed,
    ) -> Result<Parsed, ExprError> {
        let height = 1 + lh.max(rh);
        if height > MAX_DEPTH {
            return Err(self.too_deep(op_span));
        }
        let span = lhs.span.start..rhs.span.end;
        Ok((
            Ast {
                node: Node::Binary {
                    op,
                    op_span,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            },
            height,
        ))
    }

    fn expr(&mut self) -> Result<Parsed, ExprError> {
        self.or()
    }

    fn or(&mut self) -> Result<Parsed, ExprError> {
        let mut terms = VecDeque::from([self.and()?]);
        let mut ops = VecDeque::new();
        while self.peek().tok == Tok::Or {
            ops.push_back(self.bump().span);
            terms.push_back(self.and()?);
        }
        self.balanced(BinaryOp::Or, terms, ops)
    }

    fn and(&mut self) -> Result<Parsed, ExprError> {
        let mut terms = VecDeque::from([self.not()?]);
        let mut ops = VecDeque::new();
        while self.peek().tok == Tok::And {
            ops.push_back(self.bump().span);
            terms.push_back(self.not()?);
        }
        self.balanced(BinaryOp::And, terms, ops)
    }

    /// A chain `a or b or c or d` (`ops[i]` between `terms[i]` and
    /// `terms[i + 1]`) as a balanced tree, `(a or b) or (c or d)`, still
    /// read left to right: `or` and `and` are associative, and a chain of n
    /// terms is then about log2(n) high rather than n, so a long flat list
    /// of conditions is not "nested too deeply".
    fn balanced(
        &self,
        op: BinaryOp,
        mut terms: VecDeque<Parsed>,
        mut ops: VecDeque<Range<usize>>,
    ) -> Result<Parsed, ExprError> {
        while terms.len() > 1 {
            let mut paired = VecDeque::with_capacity(terms.len() / 2 + 1);
            let mut between = VecDeque::with_capacity(ops.len() / 2);
            while let Some(lhs) = terms.pop_front() {
                match (ops.pop_front(), terms.pop_front()) {
                    (Some(op_span), Some(rhs)) => {
                        paired.push_back(self.binary(op, op_span, lhs, rhs)?);
                        between.extend(ops.pop_front());
                    }
                    _ => paired.push_back(lhs),
                }
            }
            terms = paired;
            ops = between;
        }
        terms
            .pop_front()
            .ok_or_else(|| self.error(0..self.source.len(), "an empty expression"))
    }

    fn not(&mut self) -> Result<Parsed, ExprError> {
        if self.peek().tok != Tok::Not {
            return self.comparison();
        }
        let op = self.bump();
        self.enter()?;
        let operand = self.not()?;
        self.leave();
        self.unary(UnaryOp::Not, op.span, operand)
    }

    fn unary(
        &self,
        op: UnaryOp,
        op_span: Range<usize>,
        (operand, h): Parsed,
    ) -> Result<Parsed, ExprError> {
        if h + 1 > MAX_DEPTH {
            return Err(self.too_deep(op_span));
        }
        let span = op_span.start..operand.span.end;
        Ok((
            Ast {
                node: Node::Unary {
                    op,
                    operand: Box::new(operand),
                },
                span,
            },
            h + 1,
        ))
    }

    fn comparison_op(tok: &Tok) -> Option<BinaryOp> {
        Some(match tok {
            Tok::Lt => BinaryOp::Lt,
            Tok::Le => BinaryOp::Le,
            Tok::Gt => BinaryOp::Gt,
            Tok::Ge => BinaryOp::Ge,
            Tok::EqEq => BinaryOp::Eq,
            Tok::Ne => BinaryOp::Ne,
            _ => return None,
        })
    }

    fn comparison(&mut self) -> Result<Parsed, ExprError> {
        let lhs = self.additive()?;
        let Some(op) = Self::comparison_op(&self.peek().tok) else {
            return Ok(lhs);
        };
        let op_token = self.bump();
        let rhs = self.additive()?;
        let result = self.binary(op, op_token.span, lhs, rhs)?;
        if let Some(second) = Self::comparison_op(&self.peek().tok) {
            return Err(self.error(
                self.peek().span.clone(),
                format!(
                    "comparisons cannot be chained: write 'a {} b and b {} c'",
                    op.symbol(),
                    second.symbol()
                ),
            ));
        }
        Ok(result)
    }

    fn additive(&mut self) -> Result<Parsed, ExprError> {
        let mut lhs = self.multiplicative()?;
        loop {
            let op = match self.peek().tok {
                Tok::Plus => BinaryOp::Add,
                Tok::Minus => BinaryOp::Sub,
                _ => return Ok(lhs),
            };
            let op_token = self.bump();
            let rhs = self.multiplicative()?;
            lhs = self.binary(op, op_token.span, lhs, rhs)?;
        }
    }

    fn multiplicative(&mut self) -> Result<Parsed, ExprError> {
        let mut lhs = self.negation()?;
        loop {
            let op = match self.peek().tok {
                Tok::Star => BinaryOp::Mul,
                Tok::Slash => BinaryOp::Div,
                _ => return Ok(lhs),
            };
            let op_token = self.bump();
            let rhs = self.negation()?;
            lhs = self.binary(op, op_token.span, lhs, rhs)?;
        }
    }

    fn negation(&mut self) -> Result<Parsed, ExprError> {
        if self.peek().tok != Tok::Minus {
            return self.primary();
        }
        let op = self.bump();
        self.enter()?;
        let operand = self.negation()?;
        self.leave();
        self.unary(UnaryOp::Neg, op.span, operand)
    }

    fn primary(&mut self) -> Result<Parsed, ExprError> {
        let token = self.bump();
        let leaf = |node| {
            Ok((
                Ast {
                    node,
                    span: token.span.clone(),
                },
                1,
            ))
        };
        match token.tok {
            Tok::Number(d) => leaf(Node::Number(d)),
            Tok::Str(ref s) => leaf(Node::Str(s.clone())),
            Tok::True => leaf(Node::Bool(true)),
            Tok::False => leaf(Node::Bool(false)),
            Tok::Ident(ref name) => {
                if self.peek().tok == Tok::LParen {
                    self.call(name.clone(), token.span.clone())
                } else {
                    leaf(Node::Ident(name.clone()))
                }
            }
            Tok::LParen => {
                self.enter()?;
                let inner = self.expr()?;
                self.leave();
                let close = self.peek();
                if close.tok != Tok::RParen {
                    let column = ExprError::column_of(self.source, token.span.start);
                    return Err(self.error(
                        close.span.clone(),
                        format!(
                            "expected ')' to close the '(' at column {column}, found {}",
                            close.tok.describe()
                        ),
                    ));
                }
                let end = close.span.end;
                self.pos += 1;
                let (mut ast, height) = inner;
                ast.span = token.span.start..end;
                Ok((ast, height))
            }
            ref other => {
                let hint = match other {
                    Tok::Plus => " (there is no unary '+')",
                    Tok::Not => " ('not' needs parentheses here: (not x))",
                    _ => "",
                };
                Err(self.error(
                    token.span.clone(),
                    format!("expected a value, found {}{hint}", other.describe()),
                ))
            }
        }
    }

    /// Parses `(args...)` after a function name.
    fn call(&mut self, name: String, name_span: Range<usize>) -> Result<Parsed, ExprError> {
        self.pos += 1; // the '('
        self.enter()?;
        let mut args = Vec::new();
        let mut height = 1;
        if self.peek().tok != Tok::RParen {
            loop {
                let (arg, h) = self.expr()?;
                height = height.max(h + 1);
                args.push(arg);
                match self.peek().tok {
                    Tok::Comma => self.pos += 1,
                    Tok::RParen => break,
                    ref other => {
                        return Err(self.error(
                            self.peek().span.clone(),
                            format!(
                                "expected ',' or ')' in the arguments of {name}, found {}",
                                other.describe()
                            ),
                        ))
                    }
                }
            }
        }
        self.leave();
        let close = self.bump();
        if height > MAX_DEPTH {
            return Err(self.too_deep(name_span));
        }
        let span = name_span.start..close.span.end;
        Ok((
            Ast {
                node: Node::Call {
                    name,
                    name_span,
                    args,
                },
                span,
            },
            height,
        ))
    }
}

impl Ast {
    /// True when both trees are the same apart from their spans.
    ///
    /// ```
    /// use ragulator::expr::parse;
    /// let a = parse("1+2").unwrap();
    /// let b = parse(" 1 + 2").unwrap();
    /// assert_ne!(a, b);
    /// assert!(a.eq_ignoring_spans(&b));
    /// ```
    pub fn eq_ignoring_spans(&self, other: &Ast) -> bool {
        match (&self.node, &other.node) {
            (Node::Number(a), Node::Number(b)) => a == b,
            (Node::Str(a), Node::Str(b)) => a == b,
            (Node::Bool(a), Node::Bool(b)) => a == b,
            (Node::Ident(a), Node::Ident(b)) => a == b,
            (
                Node::Call {
                    name: a, args: xs, ..
                },
                Node::Call {
                    name: b, args: ys, ..
                },
            ) => {
                a == b
                    && xs.len() == ys.len()
                    && xs.iter().zip(ys).all(|(x, y)| x.eq_ignoring_spans(y))
            }
            (
                Node::Unary {
                    op: a, operand: x, ..
                },
                Node::Unary {
                    op: b, operand: y, ..
                },
            ) => a == b && x.eq_ignoring_spans(y),
            (
                Node::Binary {
                    op: a,
                    lhs: xl,
                    rhs: xr,
                    ..
                },
                Node::Binary {
                    op: b,
                    lhs: yl,
                    rhs: yr,
                    ..
                },
            ) => a == b && xl.eq_ignoring_spans(yl) && xr.eq_ignoring_spans(yr),
            _ => false,
        }
    }

    /// Binding strength of the node as printed (8 for atoms and calls).
    fn precedence(&self) -> u8 {
        match &self.node {
            Node::Binary { op, .. } => op.precedence(),
            Node::Unary {
                op: UnaryOp::Not, ..
            } => 3,
            Node::Unary {
                op: UnaryOp::Neg, ..
            } => 7,
            Node::Number(d) if d.is_sign_negative() => 7,
            _ => 8,
        }
    }

    fn fmt_at(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            write!(f, "(")?;
            fmt::Display::fmt(self, f)?;
            write!(f, ")")
        } else {
            fmt::Display::fmt(self, f)
        }
    }
}

impl fmt::Display for Ast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            Node::Number(d) => write!(f, "{d}"),
            Node::Str(s) => {
                write!(f, "\"")?;
                for c in s.chars() {
                    match c {
                        '"' => write!(f, "\\\"")?,
                        '\\' => write!(f, "\\\\")?,
                        c => write!(f, "{c}")?,
                    }
                }
                write!(f, "\"")
            }
            Node::Bool(b) => write!(f, "{b}"),
            Node::Ident(name) => write!(f, "{name}"),
            Node::Call { name, args, .. } => {
                write!(f, "{name}(")?;
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    arg.fmt_at(f, 0)?;
                }
                write!(f, ")")
            }
            Node::Unary { op, operand } => match op {
                UnaryOp::Not => {
                    write!(f, "not ")?;
                    operand.fmt_at(f, 3)
                }
                UnaryOp::Neg => {
                    write!(f, "-")?;
                    operand.fmt_at(f, 7)
                }
            },
            Node::Binary { op, lhs, rhs, .. } => {
                let p = op.precedence();
                let (left_min, right_min) = if op.is_comparison() {
                    (p + 1, p + 1)
                } else {
                    (p, p + 1)
                };
                lhs.fmt_at(f, left_min)?;
                write!(f, " {} ", op.symbol())?;
                rhs.fmt_at(f, right_min)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(source: &str) -> Ast {
        match parse(source) {
            Ok(ast) => ast,
            Err(e) => panic!("parse error for {source:?}: {e}"),
        }
    }

    fn err(source: &str) -> ExprError {
        match parse(source) {
            Ok(ast) => panic!("expected an error for {source:?}, got {ast}"),
            Err(e) => e,
        }
    }

    /// Fully parenthesised rendering, to check the tree's shape.
    fn shape(ast: &Ast) -> String {
        match &ast.node {
            Node::Number(d) => d.to_string(),
            Node::Str(s) => format!("{s:?}"),
            Node::Bool(b) => b.to_string(),
            Node::Ident(n) => n.clone(),
            Node::Call { name, args, .. } => {
                let args: Vec<String> = args.iter().map(shape).collect();
                format!("{name}({})", args.join(", "))
            }
            Node::Unary { op, operand } => format!("({} {})", op.symbol(), shape(operand)),
            Node::Binary { op, lhs, rhs, .. } => {
                format!("({} {} {})", shape(lhs), op.symbol(), shape(rhs))
            }
        }
    }

    #[test]
    fn precedence() {
        let cases = [
            ("1 + 2 * 3", "(1 + (2 * 3))"),
            ("1 * 2 + 3", "((1 * 2) + 3)"),
            ("1 - 2 - 3", "((1 - 2) - 3)"),
            ("8 / 4 / 2", "((8 / 4) / 2)"),
            ("-1 * 2", "((- 1) * 2)"),
            ("- -x", "(- (- x))"),
            ("2 * -x", "(2 * (- x))"),
            ("a + 1 < b * 2", "((a + 1) < (b * 2))"),
            ("a or b and c", "(a or (b and c))"),
            ("a and b or c", "((a and b) or c)"),
            ("a or b or c", "((a or b) or c)"),
            ("not a and b", "((not a) and b)"),
            ("not a < b", "(not (a < b))"),
            ("not not a", "(not (not a))"),
            ("(1 + 2) * 3", "((1 + 2) * 3)"),
            ("a == b and c != d", "((a == b) and (c != d))"),
            ("min(a, b + 1, -c)", "min(a, (b + 1), (- c))"),
            ("total()", "total()"),
            ("total", "total"),
            ("x == \"a\\\"b\"", "(x == \"a\\\"b\")"),
            ("true != false", "(true != false)"),
        ];
        for (source, expected) in cases {
            assert_eq!(shape(&ok(source)), expected, "{source}");
        }
    }

    #[test]
    fn spans() {
        let ast = ok("value >= (target + 1)");
        assert_eq!(ast.span, 0..21);
        let Node::Binary {
            op_span, lhs, rhs, ..
        } = &ast.node
        else {
            panic!("not binary");
        };
        assert_eq!(*op_span, 6..8);
        assert_eq!(lhs.span, 0..5);
        assert_eq!(rhs.span, 9..21);
        assert_eq!(ok("((a))").span, 0..5);
        let ast = ok("abs( x )");
        assert_eq!(ast.span, 0..8);
        let ast = ok("-x");
        assert_eq!(ast.span, 0..2);
    }

    #[test]
    fn comparisons_do_not_chain() {
        let e = err("a < b < c");
        assert_eq!(e.column, 7);
        assert!(e.message.contains("cannot be chained"), "{}", e.message);
        let e = err("a == b != c");
        assert_eq!(e.column, 8);
        // Parenthesised, it parses (the checker rejects the types).
        ok("(a < b) == true");
    }

    #[test]
    fn syntax_errors() {
        let e = err("");
        assert_eq!(e.column, 1);
        assert!(e.message.contains("expected a value"), "{}", e.message);
        let e = err("value >");
        assert_eq!(e.column, 8);
        assert!(e.message.contains("end of the expression"), "{}", e.message);
        let e = err("(value > 1");
        assert!(e.message.contains("column 1"), "{}", e.message);
        assert_eq!(e.column, 11);
        let e = err("value > 1)");
        assert!(e.message.contains("unmatched"));
        assert_eq!(e.column, 10);
        let e = err("value target");
        assert_eq!(e.column, 7);
        assert!(e.message.contains("expected an operator"), "{}", e.message);
        let e = err("min(a b)");
        assert!(e.message.contains("arguments of min"), "{}", e.message);
        assert_eq!(e.column, 7);
        let e = err("min(a,)");
        assert_eq!(e.column, 7);
        let e = err("+1");
        assert!(e.message.contains("unary '+'"));
        let e = err("a == not b");
        assert!(e.message.contains("parentheses"));
        assert_eq!(e.column, 6);
        let e = err("()");
        assert_eq!(e.column, 2);
    }

    #[test]
    fn depth_limit() {
        let nested = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
        ok(&nested(MAX_DEPTH));
        let e = err(&nested(MAX_DEPTH + 1));
        assert!(e.message.contains("nested too deeply"), "{}", e.message);
        // Just under the length limit: a depth error, not a stack overflow.
        let e = err(&nested(2000));
        assert!(e.message.contains("nested too deeply"), "{}", e.message);
        let e = err(&"-".repeat(3000));
        assert!(e.message.contains("nested too deeply"), "{}", e.message);
        let e = err(&"not ".repeat(1000));
        assert!(e.message.contains("nested too deeply"), "{}", e.message);
        let e = err(&format!("{}1{}", "abs(".repeat(800), ")".repeat(800)));
        assert!(e.message.contains("nested too deeply"), "{}", e.message);
        // A long flat chain builds a tall tree: also limited.
        let e = err(&vec!["1"; 1000].join("+"));
        assert!(e.message.contains("nested too deeply"), "{}", e.message);
        ok(&vec!["1"; MAX_DEPTH].join("+"));
        // But `or` and `and` chains are balanced: 300 conditions are about
        // 10 levels, not 300.
        ok(&vec!["gap > 1"; 300].join(" or "));
        ok(&vec!["true"; 400].join(" and "));
        // Many arguments are flat, not deep.
        ok(&format!("min({})", vec!["1"; 1000].join(",")));
    }

    #[test]
    fn depth_limit_without_length_limit() {
        // Bypass the length check: the depth counter alone must stop this.
        let n = 20_000;
        let source = format!("{}1{}", "(".repeat(n), ")".repeat(n));
        let tokens = match lex(&source) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        let result = parse_tokens(&source, tokens);
        assert!(result.is_err());
        let e = err(&source);
        assert!(e.message.contains("too long"), "{}", e.message);
        assert_eq!(
            e.to_string(),
            "column 1: the expression is too long: 40001 bytes, at most 4096"
        );
        let megabyte = "1".repeat(1 << 20);
        assert!(err(&megabyte).message.contains("too long"));
        let megabyte = "(".repeat(1 << 20);
        assert!(err(&megabyte).message.contains("too long"));
    }

    #[test]
    fn display_round_trips() {
        for source in [
            "(value - target) * 2 >= abs(-gap)",
            "a or b and c",
            "(a or b) and c",
            "not (a and b)",
            "not a == b",
            "-(a + b)",
            "a - (b - c)",
            "a / (b * c)",
            "(a < b) == (c < d)",
            "count(\"r\\\"e\\\\d\") > 0",
            "--1",
            "min(a, b, c) != max(1, 2.50)",
            "-(not x)",
        ] {
            let ast = ok(source);
            let printed = ast.to_string();
            let again = ok(&printed);
            assert!(ast.eq_ignoring_spans(&again), "{source} -> {printed}");
        }
        assert_eq!(ok("((a)) + (b)").to_string(), "a + b");
        assert_eq!(ok("a - (b - c)").to_string(), "a - (b - c)");
        assert_eq!(ok("not a < b").to_string(), "not a < b");
    }

    fn arb_ast() -> impl Strategy<Value = Ast> {
        let leaf = prop_oneof![
            (0u64..100_000, 0u32..6).prop_map(|(m, s)| Node::Number(Decimal::new(m as i64, s))),
            ".{0,6}".prop_map(Node::Str),
            any::<bool>().prop_map(Node::Bool),
            "[a-z_][a-z0-9_]{0,6}"
                .prop_filter("keyword", |s| {
                    !matches!(s.as_str(), "and" | "or" | "not" | "true" | "false")
                })
                .prop_map(Node::Ident),
        ]
        .prop_map(|node| Ast { node, span: 0..0 });
        leaf.prop_recursive(6, 40, 4, |inner| {
            let binop = prop_oneof![
                Just(BinaryOp::Or),
                Just(BinaryOp::And),
                Just(BinaryOp::Lt),
                Just(BinaryOp::Le),
                Just(BinaryOp::Gt),
                Just(BinaryOp::Ge),
                Just(BinaryOp::Eq),
                Just(BinaryOp::Ne),
                Just(BinaryOp::Add),
                Just(BinaryOp::Sub),
                Just(BinaryOp::Mul),
                Just(BinaryOp::Div),
            ];
            prop_oneof![
                (binop, inner.clone(), inner.clone()).prop_map(|(op, l, r)| Ast {
                    node: Node::Binary {
                        op,
                        op_span: 0..0,
                        lhs: Box::new(l),
                        rhs: Box::new(r)
                    },
                    span: 0..0
                }),
                (any::<bool>(), inner.clone()).prop_map(|(neg, x)| Ast {
                    node: Node::Unary {
                        op: if neg { UnaryOp::Neg } else { UnaryOp::Not },
                        operand: Box::new(x)
                    },
                    span: 0..0
                }),
                ("[a-z]{1,5}", prop::collection::vec(inner, 0..4)).prop_map(|(name, args)| {
                    Ast {
                        node: Node::Call {
                            name,
                            name_span: 0..0,
                            args,
                        },
                        span: 0..0,
                    }
                    .fix_keyword()
                }),
            ]
        })
    }

    impl Ast {
        /// Keeps generated call names off the keywords.
        fn fix_keyword(mut self) -> Ast {
            if let Node::Call { name, .. } = &mut self.node {
                if matches!(name.as_str(), "and" | "or" | "not" | "true" | "false") {
                    name.push('_');
                }
            }
            self
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(s in "\\PC{0,200}") {
            let _ = parse(&s);
        }

        #[test]
        fn never_panics_on_token_soup(
            parts in prop::collection::vec(
                prop_oneof![
                    Just("("), Just(")"), Just(","), Just("-"), Just("+"), Just("*"),
                    Just("/"), Just("<"), Just("<="), Just("=="), Just("!="), Just("and"),
                    Just("or"), Just("not"), Just("1"), Just(".5"), Just("x"), Just("f("),
                    Just("\""), Just("\\"), Just(" "), Just("é"), Just("true"),
                ],
                0..120,
            )
        ) {
            let s: String = parts.concat();
            if let Err(e) = parse(&s) {
                prop_assert!(e.span.start <= s.len() && e.span.end <= s.len());
                prop_assert!(e.column >= 1 && e.column <= s.chars().count() + 1);
            }
        }

        #[test]
        fn printed_ast_reparses_equal(ast in arb_ast()) {
            let printed = ast.to_string();
            match parse(&printed) {
                Ok(again) => {
                    prop_assert!(ast.eq_ignoring_spans(&again), "{} -> {}", printed, again);
                    prop_assert_eq!(again.to_string(), printed);
                }
                Err(e) => prop_assert!(false, "{} failed to parse: {}", printed, e),
            }
        }
    }
}
