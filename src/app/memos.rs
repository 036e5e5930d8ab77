//! Memos as a workspace: every memo of a project in one list (what it is about, who wrote it,
//! when), filtered by kind, author, code, case, transcript and date, searched with the search
//! language, and the links inside memo texts resolved to the passages they quote.
//!
//! Links: `[[coding:3f2a9c1b]]` names a coding by the start of its id (at least 4 characters);
//! `[[P01_interview@1200-1342]]` a passage of a transcript by its chars (also `1200..1342`). A
//! link to a removed coding says so and gives the words it had; one that names nothing says why.

use std::collections::{BTreeSet, HashMap};

use super::{AppError, Result, resolve};
use crate::model::text::slice_chars;
use crate::model::{
    Case, CaseId, CodeId, Codebook, Coding, CodingFilter, CodingId, Memo, MemoId, MemoTarget,
    RaterId, Span, Transcript, TranscriptId,
};
use crate::store::Store;

pub use crate::export::memos::{LinkState, MemoLink, MemoRow};

/// The kinds of memo, by what they are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemoKind {
    /// The whole project.
    Project,
    /// A transcript.
    Transcript,
    /// A code.
    Code,
    /// A coding.
    Coding,
    /// A passage of a transcript.
    Passage,
    /// A case (a participant).
    Case,
    /// A cell of the summary grid (a case on a code).
    Cell,
}

impl MemoKind {
    /// Every kind, in the order lists show them.
    pub const ALL: [Self; 7] = [
        Self::Project,
        Self::Case,
        Self::Transcript,
        Self::Code,
        Self::Coding,
        Self::Passage,
        Self::Cell,
    ];

    /// The kind of a memo on `target`.
    #[must_use]
    pub const fn of(target: &MemoTarget) -> Self {
        match target {
            MemoTarget::Project => Self::Project,
            MemoTarget::Transcript(_) => Self::Transcript,
            MemoTarget::Code(_) => Self::Code,
            MemoTarget::Coding(_) => Self::Coding,
            MemoTarget::Passage { .. } => Self::Passage,
            MemoTarget::Case(_) => Self::Case,
            MemoTarget::Cell { .. } => Self::Cell,
        }
    }

    /// Its name, as typed (`kind:passage`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::Transcript => "transcript",
            Self::Code => "code",
            Self::Coding => "coding",
            Self::Passage => "passage",
            Self::Case => "case",
            Self::Cell => "cell",
        }
    }
}

impl std::str::FromStr for MemoKind {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "no memo kind {s:?}; give one of: {}",
                    Self::ALL.map(Self::name).join(", ")
                ))
            })
    }
}

/// Which memos to list; every field narrows the list (nothing given: every memo).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoFilter {
    /// Only memos of this kind.
    pub kind: Option<MemoKind>,
    /// Only memos by this rater (name or id).
    pub author: Option<String>,
    /// Only memos about this code (path, name or id).
    pub code: Option<String>,
    /// Only memos about this case (its name), its transcripts, passages and cells.
    pub case: Option<String>,
    /// Only memos about this transcript (name or id), its passages and codings.
    pub transcript: Option<String>,
    /// Only memos written on or after this day (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// Only memos written on or before this day (`YYYY-MM-DD`).
    pub until: Option<String>,
    /// Only memos whose text matches this query (the search language; filters `kind:`,
    /// `author:`, `code:`, `case:`, `transcript:`).
    pub query: Option<String>,
}

/// What a memo is about, as ids, for filtering.
#[derive(Debug, Clone, Default)]
struct Facts {
    author: Option<RaterId>,
    codes: BTreeSet<CodeId>,
    case: Option<CaseId>,
    transcript: Option<TranscriptId>,
}

/// The project read once for a list of memos.
struct Project<'a> {
    store: &'a Store,
    book: Codebook,
    raters: HashMap<RaterId, String>,
    cases: Vec<Case>,
    codings: HashMap<CodingId, Coding>,
    /// The live codings of each transcript.
    live: HashMap<TranscriptId, Vec<CodingId>>,
    removed: BTreeSet<TranscriptId>,
    texts: HashMap<TranscriptId, Option<Transcript>>,
}

