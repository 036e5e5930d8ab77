//! The lexer of the query language: words (with `*` and `~`), "quoted phrases" (with `~N`),
//! `name:value` filters, parentheses and the upper-case operators, each token with its 1-based char
//! column for error messages. The grammar is in `query.rs`.

use super::query::{FilterExpr, FilterField, MAX_NEAR, MAX_SLOP, QueryError, TermExpr, TermKind};

/// The tokens of a query.
pub(super) fn tokens(chars: &[char]) -> Result<Vec<Token>, QueryError> {
    Lexer {
        chars,
        pos: 0,
        out: Vec::new(),
    }
    .run()
}

/// A token of a query.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    /// `NEAR/N`: a turn matching the left within N turns of one matching the right.
    Near(u32),
    Term(TermExpr),
    Filter(FilterExpr),
}

/// A token and the 1-based char column where it starts.
#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) column: usize,
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
        if let Some(digits) = raw.strip_prefix("NEAR/") {
            let within = match digits.parse::<u32>() {
                Ok(n) if n <= MAX_NEAR && digits.chars().all(|c| c.is_ascii_digit()) => n,
                Ok(_) => {
                    return Err(QueryError::new(
                        column + 5,
                        format!("NEAR/N: N must be at most {MAX_NEAR} turns"),
                    ));
                }
                Err(_) => {
                    return Err(QueryError::new(
                        column + 5,
                        "expected a number of turns after 'NEAR/' (e.g. code:A NEAR/2 code:B)",
                    ));
                }
            };
            self.out.push(Token {
                tok: Tok::Near(within),
                column,
            });
            return Ok(());
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
