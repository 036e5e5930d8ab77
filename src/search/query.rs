//! Our own query language: a recursive-descent parser (over the tokens of `lexer.rs`) producing an AST.
//!
//! Grammar (precedence: NOT > AND (explicit or implicit) > OR):
//!
//! ```text
//! query    := or_expr EOF
//! or_expr  := and_expr ( "OR" and_expr )*
//! and_expr := near_expr ( ["AND"] near_expr )*  -- juxtaposition = implicit AND
//! near_expr:= unary ( "NEAR/" DIGITS unary )*   -- left-associative, binds tighter than AND
//! unary    := ("NOT" | "-") unary | primary
//! primary  := "(" or_expr ")" | filter | phrase | word
//! filter   := NAME ":" ( WORD | QUOTED )        -- no space after ':'
//! phrase   := QUOTED [ "~" DIGITS ]             -- slop (proximity)
//! word     := WORD [ "*" ] | WORD "~" [DIGITS]  -- prefix / fuzzy (distance 0..=2, default 1)
//! ```
//!
//! Operators are recognised only in upper case (`AND`, `OR`, `NOT`), so the
//! words "and", "or", "not" stay searchable. A leading `-` directly attached
//! to a term is shorthand for NOT (`-burnout`, `-speaker:ana`).
//! Columns in errors are 1-based Unicode scalar ("char") columns.

use std::fmt;

use super::lexer::{Tok, Token, tokens};

/// Maximum nesting depth of parentheses / NOT chains (prevents stack overflow).
pub const MAX_DEPTH: usize = 64;
/// Maximum proximity slop accepted (tantivy keeps slop budgets in a `u8`).
pub const MAX_SLOP: u32 = 100;
/// Maximum distance in turns of `NEAR/N`.
pub const MAX_NEAR: u32 = 1000;

/// A malformed query: where (1-based char column) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