impl<'a> Project<'a> {
    fn read(store: &'a Store) -> Result<Self> {
        let codings: HashMap<CodingId, Coding> = store
            .codings(&CodingFilter {
                include_removed: true,
                ..CodingFilter::default()
            })?
            .into_iter()
            .map(|c| (c.coding_id, c))
            .collect();
        let mut live: HashMap<TranscriptId, Vec<CodingId>> = HashMap::new();
        for c in codings.values().filter(|c| c.removed_at.is_none()) {
            live.entry(c.transcript_id).or_default().push(c.coding_id);
        }
        Ok(Self {
            store,
            book: store.codebook()?,
            raters: store
                .raters()?
                .into_iter()
                .map(|r| (r.rater_id, r.name))
                .collect(),
            cases: store.cases()?,
            codings,
            live,
            removed: store.removed_transcript_ids()?.into_iter().collect(),
            texts: HashMap::new(),
        })
    }

    fn transcript(&mut self, id: TranscriptId) -> Option<&Transcript> {
        let store = self.store;
        self.texts
            .entry(id)
            .or_insert_with(|| store.transcript_even_removed(id).ok())
            .as_ref()
    }

    fn is_removed(&self, id: TranscriptId) -> bool {
        self.removed.contains(&id)
    }

    fn case_of(&mut self, id: TranscriptId) -> Option<CaseId> {
        self.transcript(id).and_then(|t| t.case_id)
    }

    fn case_name(&self, id: CaseId) -> Option<String> {
        self.cases
            .iter()
            .find(|c| c.case_id == id)
            .map(|c| c.name.clone())
    }

    fn code_path(&self, id: CodeId) -> String {
        if self.book.get(id).is_some() {
            self.book.path(id)
        } else {
            format!(
                "a code no longer in the codebook ({})",
                short(&id.to_text())
            )
        }
    }

    /// The transcript's name and the words of `span` in it.
    fn words(&mut self, id: TranscriptId, span: Span) -> (String, String) {
        match self.transcript(id) {
            Some(t) => (
                t.name.clone(),
                slice_chars(&t.text, span.start, span.end).to_string(),
            ),
            None => (
                format!("transcript {}", short(&id.to_text())),
                String::new(),
            ),
        }
    }

    /// What the memo is about, in words, and the ids it is about.
    fn describe(&mut self, target: MemoTarget) -> (String, Facts, Option<(TranscriptId, Span)>) {
        let mut facts = Facts::default();
        let mut place = None;
        let about = match target {
            MemoTarget::Project => "the project".to_string(),
            MemoTarget::Transcript(t) => {
                facts.transcript = Some(t);
                facts.case = self.case_of(t);
                place = Some((t, Span::new(0, 0)));
                let (name, _) = self.words(t, Span::new(0, 0));
                self.removed_note(t, name)
            }
            MemoTarget::Code(c) => {
                facts.codes.insert(c);
                self.code_path(c)
            }
            MemoTarget::Coding(id) => match self.codings.get(&id).cloned() {
                Some(coding) => {
                    facts.transcript = Some(coding.transcript_id);
                    facts.case = self.case_of(coding.transcript_id);
                    facts.codes.insert(coding.code_id);
                    place = Some((coding.transcript_id, coding.span));
                    let (name, words) = self.words(coding.transcript_id, coding.span);
                    let rater = self.rater_name(coding.rater_id);
                    let removed = if coding.removed_at.is_some() {
                        " (removed coding)"
                    } else {
                        ""
                    };
                    format!(
                        "{} by {rater} in {name} {}–{}: \"{}\"{removed}",
                        self.code_path(coding.code_id),
                        coding.span.start,
                        coding.span.end,
                        clipped(&words, 80)
                    )
                }
                None => format!(
                    "a coding no longer in the project ({})",
                    short(&id.to_text())
                ),
            },
            MemoTarget::Passage { transcript, span } => {
                facts.transcript = Some(transcript);
                facts.case = self.case_of(transcript);
                facts.codes = self
                    .live
                    .get(&transcript)
                    .into_iter()
                    .flatten()
                    .filter_map(|id| self.codings.get(id))
                    .filter(|c| c.span.overlap(&span) > 0)
                    .map(|c| c.code_id)
                    .collect();
                place = Some((transcript, span));
                let (name, words) = self.words(transcript, span);
                let name = self.removed_note(transcript, name);
                format!(
                    "{name} {}–{}: \"{}\"",
                    span.start,
                    span.end,
                    clipped(&words, 80)
                )
            }
            MemoTarget::Case(case) => {
                facts.case = Some(case);
                self.case_name(case)
                    .unwrap_or_else(|| format!("case {}", short(&case.to_text())))
            }
            MemoTarget::Cell { case, code } => {
                facts.case = Some(case);
                facts.codes.insert(code);
                let case_name = self
                    .case_name(case)
                    .unwrap_or_else(|| format!("case {}", short(&case.to_text())));
                format!("{case_name} × {}", self.code_path(code))
            }
        };
        // A removed transcript cannot be opened.
        let place = place.filter(|(t, _)| !self.is_removed(*t));
        (about, facts, place)
    }

