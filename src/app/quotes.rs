//! Key quotes: codings flagged as the quotes that carry the argument, with an optional label, listed
//! and exported by theme (code), each with a citation in the form the team chooses (the project's
//! `citation` setting, `(P07, participant, 00:12:31)` by default).

use serde::Serialize;

use super::command::{Command, MemoCommand, SettingCommand};
use super::{AppError, Result};
use crate::export::ProjectData;
use crate::export::document::Document;
use crate::export::excerpts::{DEFAULT_CITATION, Excerpt, ExcerptFilter, check_citation, excerpts};
use crate::model::{CodeId, CodingFilter, CodingId, KeyQuote, RaterId, now_rfc3339};
use crate::store::Store;

/// The setting that holds the project's citation form.
pub const CITATION_SETTING: &str = "citation";

/// The project's citation form (the default unless the team chose one).
///
/// # Errors
/// A store error.
pub fn citation_form(store: &Store) -> Result<String> {
    Ok(store
        .setting(CITATION_SETTING)?
        .unwrap_or_else(|| DEFAULT_CITATION.to_string()))
}

/// The command that makes `form` the project's citation form.
///
/// # Errors
/// A form naming an unknown part (each part it may name is listed).
pub fn set_citation(form: &str) -> Result<Command> {
    check_citation(form).map_err(AppError::Invalid)?;
    Ok(Command::Settings(SettingCommand::Set {
        key: CITATION_SETTING.into(),
        value: Some(form.to_string()),
    }))
}

/// The coding whose id starts with `reference` (live or removed).
///
/// # Errors
/// None or more than one matches.
pub fn find_coding(store: &Store, reference: &str) -> Result<CodingId> {
    let wanted = reference.trim().to_ascii_lowercase();
    let found: Vec<CodingId> = store
        .codings(&CodingFilter {
            include_removed: true,
            ..CodingFilter::default()
        })?
        .into_iter()
        .map(|c| c.coding_id)
        .filter(|id| !wanted.is_empty() && id.to_text().starts_with(&wanted))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(AppError::Invalid(format!(
            "no coding has an id starting {wanted:?} (accord codings list shows them)"
        ))),
        more => Err(AppError::Invalid(format!(
            "{wanted:?} starts {} codings' ids; give more of it",
            more.len()
        ))),
    }
}

/// The command that flags `coding` as a key quote, with a label, by `by`.
#[must_use]
pub fn flag(coding: CodingId, label: &str, by: Option<RaterId>) -> Command {
    Command::Memos(MemoCommand::FlagQuote(Box::new(KeyQuote {
        coding_id: coding,
        label: label.trim().to_string(),
        flagged_by: by,
        flagged_at: now_rfc3339(),
    })))
}

/// A key quote as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct QuoteRow {
    /// The coding, its code, transcript, case, place and words.
    #[serde(flatten)]
    pub excerpt: Excerpt,
    /// Its label.
    pub label: String,
    /// Who flagged it.
    pub flagged_by: String,
    /// Its citation in the project's form.
    pub citation: String,
}

/// The key quotes among the codings of `codes` (every code when empty), by theme (codebook order),
/// then transcript and place, each cited in `form`. A key quote whose coding was removed since is
/// left out.
#[must_use]
pub fn rows(data: &ProjectData, codes: &[CodeId], form: &str) -> Vec<QuoteRow> {
    let filter = ExcerptFilter {
        codes: codes.to_vec(),
        ..ExcerptFilter::default()
    };
    excerpts(data, &filter)
        .into_iter()
        .filter_map(|e| {
            let q = data
                .key_quotes
                .iter()
                .find(|q| q.coding_id == e.coding_id)?;
            Some(QuoteRow {
                label: q.label.clone(),
                flagged_by: q
                    .flagged_by
                    .and_then(|r| data.rater(r))
                    .map(|r| r.name.clone())
                    .unwrap_or_default(),
                citation: e.cite(form),
                excerpt: e,
            })
        })
        .collect()
}

/// The key quotes as a document: a heading per theme, each quote with its label and citation.
#[must_use]
pub fn document(data: &ProjectData, rows: &[QuoteRow]) -> Document {
    let mut doc = Document::new(&format!("Key quotes: {}", data.name));
    doc.para(format!(
        "{} key quote{}.",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    let mut theme: Option<&str> = None;
    for row in rows {
        if theme != Some(row.excerpt.code_path.as_str()) {
            theme = Some(row.excerpt.code_path.as_str());
            doc.heading(1, row.excerpt.code_path.clone());
        }
        if !row.label.is_empty() {
            doc.heading(2, row.label.clone());
        }
        doc.quote(row.excerpt.quote.clone());
        doc.para(row.citation.clone());
    }
    doc
}

/// The key quotes as a table (CSV, XLSX): one row per quote.
#[must_use]
pub fn table(rows: &[QuoteRow]) -> crate::export::Table {
    use crate::export::Cell;
    crate::export::Table {
        name: "Key quotes".into(),
        header: [
            "code",
            "label",
            "quote",
            "citation",
            "case",
            "transcript",
            "turn",
            "speaker",
            "role",
            "rater",
            "coding_id",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                let e = &r.excerpt;
                vec![
                    Cell::Text(e.code_path.clone()),
                    Cell::Text(r.label.clone()),
                    Cell::Text(e.quote.clone()),
                    Cell::Text(r.citation.clone()),
                    Cell::Text(e.case.clone().unwrap_or_default()),
                    Cell::Text(e.transcript.clone()),
                    e.turn.map_or(Cell::Empty, Cell::from),
                    Cell::Text(e.speaker.clone()),
                    Cell::Text(e.role.clone()),
                    Cell::Text(e.rater.clone()),
                    Cell::Text(e.coding_id.to_text()),
                ]
            })
            .collect(),
    }
}
