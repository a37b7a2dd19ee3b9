//! The lexer: source text to tokens, each with its byte span.
//!
//! Numbers are decimals without an exponent (`84.5`, `2`, `.5`), strings are
//! double-quoted with `\"` and `\\` escapes, identifiers are ASCII
//! `[A-Za-z_][A-Za-z0-9_]*`, and `and`, `or`, `not`, `true`, `false` are
//! keywords. Whitespace separates tokens and is otherwise ignored.

use std::ops::Range;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::ExprError;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Number(Decimal),
    Str(String),
    Ident(String),
    True,
    False,
    And,
    Or,
    Not,
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    Eof,
}

impl Tok {
    /// How the token reads in an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Number(d) => format!("the number {d}"),
            Tok::Str(_) => "a string".to_string(),
            Tok::Ident(name) => format!("'{name}'"),
            Tok::True => "'true'".to_string(),
            Tok::False => "'false'".to_string(),
            Tok::And => "'and'".to_string(),
            Tok::Or => "'or'".to_string(),
            Tok::Not => "'not'".to_string(),
            Tok::LParen => "'('".to_string(),
            Tok::RParen => "')'".to_string(),
            Tok::Comma => "','".to_string(),
            Tok::Plus => "'+'".to_string(),
            Tok::Minus => "'-'".to_string(),
            Tok::Star => "'*'".to_string(),
            Tok::Slash => "'/'".to_string(),
            Tok::Lt => "'<'".to_string(),
            Tok::Le => "'<='".to_string(),
            Tok::Gt => "'>'".to_string(),
            Tok::Ge => "'>='".to_string(),
            Tok::EqEq => "'=='".to_string(),
            Tok::Ne => "'!='".to_string(),
            Tok::Eof => "the end of the expression".to_string(),
        }
    }
}

/// A token and where it is in the source (bytes).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) span: Range<usize>,
}

/// Splits `source` into tokens, ending with [`Tok::Eof`].
///
/// The caller checks the length first; this function is linear in it.
pub(crate) fn lex(source: &str) -> Result<Vec<Token>, ExprError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let single = |tok: Tok| Token {
            tok,
            span: start..start + 1,
        };
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
            }
            b'(' => {
                tokens.push(single(Tok::LParen));
                i += 1;
            }
            b')' => {
                tokens.push(single(Tok::RParen));
                i += 1;
            }
            b',' => {
                tokens.push(single(Tok::Comma));
                i += 1;
            }
            b'+' => {
                tokens.push(single(Tok::Plus));
                i += 1;
            }
            b'-' => {
                tokens.push(single(Tok::Minus));
                i += 1;
            }
            b'*' => {
                tokens.push(single(Tok::Star));
                i += 1;
            }
            b'/' => {
                tokens.push(single(Tok::Slash));
                i += 1;
            }
            b'<' | b'>' | b'=' | b'!' => {
                let eq = bytes.get(i + 1) == Some(&b'=');
                let tok = match (b, eq) {
                    (b'<', false) => Tok::Lt,
                    (b'<', true) => Tok::Le,
                    (b'>', false) => Tok::Gt,
                    (b'>', true) => Tok::Ge,
                    (b'=', true) => Tok::EqEq,
                    (b'!', true) => Tok::Ne,
                    (b'=', false) => {
                        return Err(ExprError::new(
                            source,
                            start..start + 1,
                            "unexpected '='; use '==' to test equality",
                        ))
                    }
                    _ => {
                        return Err(ExprError::new(
                            source,
                            start..start + 1,
                            "unexpected '!'; use '!=' for \"not equal\" or 'not' to negate",
                        ))
                    }
                };
                let len = if eq { 2 } else { 1 };
                tokens.push(Token {
                    tok,
                    span: start..start + len,
                });
                i += len;
            }
            b'&' | b'|' => {
                let word = if b == b'&' { "and" } else { "or" };
                return Err(ExprError::new(
                    source,
                    start..start + 1,
                    format!("unexpected '{}'; use '{word}'", b as char),
                ));
            }
            b'"' => {
                let (text, end) = lex_string(source, start)?;
                tokens.push(Token {
                    tok: Tok::Str(text),
                    span: start..end,
                });
                i = end;
            }
            b'0'..=b'9' | b'.' => {
                let (value, end) = lex_number(source, start)?;
                tokens.push(Token {
                    tok: Tok::Number(value),
                    span: start..end,
                });
                i = end;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let mut end = start + 1;
                while bytes
                    .get(end)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    end += 1;
                }
                let word = source.get(start..end).unwrap_or_default();
                let tok = match word {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    _ => Tok::Ident(word.to_string()),
                };
                tokens.push(Token {
                    tok,
                    span: start..end,
                });
                i = end;
            }
            _ => {
                let c = source.get(start..).and_then(|s| s.chars().next());
                let (len, shown) = match c {
                    Some(c) => (c.len_utf8(), format!("{c:?}")),
                    None => (1, format!("byte {b:#04x}")),
                };
                let hint = if c == Some('\'') {
                    "; strings use double quotes"
                } else {
                    ""
                };
                return Err(ExprError::new(
                    source,
                    start..start + len,
                    format!("unexpected character {shown}{hint}"),
                ));
            }
        }
    }
    let end = source.len();
    tokens.push(Token {
        tok: Tok::Eof,
        span: end..end,
    });
    Ok(tokens)
}