    fn removed_note(&self, id: TranscriptId, name: String) -> String {
        if self.is_removed(id) {
            format!("{name} (removed transcript)")
        } else {
            name
        }
    }

    fn rater_name(&self, id: RaterId) -> String {
        self.raters
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("rater {}", short(&id.to_text())))
    }

    fn row(&mut self, memo: &Memo) -> (MemoRow, Facts) {
        let (about, mut facts, place) = self.describe(memo.target);
        facts.author = memo.rater_id;
        let links = links_in(&memo.text)
            .into_iter()
            .map(|label| self.link(&label))
            .collect();
        let row = MemoRow {
            memo_id: memo.memo_id,
            kind: MemoKind::of(&memo.target).name().to_string(),
            about,
            transcript: facts.transcript.map(|t| self.words(t, Span::new(0, 0)).0),
            case: facts.case.and_then(|c| self.case_name(c)),
            codes: facts.codes.iter().map(|&c| self.code_path(c)).collect(),
            author: memo.rater_id.map(|r| self.rater_name(r)),
            created_at: memo.created_at.clone(),
            text: memo.text.clone(),
            links,
            target: memo.target,
            place,
        };
        (row, facts)
    }

    /// A link, resolved.
    fn link(&mut self, label: &str) -> MemoLink {
        let mut link = MemoLink {
            label: label.to_string(),
            state: LinkState::NotFound,
            transcript: None,
            span: None,
            quote: None,
            note: None,
            place: None,
        };
        let found = if let Some(prefix) = label.strip_prefix("coding:") {
            self.coding_link(prefix.trim(), &mut link)
        } else if let Some((name, span)) = label.rsplit_once('@') {
            self.passage_link(name.trim(), span.trim(), &mut link)
        } else {
            Err(format!(
                "{label:?} is not a link Accord knows: write [[coding:ID]] or [[TRANSCRIPT@START-END]]"
            ))
        };
        if let Err(why) = found {
            link.note = Some(why);
        }
        link
    }

    fn coding_link(
        &mut self,
        prefix: &str,
        link: &mut MemoLink,
    ) -> std::result::Result<(), String> {
        let prefix = prefix.to_ascii_lowercase();
        if prefix.chars().count() < 4 || !prefix.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        {
            return Err(format!(
                "coding {prefix:?}: give at least 4 characters of its id (0-9, a-f)"
            ));
        }
        let matching: Vec<&Coding> = self
            .codings
            .values()
            .filter(|c| c.coding_id.to_text().starts_with(&prefix))
            .collect();
        let coding = match matching.as_slice() {
            [] => return Err(format!("no coding has an id starting with {prefix}")),
            [one] => (*one).clone(),
            many => {
                return Err(format!(
                    "{} codings have ids starting with {prefix}; give more of the id",
                    many.len()
                ));
            }
        };
        let (name, words) = self.words(coding.transcript_id, coding.span);
        link.transcript = Some(name);
        link.span = Some(coding.span);
        link.quote = Some(words);
        link.place = Some((coding.transcript_id, coding.span));
        let what = format!(
            "{} by {}",
            self.code_path(coding.code_id),
            self.rater_name(coding.rater_id)
        );
        if coding.removed_at.is_some() || self.is_removed(coding.transcript_id) {
            link.state = LinkState::Removed;
            link.note = Some(format!("removed coding ({what})"));
            if self.is_removed(coding.transcript_id) {
                link.place = None;
            }
        } else {
            link.state = LinkState::Found;
            link.note = Some(what);
        }
        Ok(())
    }

    fn passage_link(
        &mut self,
        name: &str,
        span: &str,
        link: &mut MemoLink,
    ) -> std::result::Result<(), String> {
        let summary = self
            .store
            .find_transcript(name)
            .map_err(|e| format!("{e}"))?;
        let span: Span = span.parse()?;
        let span = Span::checked(span.start, span.end, summary.len_chars)
            .map_err(|e| format!("{}: {e}", summary.name))?;
        let (name, words) = self.words(summary.transcript_id, span);
        link.state = LinkState::Found;
        link.transcript = Some(name);
        link.span = Some(span);
        link.quote = Some(words);
        link.place = Some((summary.transcript_id, span));
        Ok(())
    }
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// At most `max` chars of `text` on one line, with `…` when cut.
fn clipped(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        let mut cut: String = line.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// The most chars a link holds between its brackets.
const MAX_LINK_CHARS: usize = 200;

/// The most links of one memo that are resolved (a memo is read for people, not for machines).
pub const MAX_LINKS: usize = 100;

/// The links written in a memo's text: what stands between `[[` and `]]` (on one line, at most
/// 200 chars), in order; at most [`MAX_LINKS`].
#[must_use]
pub fn links_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while out.len() < MAX_LINKS
        && let Some(open) = rest.find("[[")
    {
        let after = &rest[open + 2..];
        // Only the next few chars can close it: a text of many `[[` stays linear.
        let window = after
            .char_indices()
            .nth(MAX_LINK_CHARS + 2)
            .map_or(after.len(), |(i, _)| i);
        match after[..window].find("]]") {
            Some(close) => {
                let inner = after[..close].trim();
                if !inner.is_empty() && !inner.contains('\n') {
                    out.push(inner.to_string());
                }
                rest = &after[close + 2..];
            }
            None => rest = after,
        }
    }
    out
}