impl QueryError {
    pub fn new(column: usize, message: impl Into<String>) -> Self {
        QueryError {
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for QueryError {}

/// What a text leaf asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermKind {
    /// Bare word (may analyse into several tokens, e.g. `e-mail` -> phrase).
    Word,
    /// `burn*`
    Prefix,
    /// `supervsior~1` (Levenshtein distance, transposition costs 1)
    Fuzzy(u8),
    /// `"my supervisor"` or `"role supervisor"~5`
    Phrase { slop: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermExpr {
    pub kind: TermKind,
    /// Raw user text (without quotes / suffixes).
    pub text: String,
    /// Column of the first char of the term (the quote for phrases).
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterField {
    Speaker,
    Role,
    Transcript,
    Case,
    Code,
    Rater,
    /// Any other `name:value`: attribute filter on `attr` = "name=value".
    Attr(String),
}

impl FilterField {
    pub(super) fn from_name(name: &str) -> FilterField {
        match name.to_lowercase().as_str() {
            "speaker" => FilterField::Speaker,
            "role" => FilterField::Role,
            "transcript" => FilterField::Transcript,
            "case" => FilterField::Case,
            "code" => FilterField::Code,
            "rater" => FilterField::Rater,
            other => FilterField::Attr(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterExpr {
    pub field: FilterField,
    pub value: String,
    /// Column of the field name.
    pub column: usize,
    /// Column of the first char of the value (the quote if quoted).
    pub value_column: usize,
}

/// Parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Term(TermExpr),
    Filter(FilterExpr),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// `left NEAR/within right`: a turn matching `left` within `within` turns of a turn matching
    /// `right` in the same transcript (0: the same turn).
    Near {
        left: Box<Expr>,
        right: Box<Expr>,
        within: u32,
        /// Column of the operator.
        column: usize,
    },
}

impl Expr {
    /// Whether the query names a code or a rater anywhere (`code:`, `rater:`): such a query searches
    /// the coded passages rather than the turns.
    #[must_use]
    pub fn names_codings(&self) -> bool {
        match self {
            Expr::Term(_) => false,
            Expr::Filter(f) => matches!(f.field, FilterField::Code | FilterField::Rater),
            Expr::And(items) | Expr::Or(items) => items.iter().any(Expr::names_codings),
            Expr::Not(inner) => inner.names_codings(),
            Expr::Near { left, right, .. } => left.names_codings() || right.names_codings(),
        }
    }

    /// Whether the query names a code anywhere (`code:`).
    #[must_use]
    pub fn names_code(&self) -> bool {
        match self {
            Expr::Term(_) => false,
            Expr::Filter(f) => f.field == FilterField::Code,
            Expr::And(items) | Expr::Or(items) => items.iter().any(Expr::names_code),
            Expr::Not(inner) => inner.names_code(),
            Expr::Near { left, right, .. } => left.names_code() || right.names_code(),
        }
    }

    /// Whether the query is a code query, answered per turn: it holds a `NEAR/N`, or an AND
    /// (explicit or implicit, `NOT` and `-` included) of which two or more operands name a code
    /// (`code:A code:B`, `code:A NOT code:B`, `(code:A OR code:B) AND code:C`). Any other query
    /// naming a code searches the coded passages (`code:A unclear`, `code:A OR code:B`).
    #[must_use]
    pub fn is_code_query(&self) -> bool {
        match self {
            Expr::Term(_) | Expr::Filter(_) => false,
            Expr::Near { .. } => true,
            Expr::And(items) => {
                items.iter().filter(|e| e.names_code()).count() >= 2
                    || items.iter().any(Expr::is_code_query)
            }
            Expr::Or(items) => items.iter().any(Expr::is_code_query),
            Expr::Not(inner) => inner.is_code_query(),
        }
    }
}

/// The one item of a list, or the list joined by `join` when it holds several.
fn single_or(mut items: Vec<Expr>, join: fn(Vec<Expr>) -> Expr) -> Expr {
    match items.pop() {
        Some(only) if items.is_empty() => only,
        Some(last) => {
            items.push(last);
            join(items)
        }
        None => join(items),
    }
}

// ---------------------------------------------------------------- parser

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    /// column just past the end of the input (for "at end" errors)
    end_column: usize,
}

fn tok_name(t: &Tok) -> &'static str {
    match t {
        Tok::And => "AND",
        Tok::Or => "OR",
        Tok::Not => "NOT",
        Tok::Near(_) => "NEAR/N",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::Term(_) | Tok::Filter(_) => "term",
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn starts_unary(t: &Tok) -> bool {
        matches!(t, Tok::LParen | Tok::Not | Tok::Term(_) | Tok::Filter(_))
    }

    fn enter(&mut self, column: usize) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QueryError::new(column, "query is nested too deeply"));
        }
        Ok(())
    }

    fn parse_query(&mut self) -> Result<Expr, QueryError> {
        if self.toks.is_empty() {
            return Err(QueryError::new(1, "empty query"));
        }
        let e = self.or_expr()?;
        if let Some(t) = self.peek() {
            return Err(match t.tok {
                Tok::RParen => {
                    QueryError::new(t.column, "unbalanced parenthesis: ')' has no matching '('")
                }
                _ => QueryError::new(t.column, format!("unexpected '{}'", tok_name(&t.tok))),
            });
        }
        Ok(e)
    }

    fn or_expr(&mut self) -> Result<Expr, QueryError> {
        let mut items = vec![self.and_expr()?];
        while let Some(Token {
            tok: Tok::Or,
            column,
        }) = self.peek().cloned()
        {
            self.pos += 1;
            match self.peek() {
                Some(t) if Self::starts_unary(&t.tok) => {}
                _ => {
                    return Err(QueryError::new(column, "dangling OR: nothing on its right"));
                }
            }
            items.push(self.and_expr()?);
        }
        Ok(single_or(items, Expr::Or))
    }

    fn and_expr(&mut self) -> Result<Expr, QueryError> {
        let mut items = vec![self.near_expr()?];
        loop {
            match self.peek().cloned() {
                Some(Token {
                    tok: Tok::And,
                    column,
                }) => {
                    self.pos += 1;
                    match self.peek() {
                        Some(t) if Self::starts_unary(&t.tok) => {}
                        _ => {
                            return Err(QueryError::new(
                                column,
                                "dangling AND: nothing on its right",
                            ));
                        }
                    }
                    items.push(self.near_expr()?);
                }
                Some(t) if Self::starts_unary(&t.tok) => items.push(self.near_expr()?),
                _ => break,
            }
        }
        Ok(single_or(items, Expr::And))
    }

    fn near_expr(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.unary()?;
        // Each NEAR nests the tree one level deeper: a chain counts against the depth limit too.
        let depth = self.depth;
        while let Some(Token {
            tok: Tok::Near(within),
            column,
        }) = self.peek().cloned()
        {
            self.pos += 1;
            match self.peek() {
                Some(t) if Self::starts_unary(&t.tok) => {}
                _ => {
                    return Err(QueryError::new(
                        column,
                        format!("dangling NEAR/{within}: nothing on its right"),
                    ));
                }
            }
            self.enter(column)?;
            let right = self.unary()?;
            left = Expr::Near {
                left: Box::new(left),
                right: Box::new(right),
                within,
                column,
            };
        }
        self.depth = depth;
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        match self.peek().cloned() {
            Some(Token {
                tok: Tok::Not,
                column,
            }) => {
                self.pos += 1;
                match self.peek() {
                    Some(t) if Self::starts_unary(&t.tok) => {}
                    _ => {
                        return Err(QueryError::new(column, "NOT needs a term after it"));
                    }
                }
                self.enter(column)?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let Some(t) = self.peek().cloned() else {
            return Err(QueryError::new(self.end_column, "unexpected end of query"));
        };
        self.pos += 1;
        match t.tok {
            Tok::Term(te) => Ok(Expr::Term(te)),
            Tok::Filter(f) => Ok(Expr::Filter(f)),
            Tok::LParen => {
                if let Some(Token {
                    tok: Tok::RParen, ..
                }) = self.peek()
                {
                    return Err(QueryError::new(t.column, "empty parentheses"));
                }
                self.enter(t.column)?;
                let inner = self.or_expr()?;
                self.depth -= 1;
                match self.peek() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(QueryError::new(
                        t.column,
                        "unbalanced parenthesis: '(' is never closed",
                    )),
                }
            }
            Tok::RParen => Err(QueryError::new(
                t.column,
                "unbalanced parenthesis: ')' has no matching '('",
            )),
            Tok::And | Tok::Or => Err(QueryError::new(
                t.column,
                format!("dangling {}: nothing on its left", tok_name(&t.tok)),
            )),
            Tok::Near(within) => Err(QueryError::new(
                t.column,
                format!("dangling NEAR/{within}: nothing on its left"),
            )),
            Tok::Not => unreachable!("handled in unary"),
        }
    }
}

/// Parse a query string into an AST. Never panics; errors carry a 1-based char column.
pub fn parse_query(input: &str) -> Result<Expr, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let toks = tokens(&chars)?;
    Parser {
        toks,
        pos: 0,
        depth: 0,
        end_column: chars.len() + 1,
    }
    .parse_query()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(q: &str) -> QueryError {
        parse_query(q).expect_err(q)
    }

    #[test]
    fn parses_precedence() {
        let e = parse_query("a b OR c").unwrap();
        match e {
            Expr::Or(v) => {
                assert!(matches!(v[0], Expr::And(_)));
                assert!(matches!(v[1], Expr::Term(_)));
            }
            other => panic!("{other:?}"),
        }
        let e = parse_query("NOT a AND (b OR c)").unwrap();
        match e {
            Expr::And(v) => {
                assert!(matches!(v[0], Expr::Not(_)));
                assert!(matches!(v[1], Expr::Or(_)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_leaf_forms() {
        let Expr::Term(t) = parse_query("burn*").unwrap() else {
            panic!()
        };
        assert_eq!((t.kind, t.text.as_str()), (TermKind::Prefix, "burn"));
        let Expr::Term(t) = parse_query("supervsior~1").unwrap() else {
            panic!()
        };
        assert_eq!(t.kind, TermKind::Fuzzy(1));
        let Expr::Term(t) = parse_query("supervsior~").unwrap() else {
            panic!()
        };
        assert_eq!(t.kind, TermKind::Fuzzy(1));
        let Expr::Term(t) = parse_query("\"role supervisor\"~5").unwrap() else {
            panic!()
        };
        assert_eq!(t.kind, TermKind::Phrase { slop: 5 });
        assert_eq!(t.text, "role supervisor");
        let Expr::Filter(f) = parse_query("code:\"Role confusion\"").unwrap() else {
            panic!()
        };
        assert_eq!(f.field, FilterField::Code);
        assert_eq!(f.value, "Role confusion");
        let Expr::Filter(f) = parse_query("site:B").unwrap() else {
            panic!()
        };
        assert_eq!(f.field, FilterField::Attr("site".into()));
        let Expr::Not(inner) = parse_query("-speaker:ana").unwrap() else {
            panic!()
        };
        assert!(matches!(*inner, Expr::Filter(_)));
        // a time like 10:30 is not a filter (name must start with a letter)
        let Expr::Term(t) = parse_query("10:30").unwrap() else {
            panic!()
        };
        assert_eq!(t.text, "10:30");
        // hyphen inside a word is not NOT
        let Expr::Term(t) = parse_query("e-mail").unwrap() else {
            panic!()
        };
        assert_eq!(t.text, "e-mail");
        // escaped quote inside a phrase
        let Expr::Term(t) = parse_query(r#""say \"no\"""#).unwrap() else {
            panic!()
        };
        assert_eq!(t.text, "say \"no\"");
    }

    #[test]
    fn errors_have_columns() {
        let e = err("burnout AND \"my supervisor");
        assert_eq!(e.column, 13);
        assert!(e.message.contains("unclosed quote"), "{e}");
        let e = err("burnout AND");
        assert_eq!(
            (e.column, e.message.contains("dangling AND")),
            (9, true),
            "{e}"
        );
        let e = err("AND burnout");
        assert_eq!(e.column, 1);
        let e = err("burnout OR");
        assert_eq!(e.column, 9);
        let e = err("(burnout OR stress");
        assert_eq!(e.column, 1);
        assert!(e.message.contains("unbalanced parenthesis"));
        let e = err("burnout)");
        assert_eq!(e.column, 8);
        assert!(e.message.contains("unbalanced parenthesis"));
        let e = err("burnout NOT");
        assert_eq!(e.column, 9);
        let e = err("()");
        assert_eq!(e.column, 1);
        let e = err("");
        assert_eq!(e.column, 1);
        let e = err("   ");
        assert_eq!(e.column, 1);
        let e = err("site: B");
        assert_eq!(e.column, 6);
        let e = err("word~3");
        assert_eq!(e.column, 6);
        let e = err("wo*rd");
        assert_eq!(e.column, 3);
        let e = err("\"a b\"~");
        assert_eq!(e.column, 6);
        let e = err("\"a b\"~1000");
        assert_eq!(e.column, 7);
        // column counts chars, not bytes
        let e = err("café AND");
        assert_eq!(e.column, 6);
        let e = err(&"(".repeat(200));
        assert!(
            e.message.contains("nested") || e.message.contains("parenthesis"),
            "{e}"
        );
    }

    #[test]
    fn near_binds_tighter_than_and_and_marks_a_code_query() {
        let e = parse_query("code:A NEAR/2 code:B role:participant").unwrap();
        let Expr::And(items) = &e else {
            panic!("{e:?}")
        };
        assert!(matches!(
            &items[0],
            Expr::Near {
                within: 2,
                column: 8,
                ..
            }
        ));
        assert!(e.is_code_query());
        // Left-associative: (a NEAR/1 b) NEAR/3 c.
        let Expr::Near { left, within, .. } = parse_query("a NEAR/1 b NEAR/3 c").unwrap() else {
            panic!()
        };
        assert_eq!(within, 3);
        assert!(matches!(*left, Expr::Near { within: 1, .. }));
        // Two codes under one AND (NOT included) make a code query; one code beside words does not.
        for q in [
            "code:A code:B",
            "code:A AND code:B",
            "code:A NOT code:B",
            "code:A -code:B",
            "(code:A OR code:B) code:C",
            "x OR (code:A code:B)",
        ] {
            assert!(parse_query(q).unwrap().is_code_query(), "{q}");
        }
        for q in [
            "code:A unclear",
            "code:A OR code:B",
            "code:A rater:R",
            "code:A role:participant",
            "NOT code:A",
            "a b",
        ] {
            assert!(!parse_query(q).unwrap().is_code_query(), "{q}");
        }
        // The word NEAR, and near in lower case, stay words.
        assert!(matches!(parse_query("NEAR").unwrap(), Expr::Term(_)));
        assert!(matches!(parse_query("near/2").unwrap(), Expr::Term(_)));
    }

    #[test]
    fn near_errors_have_columns() {
        let e = err("NEAR/2 code:A");
        assert_eq!(e.column, 1);
        assert!(e.message.contains("dangling NEAR/2"), "{e}");
        let e = err("code:A NEAR/2");
        assert_eq!(e.column, 8);
        let e = err("code:A NEAR/x code:B");
        assert_eq!(e.column, 13);
        assert!(e.message.contains("number of turns"), "{e}");
        let e = err("code:A NEAR/ code:B");
        assert_eq!(e.column, 13);
        let e = err("code:A NEAR/1001 code:B");
        assert!(e.message.contains("at most 1000"), "{e}");
    }

    #[test]
    fn nesting_is_allowed_exactly_to_max_depth() {
        let parens = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
        assert!(matches!(
            parse_query(&parens(MAX_DEPTH)).unwrap(),
            Expr::Term(t) if t.text == "a"
        ));
        let e = parse_query(&parens(MAX_DEPTH + 1)).unwrap_err();
        assert!(e.message.contains("nested too deeply"), "{e}");
        assert_eq!(
            e.column,
            MAX_DEPTH + 1,
            "points at the parenthesis one too deep"
        );
        let nots = |n: usize| "NOT ".repeat(n) + "a";
        assert!(parse_query(&nots(MAX_DEPTH)).is_ok());
        assert!(parse_query(&nots(MAX_DEPTH + 1)).is_err());
        // Beside other words, and with an OR inside: the same limit.
        let mixed = |n: usize| format!("b {}a OR c{}", "(".repeat(n), ")".repeat(n));
        assert!(parse_query(&mixed(MAX_DEPTH)).is_ok());
        assert!(parse_query(&mixed(MAX_DEPTH + 1)).is_err());
    }

    #[test]
    fn never_panics_on_garbage() {
        // deterministic pseudo-random strings over a nasty alphabet
        let alphabet: Vec<char> = "ab \"()*~:-ANDORNOT\\é1".chars().collect();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 16) as usize;
            let mut s = String::new();
            let mut x = seed;
            for _ in 0..len {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                s.push(alphabet[(x >> 33) as usize % alphabet.len()]);
            }
            let _ = parse_query(&s);
        }
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse_query(&deep).is_err());
        let nots = "NOT ".repeat(10_000) + "a";
        assert!(parse_query(&nots).is_err());
        // Random sentences of the code query's words, joined by spaces.
        let words = [
            "a",
            "code:a",
            "code:\"b c\"",
            "rater:r",
            "NEAR/1",
            "NEAR/",
            "NEAR/0",
            "AND",
            "OR",
            "NOT",
            "(",
            ")",
            "-code:a",
            "role:participant",
        ];
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut x = seed;
            let sentence: Vec<&str> = (0..seed % 9)
                .map(|_| {
                    x = x
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    words[(x >> 33) as usize % words.len()]
                })
                .collect();
            if let Ok(e) = parse_query(&sentence.join(" ")) {
                let _ = (e.is_code_query(), e.names_codings());
            }
        }
        let nears = "a".to_string() + &" NEAR/1 a".repeat(10_000);
        let e = parse_query(&nears).unwrap_err();
        assert!(e.message.contains("nested too deeply"), "{e}");
        assert!(parse_query(&("a".to_string() + &" NEAR/1 a".repeat(MAX_DEPTH))).is_ok());
    }
}
