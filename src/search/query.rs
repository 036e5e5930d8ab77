//! Our own query language: lexer + recursive-descent parser producing an AST.
//!
//! Grammar (precedence: NOT > AND (explicit or implicit) > OR):
//!
//! ```text
//! query    := or_expr EOF
//! or_expr  := and_expr ( "OR" and_expr )*
//! and_expr := unary ( ["AND"] unary )*          -- juxtaposition = implicit AND
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

/// Maximum nesting depth of parentheses / NOT chains (prevents stack overflow).
pub const MAX_DEPTH: usize = 64;
/// Maximum proximity slop accepted (tantivy keeps slop budgets in a `u8`).
pub const MAX_SLOP: u32 = 100;

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
    fn from_name(name: &str) -> FilterField {
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

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Term(TermExpr),
    Filter(FilterExpr),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    column: usize,
}

fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Chars that end a bare word.
fn ends_word(c: char) -> bool {
    is_space(c) || c == '(' || c == ')' || c == '"'
}

fn is_identifier(chars: &[char]) -> bool {
    match chars.first() {
        Some(c) if c.is_alphabetic() || *c == '_' => {}
        _ => return false,
    }
    chars
        .iter()
        .all(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn col(idx: usize) -> usize {
        idx + 1
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn run(mut self) -> Result<Vec<Token>, QueryError> {
        while let Some(c) = self.peek() {
            let start = self.pos;
            if is_space(c) {
                self.pos += 1;
            } else if c == '(' {
                self.out.push(Token {
                    tok: Tok::LParen,
                    column: Self::col(start),
                });
                self.pos += 1;
            } else if c == ')' {
                self.out.push(Token {
                    tok: Tok::RParen,
                    column: Self::col(start),
                });
                self.pos += 1;
            } else if c == '"' {
                let (text, end) = self.quoted(start)?;
                self.pos = end;
                let slop = self.slop_suffix()?;
                self.out.push(Token {
                    tok: Tok::Term(TermExpr {
                        kind: TermKind::Phrase { slop },
                        text,
                        column: Self::col(start),
                    }),
                    column: Self::col(start),
                });
            } else if c == '-'
                && self
                    .chars
                    .get(start + 1)
                    .is_some_and(|n| !is_space(*n) && *n != '-' && *n != ')')
            {
                // `-term` is NOT term
                self.out.push(Token {
                    tok: Tok::Not,
                    column: Self::col(start),
                });
                self.pos += 1;
            } else {
                self.word(start)?;
            }
        }
        Ok(self.out)
    }

    /// Lex a quoted string starting at `start` (which holds '"'). Supports `\"` and `\\`.
    /// Returns (text, index after closing quote).
    fn quoted(&self, start: usize) -> Result<(String, usize), QueryError> {
        let mut i = start + 1;
        let mut text = String::new();
        while i < self.chars.len() {
            let c = self.chars[i];
            if c == '\\' && i + 1 < self.chars.len() && matches!(self.chars[i + 1], '"' | '\\') {
                text.push(self.chars[i + 1]);
                i += 2;
                continue;
            }
            if c == '"' {
                return Ok((text, i + 1));
            }
            text.push(c);
            i += 1;
        }
        Err(QueryError::new(Self::col(start), "unclosed quote"))
    }

    /// Optional `~N` after a phrase.
    fn slop_suffix(&mut self) -> Result<u32, QueryError> {
        match self.peek() {
            Some('~') => {
                let tilde = self.pos;
                self.pos += 1;
                let digits_start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                if self.pos == digits_start {
                    return Err(QueryError::new(
                        Self::col(tilde),
                        "expected a number after '~' (proximity, e.g. \"a b\"~5)",
                    ));
                }
                let digits: String = self.chars[digits_start..self.pos].iter().collect();
                match digits.parse::<u32>() {
                    Ok(n) if n <= MAX_SLOP => Ok(n),
                    _ => Err(QueryError::new(
                        Self::col(digits_start),
                        format!("proximity must be at most {MAX_SLOP}"),
                    )),
                }
            }
            Some('*') => Err(QueryError::new(
                Self::col(self.pos),
                "'*' after a quoted phrase is not supported",
            )),
            _ => Ok(0),
        }
    }

    fn word(&mut self, start: usize) -> Result<(), QueryError> {
        let mut i = start;
        while i < self.chars.len() && !ends_word(self.chars[i]) {
            if self.chars[i] == ':' && i > start && is_identifier(&self.chars[start..i]) {
                return self.filter(start, i);
            }
            i += 1;
        }
        self.pos = i;
        let raw: String = self.chars[start..i].iter().collect();
        let column = Self::col(start);
        match raw.as_str() {
            "AND" => {
                self.out.push(Token {
                    tok: Tok::And,
                    column,
                });
                return Ok(());
            }
            "OR" => {
                self.out.push(Token {
                    tok: Tok::Or,
                    column,
                });
                return Ok(());
            }
            "NOT" => {
                self.out.push(Token {
                    tok: Tok::Not,
                    column,
                });
                return Ok(());
            }
            _ => {}
        }
        let term = parse_word(&self.chars[start..i], start)?;
        self.out.push(Token {
            tok: Tok::Term(term),
            column,
        });
        Ok(())
    }

    /// `name:value` where chars[start..colon] is the name.
    fn filter(&mut self, start: usize, colon: usize) -> Result<(), QueryError> {
        let name: String = self.chars[start..colon].iter().collect();
        let vstart = colon + 1;
        let (value, end) = match self.chars.get(vstart) {
            Some('"') => {
                let (text, end) = self.quoted(vstart)?;
                if self.chars.get(end) == Some(&'~') {
                    return Err(QueryError::new(
                        Self::col(end),
                        "proximity '~' is not allowed on a filter value",
                    ));
                }
                (text, end)
            }
            Some(c) if !ends_word(*c) => {
                let mut i = vstart;
                while i < self.chars.len() && !ends_word(self.chars[i]) {
                    i += 1;
                }
                (self.chars[vstart..i].iter().collect::<String>(), i)
            }
            _ => {
                return Err(QueryError::new(
                    Self::col(vstart),
                    format!("expected a value right after '{name}:'"),
                ));
            }
        };
        if value.trim().is_empty() {
            return Err(QueryError::new(
                Self::col(vstart),
                format!("empty value for '{name}:'"),
            ));
        }
        self.pos = end;
        self.out.push(Token {
            tok: Tok::Filter(FilterExpr {
                field: FilterField::from_name(&name),
                value,
                column: Self::col(start),
                value_column: Self::col(vstart),
            }),
            column: Self::col(start),
        });
        Ok(())
    }
}

/// Interpret `*` / `~` suffixes of a bare word. `offset` = char index of w[0].
fn parse_word(w: &[char], offset: usize) -> Result<TermExpr, QueryError> {
    let column = offset + 1;
    if let Some(t) = w.iter().position(|c| *c == '~') {
        let base = &w[..t];
        let rest = &w[t + 1..];
        if base.is_empty() {
            return Err(QueryError::new(column, "'~' needs a word before it"));
        }
        if let Some(star) = base.iter().position(|c| *c == '*') {
            return Err(QueryError::new(
                offset + star + 1,
                "a word cannot be both a prefix (*) and fuzzy (~)",
            ));
        }
        let distance = if rest.is_empty() {
            1
        } else if rest.iter().all(char::is_ascii_digit) {
            let s: String = rest.iter().collect();
            match s.parse::<u8>() {
                Ok(d) if d <= 2 => d,
                _ => {
                    return Err(QueryError::new(
                        offset + t + 2,
                        "fuzzy distance must be 0, 1 or 2",
                    ));
                }
            }
        } else {
            return Err(QueryError::new(
                offset + t + 1,
                "expected a number (0, 1 or 2) after '~'",
            ));
        };
        return Ok(TermExpr {
            kind: TermKind::Fuzzy(distance),
            text: base.iter().collect(),
            column,
        });
    }
    if let Some(star) = w.iter().position(|c| *c == '*') {
        if star + 1 != w.len() {
            return Err(QueryError::new(
                offset + star + 1,
                "'*' is only supported at the end of a word (prefix search)",
            ));
        }
        if star == 0 {
            return Err(QueryError::new(
                column,
                "'*' needs at least one letter before it",
            ));
        }
        return Ok(TermExpr {
            kind: TermKind::Prefix,
            text: w[..star].iter().collect(),
            column,
        });
    }
    Ok(TermExpr {
        kind: TermKind::Word,
        text: w.iter().collect(),
        column,
    })
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
        let mut items = vec![self.unary()?];
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
                    items.push(self.unary()?);
                }
                Some(t) if Self::starts_unary(&t.tok) => items.push(self.unary()?),
                _ => break,
            }
        }
        Ok(single_or(items, Expr::And))
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
            Tok::Not => unreachable!("handled in unary"),
        }
    }
}

/// Parse a query string into an AST. Never panics; errors carry a 1-based char column.
pub fn parse_query(input: &str) -> Result<Expr, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let toks = Lexer {
        chars: &chars,
        pos: 0,
        out: Vec::new(),
    }
    .run()?;
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
    }
}