/// The filter with the people's references resolved to ids.
#[derive(Default)]
struct Resolved {
    kind: Option<MemoKind>,
    author: Option<RaterId>,
    code: Option<CodeId>,
    case: Option<CaseId>,
    transcript: Option<TranscriptId>,
    since: Option<String>,
    until: Option<String>,
    query: Option<super::memo_query::MemoQuery>,
}

fn day(value: &str, what: &str) -> Result<String> {
    chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| AppError::Invalid(format!("--{what} {value:?}: give a day as YYYY-MM-DD")))
}

/// The case named `name` (case-insensitively), or an error listing the cases.
pub(crate) fn find_case(cases: &[Case], name: &str) -> Result<CaseId> {
    cases
        .iter()
        .find(|c| c.name == name)
        .or_else(|| cases.iter().find(|c| c.name.eq_ignore_ascii_case(name)))
        .map(|c| c.case_id)
        .ok_or_else(|| {
            let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).take(20).collect();
            AppError::Invalid(if names.is_empty() {
                format!("no case {name:?}: the project has no cases")
            } else {
                format!("no case {name:?}; cases: {}", names.join(", "))
            })
        })
}

fn resolve_filter(project: &Project<'_>, filter: &MemoFilter) -> Result<Resolved> {
    let store = project.store;
    Ok(Resolved {
        kind: filter.kind,
        author: match &filter.author {
            Some(a) => Some(store.find_rater(a)?.rater_id),
            None => None,
        },
        code: match &filter.code {
            Some(c) => Some(resolve::code(&project.book, c)?),
            None => None,
        },
        case: match &filter.case {
            Some(c) => Some(find_case(&project.cases, c)?),
            None => None,
        },
        transcript: match &filter.transcript {
            Some(t) => Some(store.find_transcript(t)?.transcript_id),
            None => None,
        },
        since: filter
            .since
            .as_deref()
            .map(|d| day(d, "since"))
            .transpose()?,
        until: filter
            .until
            .as_deref()
            .map(|d| day(d, "until"))
            .transpose()?,
        query: match filter.query.as_deref().map(str::trim) {
            Some(q) if !q.is_empty() => Some(super::memo_query::MemoQuery::compile(
                q,
                &super::memo_query::Names {
                    store,
                    book: &project.book,
                    cases: &project.cases,
                },
            )?),
            _ => None,
        },
    })
}

impl Resolved {
    fn keeps(&self, row: &MemoRow, facts: &Facts) -> bool {
        let date = row.created_at.get(..10).unwrap_or(&row.created_at);
        self.kind.is_none_or(|k| k.name() == row.kind)
            && self.author.is_none_or(|a| facts.author == Some(a))
            && self.code.is_none_or(|c| facts.codes.contains(&c))
            && self.case.is_none_or(|c| facts.case == Some(c))
            && self.transcript.is_none_or(|t| facts.transcript == Some(t))
            && self.since.as_deref().is_none_or(|s| date >= s)
            && self.until.as_deref().is_none_or(|u| date <= u)
            && self.query.as_ref().is_none_or(|q| {
                q.matches(&super::memo_query::Subject {
                    text: &row.text,
                    kind: MemoKind::of(&row.target),
                    author: facts.author,
                    codes: &facts.codes,
                    case: facts.case,
                    transcript: facts.transcript,
                })
            })
    }
}

