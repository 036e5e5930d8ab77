//! De-identification of a project with a pseudonym list (real name -> pseudonym): first a preview of
//! every name the list finds, where, and what it becomes, for the researcher to review; then, on
//! their word, one change that gives each affected transcript a new version of its text, carries
//! every turn and coding over to the same words, scrubs every other stored text, and purges the old
//! text from the file (vacuumed), the search index (rebuilt) and the backups (replaced by one made
//! after), so that nothing of a real name remains on disk. Names are remembered only as salted
//! hashes, so that the same name always gets the same pseudonym in this project, also in
//! transcripts imported later (`accord import --pseudonyms`).
//!
//! De-identification cannot be undone (undoing would need the real names back), and it clears the
//! undo history, which could otherwise bring old text back.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{AppError, Result};
use crate::import::pseudonyms::{Pseudonyms, Rewrite};
use crate::model::{CodingFilter, Transcript, text};
use crate::store::api::ProjectsWrites;
use crate::store::{NewVersion, Store, name_hash};

/// One name of the list, as found in the project.
#[derive(Debug, Clone, Serialize)]
pub struct NamePreview {
    /// The real name.
    pub name: String,
    /// What it becomes.
    pub pseudonym: String,
    /// How often it occurs in the transcripts' text.
    pub occurrences: usize,
    /// Per transcript (name), how often.
    pub transcripts: BTreeMap<String, usize>,
    /// A few places, with the name in brackets.
    pub samples: Vec<String>,
    /// The pseudonym this project already gave the name, when it differs (a conflict).
    pub conflict: Option<String>,
}

/// The preview of a list on a project.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// Each name.
    pub names: Vec<NamePreview>,
    /// Transcripts whose text changes.
    pub transcripts: usize,
}

impl Preview {
    /// Whether any name already has another pseudonym in this project.
    #[must_use]
    pub fn has_conflicts(&self) -> bool {
        self.names.iter().any(|n| n.conflict.is_some())
    }
}

fn transcripts_of(store: &Store) -> Result<Vec<Transcript>> {
    store
        .all_transcript_ids()?
        .into_iter()
        .map(|id| Ok(store.transcript_even_removed(id)?))
        .collect()
}

/// What the list would change, for review.
pub(super) fn preview(store: &mut Store, list: &Pseudonyms) -> Result<Preview> {
    let salt = store.pseudonym_salt()?;
    let mut names: Vec<NamePreview> = Vec::new();
    for (real, pseudonym) in list.pairs() {
        let known = store.pseudonym_of_hash(&name_hash(&salt, real))?;
        names.push(NamePreview {
            name: real.clone(),
            pseudonym: pseudonym.clone(),
            occurrences: 0,
            transcripts: BTreeMap::new(),
            samples: Vec::new(),
            conflict: known.filter(|k| k != pseudonym),
        });
    }
    let mut changed = 0;
    for t in transcripts_of(store)? {
        let rewrite = list.apply(&t.text);
        if rewrite.changed() {
            changed += 1;
        }
        for r in &rewrite.replacements {
            let n = &mut names[r.pair];
            n.occurrences += 1;
            *n.transcripts.entry(t.name.clone()).or_default() += 1;
            if n.samples.len() < 3 {
                n.samples.push(sample(&t.text, r.old));
            }
        }
    }
    Ok(Preview {
        names,
        transcripts: changed,
    })
}

/// The name in its context, in brackets, on one line.
fn sample(full: &str, at: crate::model::Span) -> String {
    let start = at.start.saturating_sub(40);
    let end = (at.end + 40).min(text::char_len(full));
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "…{} [{}] {}…",
        flat(text::slice_chars(full, start, at.start)),
        flat(text::slice_chars(full, at.start, at.end)),
        flat(text::slice_chars(full, at.end, end))
    )
}

/// What applying a list did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    /// Transcripts given a new version.
    pub transcripts: usize,
    /// Names replaced in them.
    pub replacements: usize,
    /// Other stored texts scrubbed (memos, attribute values, names, the audit log, ...).
    pub other_texts: usize,
    /// Codings carried over to the new text.
    pub codings: usize,
}

/// Applies a list (refused when a name already has another pseudonym in this project). The search
/// index and the backups are the caller's to purge (see `accord deidentify`).
pub(super) fn apply(store: &mut Store, list: &Pseudonyms) -> Result<Applied> {
    let review = preview(store, list)?;
    if let Some(n) = review.names.iter().find(|n| n.conflict.is_some()) {
        return Err(AppError::Invalid(format!(
            "{:?} already has the pseudonym {:?} in this project; the list gives {:?}. Keep one \
             pseudonym per name.",
            n.name,
            n.conflict.clone().unwrap_or_default(),
            n.pseudonym
        )));
    }
    let mut versions = Vec::new();
    let (mut replacements, mut codings) = (0, 0);
    for t in transcripts_of(store)? {
        let rewrite = list.apply(&t.text);
        let speakers_change = t.turns.iter().any(|u| list.apply(&u.speaker).changed());
        if !rewrite.changed() && !speakers_change {
            continue;
        }
        replacements += rewrite.replacements.len();
        let version = new_version(store, &t, &rewrite, list)?;
        codings += version.codings.len();
        versions.push(version);
    }
    let salt = store.pseudonym_salt()?;
    let names: Vec<(String, String)> = list
        .pairs()
        .iter()
        .map(|(real, pseudonym)| (name_hash(&salt, real), pseudonym.clone()))
        .collect();
    let scrub = |s: &str| {
        let r = list.apply(s);
        r.changed().then_some(r.text)
    };
    let other_texts = store.deidentify(&versions, &scrub, &names)?;
    Ok(Applied {
        transcripts: versions.len(),
        replacements,
        other_texts,
        codings,
    })
}