/// Lexes a string literal starting at the `"` at `start`; returns its text
/// and the byte just past the closing quote.
fn lex_string(source: &str, start: usize) -> Result<(String, usize), ExprError> {
    let mut text = String::new();
    let rest = source.get(start + 1..).unwrap_or_default();
    let mut chars = rest.char_indices();
    while let Some((off, c)) = chars.next() {
        let at = start + 1 + off;
        match c {
            '"' => return Ok((text, at + 1)),
            '\\' => match chars.next() {
                Some((_, '"')) => text.push('"'),
                Some((_, '\\')) => text.push('\\'),
                Some((_, other)) => {
                    return Err(ExprError::new(
                        source,
                        at..at + 1 + other.len_utf8(),
                        format!(
                        "unknown escape '\\{other}' in a string; only \\\" and \\\\ are allowed"
                    ),
                    ))
                }
                None => break,
            },
            c => text.push(c),
        }
    }
    Err(ExprError::new(
        source,
        start..source.len(),
        "unterminated string: missing the closing '\"'",
    ))
}

/// Lexes a decimal number starting at `start`; returns it and the byte just
/// past it.
fn lex_number(source: &str, start: usize) -> Result<(Decimal, usize), ExprError> {
    let bytes = source.as_bytes();
    let mut end = start;
    while bytes.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    let int_digits = end - start;
    if bytes.get(end) == Some(&b'.') {
        end += 1;
        let frac_start = end;
        while bytes.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == frac_start {
            let message = if int_digits == 0 {
                "unexpected '.'; a number needs a digit after the point, e.g. .5".to_string()
            } else {
                format!(
                    "a number needs a digit after the point: write {}.0",
                    source.get(start..end - 1).unwrap_or_default()
                )
            };
            return Err(ExprError::new(source, start..end, message));
        }
    }
    if bytes
        .get(end)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'.')
    {
        let mut bad_end = end + 1;
        while bytes
            .get(bad_end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
        {
            bad_end += 1;
        }
        let text = source.get(start..bad_end).unwrap_or_default();
        return Err(ExprError::new(
            source,
            start..bad_end,
            format!("'{text}' is not a number; numbers are plain decimals like 84.5 (no exponent)"),
        ));
    }
    let text = source.get(start..end).unwrap_or_default();
    let parsed = if text.starts_with('.') {
        Decimal::from_str_exact(&format!("0{text}"))
    } else {
        Decimal::from_str_exact(text)
    };
    match parsed {
        Ok(d) => Ok((d, end)),
        Err(_) => {
            // `from_str_exact` refuses what it would have to round; say why.
            let why = if Decimal::from_str(text.trim_start_matches('0')).is_ok()
                || text.starts_with('.')
            {
                "has too many digits (at most 28 significant digits)"
            } else {
                "is too large"
            };
            Err(ExprError::new(
                source,
                start..end,
                format!("the number {text} {why}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(source: &str) -> Vec<Tok> {
        match lex(source) {
            Ok(tokens) => tokens.into_iter().map(|t| t.tok).collect(),
            Err(e) => panic!("lex error for {source:?}: {e}"),
        }
    }

    fn err(source: &str) -> ExprError {
        match lex(source) {
            Ok(t) => panic!("expected an error for {source:?}, got {t:?}"),
            Err(e) => e,
        }
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn numbers() {
        assert_eq!(toks("84.5"), vec![Tok::Number(dec("84.5")), Tok::Eof]);
        assert_eq!(toks("2"), vec![Tok::Number(dec("2")), Tok::Eof]);
        assert_eq!(toks(".5"), vec![Tok::Number(dec("0.5")), Tok::Eof]);
        assert_eq!(toks("007"), vec![Tok::Number(dec("7")), Tok::Eof]);
        assert_eq!(
            toks("1.50"),
            vec![Tok::Number(dec("1.50")), Tok::Eof],
            "scale is kept"
        );
    }

    #[test]
    fn number_errors() {
        let e = err("value > 1e5");
        assert_eq!(e.column, 9);
        assert!(e.message.contains("no exponent"), "{}", e.message);
        let e = err("1.");
        assert!(e.message.contains("1.0"), "{}", e.message);
        let e = err("1.2.3");
        assert_eq!(e.column, 1);
        let e = err("99999999999999999999999999999999");
        assert!(e.message.contains("too large"), "{}", e.message);
        let e = err("0.12345678901234567890123456789012");
        assert!(e.message.contains("too many digits"), "{}", e.message);
        let e = err(" . ");
        assert_eq!(e.column, 2);
    }

    #[test]
    fn strings_with_escapes() {
        assert_eq!(
            toks(r#""a\"b\\c""#),
            vec![Tok::Str("a\"b\\c".to_string()), Tok::Eof]
        );
        assert_eq!(toks(r#""""#), vec![Tok::Str(String::new()), Tok::Eof]);
        assert_eq!(toks("\"é\""), vec![Tok::Str("é".to_string()), Tok::Eof]);
        let e = err(r#"x == "abc"#);
        assert_eq!(e.column, 6);
        assert!(e.message.contains("unterminated"));
        let e = err(r#""a\n""#);
        assert_eq!(e.column, 3);
        assert!(e.message.contains("unknown escape"));
        let e = err(r#""a\"#);
        assert!(e.message.contains("unterminated"));
    }

    #[test]
    fn operators_and_keywords() {
        assert_eq!(
            toks("a<=b>=c<d>e==f!=g and or not true false(,)+-*/"),
            vec![
                Tok::Ident("a".into()),
                Tok::Le,
                Tok::Ident("b".into()),
                Tok::Ge,
                Tok::Ident("c".into()),
                Tok::Lt,
                Tok::Ident("d".into()),
                Tok::Gt,
                Tok::Ident("e".into()),
                Tok::EqEq,
                Tok::Ident("f".into()),
                Tok::Ne,
                Tok::Ident("g".into()),
                Tok::And,
                Tok::Or,
                Tok::Not,
                Tok::True,
                Tok::False,
                Tok::LParen,
                Tok::Comma,
                Tok::RParen,
                Tok::Plus,
                Tok::Minus,
                Tok::Star,
                Tok::Slash,
                Tok::Eof
            ]
        );
        assert_eq!(
            toks("gap_pct android"),
            vec![
                Tok::Ident("gap_pct".into()),
                Tok::Ident("android".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn bad_characters_with_column() {
        let e = err("value > 1 # comment");
        assert_eq!(e.column, 11);
        assert_eq!(e.span, 10..11);
        assert!(e.message.contains("'#'"), "{}", e.message);
        let e = err("\"é\" == x ¤");
        assert_eq!(e.column, 10, "columns count characters");
        assert_eq!(e.span, 10..12, "spans count bytes");
        let e = err("a = b");
        assert!(e.message.contains("'=='"));
        assert_eq!(e.column, 3);
        let e = err("!a");
        assert!(e.message.contains("not"));
        let e = err("a && b");
        assert!(e.message.contains("'and'"));
        let e = err("a || b");
        assert!(e.message.contains("'or'"));
        let e = err("'red'");
        assert!(e.message.contains("double quotes"));
    }
}