/// Every memo the filter keeps, oldest first, resolved: what it is about, who wrote it, its links.
/// A reference in the filter that names nothing (an unknown author, code, case or transcript, a
/// malformed day or query) is an error saying so.
pub fn memo_rows(store: &Store, filter: &MemoFilter) -> Result<Vec<MemoRow>> {
    let mut project = Project::read(store)?;
    let resolved = resolve_filter(&project, filter)?;
    let mut rows = Vec::new();
    for memo in store.all_memos()? {
        let (row, facts) = project.row(&memo);
        if resolved.keeps(&row, &facts) {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// The memo whose id starts with `prefix` (at least 4 characters), resolved.
pub fn find_memo(store: &Store, prefix: &str) -> Result<MemoRow> {
    let prefix = prefix.trim().to_ascii_lowercase();
    if prefix.chars().count() < 4 {
        return Err(AppError::Invalid(format!(
            "memo {prefix:?}: give at least 4 characters of its id (see `accord memos list`)"
        )));
    }
    let memos: Vec<Memo> = store
        .all_memos()?
        .into_iter()
        .filter(|m| m.memo_id.to_text().starts_with(&prefix))
        .collect();
    match memos.as_slice() {
        [one] => Ok(Project::read(store)?.row(one).0),
        [] => Err(AppError::Invalid(format!(
            "no memo has an id starting with {prefix} (see `accord memos list`)"
        ))),
        many => Err(AppError::Invalid(format!(
            "{} memos have ids starting with {prefix}; give more of the id",
            many.len()
        ))),
    }
}

/// The memo target of a passage: a transcript (name or id) and its chars, or words quoted from it
/// (they must occur once).
pub fn passage_target(
    store: &Store,
    transcript: &str,
    span: Option<Span>,
    quote: Option<&str>,
) -> Result<MemoTarget> {
    let t = resolve::transcript(store, transcript)?;
    let span = match (span, quote) {
        (Some(span), _) => Span::checked(span.start, span.end, t.len_chars)
            .map_err(|e| AppError::Invalid(format!("{}: {e}", t.name)))?,
        (None, Some(q)) => resolve::quote_span(&t, q)?,
        (None, None) => {
            return Err(AppError::Invalid(
                "a passage needs --span START..END or --quote TEXT".into(),
            ));
        }
    };
    Ok(MemoTarget::Passage {
        transcript: t.transcript_id,
        span,
    })
}

/// The memo target of a cell of the summary grid: a case (its name) on a code.
pub fn cell_target(store: &Store, case: &str, code: &str) -> Result<MemoTarget> {
    Ok(MemoTarget::Cell {
        case: find_case(&store.cases()?, case)?,
        code: resolve::code(&store.codebook()?, code)?,
    })
}

/// The memo target of a case (its name).
pub fn case_target(store: &Store, case: &str) -> Result<MemoTarget> {
    Ok(MemoTarget::Case(find_case(&store.cases()?, case)?))
}

/// The id of a memo just written (from [`super::Outcome::Memo`]).
#[must_use]
pub fn written(outcome: &super::Outcome) -> Option<MemoId> {
    match outcome {
        super::Outcome::Memo(m) => Some(m.memo_id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_read_between_double_brackets_on_one_line() {
        assert_eq!(
            links_in("see [[coding:3f2a9c1b]] and [[ P01@10-20 ]], not [[\n]] or [[]] [[open"),
            ["coding:3f2a9c1b", "P01@10-20"]
        );
        assert!(links_in("no links [here]").is_empty());
        let long = format!("[[{}]] [[P01@1-2]]", "x".repeat(MAX_LINK_CHARS + 1));
        assert_eq!(links_in(&long), ["P01@1-2"]);
        let many = "[[a]]".repeat(MAX_LINKS + 5);
        assert_eq!(links_in(&many).len(), MAX_LINKS);
        let hostile = format!("{}]]", "[[".repeat(200_000));
        let started = std::time::Instant::now();
        assert!(links_in(&hostile).len() <= 1);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn kinds_parse_by_name_and_say_what_exists() {
        assert_eq!("Passage".parse::<MemoKind>().ok(), Some(MemoKind::Passage));
        let Err(e) = "grid".parse::<MemoKind>() else {
            panic!("grid is no kind")
        };
        assert!(
            e.to_string()
                .contains("project, case, transcript, code, coding, passage, cell")
        );
    }

    #[test]
    fn clipped_keeps_short_text_and_cuts_long_text() {
        assert_eq!(clipped("a  b\nc", 10), "a b c");
        assert_eq!(clipped("abcdef", 3), "abc…");
    }
}