/// A transcript's new version: its text with the list applied, its turns and every coding (removed
/// ones too) carried over to the same words.
fn new_version(
    store: &Store,
    t: &Transcript,
    rewrite: &Rewrite,
    list: &Pseudonyms,
) -> Result<NewVersion> {
    // The same re-anchoring as a correction's (`model::anchors`): each name a splice.
    let map = crate::model::anchors::PositionMap::from_splices(t.len_chars, &rewrite.splices())
        .map_err(|e| AppError::Invalid(format!("{}: {e}", t.name)))?;
    let carry = |s: crate::model::Span| crate::model::Span::new(map.start(s.start), map.end(s.end));
    let turns = t
        .turns
        .iter()
        .map(|u| {
            let mut turn = u.clone();
            turn.span = carry(u.span);
            turn.content_start = map.start(u.content_start).max(turn.span.start);
            turn.speaker = list.apply(&u.speaker).text;
            turn
        })
        .collect();
    let codings = store
        .codings(&CodingFilter {
            transcripts: vec![t.transcript_id],
            include_removed: true,
            ..CodingFilter::default()
        })?
        .into_iter()
        .map(|c| (c.coding_id, carry(c.span)))
        .collect();
    let memos = store
        .passage_memos(t.transcript_id)?
        .into_iter()
        .map(|(id, span)| (id, carry(span)))
        .collect();
    let adjudications = store
        .adjudications(None)?
        .into_iter()
        .filter(|a| a.transcript_id == t.transcript_id)
        .map(|a| {
            (
                a.adjudication_id,
                carry(a.extent),
                a.rater_spans
                    .iter()
                    .map(|(r, spans)| (*r, spans.iter().map(|s| carry(*s)).collect()))
                    .collect(),
            )
        })
        .collect();
    Ok(NewVersion {
        transcript_id: t.transcript_id,
        text: rewrite.text.clone(),
        turns,
        codings,
        memos,
        adjudications,
    })
}

/// What applying a list and purging the old text did.
#[derive(Debug, Clone, Serialize)]
pub struct Purged {
    /// What the rewrite did.
    pub applied: Applied,
    /// The one backup kept (taken after the rewrite; the older ones held the old text).
    pub backup: Option<std::path::PathBuf>,
}

/// The whole de-identification, as `accord deidentify --apply` and the window do it: refused when a
/// name already has another pseudonym; otherwise a safety backup, the rewrite (see [`apply`]), then
/// every older backup deleted (they hold the old text), one fresh backup, and the search index
/// rebuilt from the new text. Refused while another Accord has the project open; a purge that
/// cannot be finished stays pending (see [`crate::app::erase::erase`]).
pub(super) fn apply_and_purge(store: &mut Store, list: &Pseudonyms) -> Result<Purged> {
    let review = preview(store, list)?;
    if let Some(n) = review.names.iter().find(|n| n.conflict.is_some()) {
        return Err(AppError::Invalid(format!(
            "{:?} already has the pseudonym {:?} in this project; the list gives {:?}. Keep one \
             pseudonym per name; nothing was changed.",
            n.name,
            n.conflict.clone().unwrap_or_default(),
            n.pseudonym
        )));
    }
    // The purge rewrites the whole file: refused, with nothing changed, while another Accord has
    // the project open.
    let _whole = store.exclusive()?;
    // A safety copy in case the rewrite fails part way; it holds the old text, so it goes with the
    // other backups once the rewrite is done.
    store.backup("before-deidentify")?;
    let applied = apply(store, list)?;
    let backup = super::erase::purge(store, "after-deidentify")
        .map_err(|e| super::erase::unfinished(store, "the project was de-identified", &e))?;
    Ok(Purged { applied, backup })
}

/// After text left the project for good: deletes every backup (they still hold it), rebuilds the
/// search index from what is left, clears the mark that this was pending, and takes one fresh
/// backup named `reason`. Killed part way, it is done again when the project is next opened
/// ([`crate::app::erase::finish_purge`]).
pub(super) fn replace_backups_and_reindex(
    store: &mut Store,
    reason: &str,
) -> Result<Option<std::path::PathBuf>> {
    if let Some(path) = store.path() {
        let dir = crate::store::backups_dir(path);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| {
                AppError::Invalid(format!(
                    "{}: cannot remove the old backups: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    // Restore copies an older Accord left beside the project hold the text too.
    store.remove_leftovers();
    crate::search::ProjectIndex::rebuild(store).map_err(|e| AppError::Invalid(e.to_string()))?;
    store.set_setting(crate::model::PURGE_PENDING, None)?;
    let backup = store.backup(reason)?;
    Ok(backup)
}

/// Remembers (as salted hashes) the pseudonyms of a list used to import transcripts, refusing a
/// name that already has another pseudonym in this project.
pub(super) fn remember(store: &mut Store, list: &Pseudonyms) -> Result<()> {
    let salt = store.pseudonym_salt()?;
    let mut fresh = Vec::new();
    for (real, pseudonym) in list.pairs() {
        let hash = name_hash(&salt, real);
        match store.pseudonym_of_hash(&hash)? {
            Some(known) if &known != pseudonym => {
                return Err(AppError::Invalid(format!(
                    "{real:?} already has the pseudonym {known:?} in this project; the list gives {pseudonym:?}"
                )));
            }
            Some(_) => {}
            None => fresh.push((hash, pseudonym.clone())),
        }
    }
    for (hash, pseudonym) in fresh {
        store.set_setting(&format!("pseudonym.{hash}"), Some(&pseudonym))?;
    }
    Ok(())
}
