//! De-identification in the store: the one change that rewrites frozen text. In ONE transaction each
//! affected transcript gets its new text (a new version: new hash, the old text gone), its turns and
//! codings are carried over to the same words, every other stored text (memos, attribute values,
//! names, the audit log, the codebook) is scrubbed the same way, the undo history is dropped (it
//! could bring the old text back), and salted hashes of the names record which pseudonym each got.
//! Then (the caller's next step, [`Store::purge_free_pages`]) the file is vacuumed with
//! `secure_delete` on and the write-ahead log truncated, so no page of the file still holds the old
//! text.

use rusqlite::params;

use super::{Audit, Result, Store, StoreError};
use crate::model::{CodingId, Span, TranscriptId, Turn};

/// One transcript's new version.
#[derive(Debug, Clone)]
pub struct NewVersion {
    /// Which transcript.
    pub transcript_id: TranscriptId,
    /// Its new text.
    pub text: String,
    /// Its turns over the new text.
    pub turns: Vec<Turn>,
    /// Every coding of it (live or removed), carried over to the new text.
    pub codings: Vec<(CodingId, Span)>,
    /// Every memo on a passage of it, carried over to the new text.
    pub memos: Vec<(crate::model::MemoId, Span)>,
    /// Every adjudication record of it, its extent and rater spans carried over to the new text.
    pub adjudications: Vec<crate::model::RecordSpans>,
}

pub(super) const TEXT_FROZEN: &str =
    "CREATE TRIGGER transcripts_text_frozen BEFORE UPDATE OF text, sha256, len_chars ON transcripts
BEGIN
    SELECT RAISE(ABORT, 'a transcript''s text is frozen once imported');
END;";

pub(super) const CODINGS_FROZEN: &str =
    "CREATE TRIGGER codings_never_rewritten BEFORE UPDATE ON codings
BEGIN
    SELECT RAISE(ABORT, 'codings are never rewritten; remove and add instead');
END;";

/// Text columns scrubbed besides the transcripts' text (table, key column, text column).
const SCRUBBED: &[(&str, &str, &str)] = &[
    ("transcripts", "transcript_id", "name"),
    ("transcripts", "transcript_id", "source_file"),
    ("turns", "turn_id", "speaker"),
    ("cases", "case_id", "name"),
    ("case_attributes", "rowid", "value"),
    ("memos", "memo_id", "text"),
    ("audit", "seq", "detail"),
    ("project", "key", "value"),
    ("codebook", "key", "value"),
    ("codebook_versions", "version", "snapshot"),
    ("codes", "code_id", "name"),
    ("codes", "code_id", "short_definition"),
    ("codes", "code_id", "definition"),
    ("codes", "code_id", "when_to_use"),
    ("codes", "code_id", "when_not_to_use"),
    ("codes", "code_id", "example"),
    ("proposals", "proposal_id", "proposed"),
    ("proposals", "proposal_id", "note"),
    ("adjudications", "adjudication_id", "note"),
    ("rounds", "round_id", "name"),
    ("coding_losses", "coding_id", "quote"),
    // A proposed correction's text is the transcript's, names and all. Once the transcript is
    // rewritten, an open proposal no longer matches its text and can only be rejected.
    ("correction_proposals", "proposal_id", "text"),
    ("correction_proposals", "proposal_id", "note"),
    ("correction_proposals", "proposal_id", "decision_note"),
    ("key_quotes", "coding_id", "label"),
    ("grid_summaries", "rowid", "text"),
];

/// A salted hash of a name, as kept (never the name itself).
#[must_use]
pub fn name_hash(salt: &str, name: &str) -> String {
    let key = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    crate::model::text::sha256_hex(&format!("{salt}\u{0}{key}"))
}

impl Store {
    /// The salt of this project's name hashes (made on first use).
    pub(super) fn pseudonym_salt(&mut self) -> Result<String> {
        if let Some(salt) = self.setting("pseudonym_salt")? {
            return Ok(salt);
        }
        let salt = uuid::Uuid::new_v4().simple().to_string();
        self.set_setting("pseudonym_salt", Some(&salt))?;
        Ok(salt)
    }

    /// The pseudonym a name (by its hash) already has in this project, if any.
    pub fn pseudonym_of_hash(&self, hash: &str) -> Result<Option<String>> {
        self.setting(&format!("pseudonym.{hash}"))
    }

    /// Rewrites transcripts and scrubs every other stored text, in one transaction (see the module
    /// notes); `scrub` returns the replacement of a text, or `None` when it holds no name. `names`
    /// are (salted hash, pseudonym) pairs to remember. It marks the purge pending: the caller then
    /// purges the file ([`Store::purge_free_pages`]), the backups and the index.
    pub(crate) fn deidentify(
        &mut self,
        versions: &[NewVersion],
        scrub: &dyn Fn(&str) -> Option<String>,
        names: &[(String, String)],
    ) -> Result<usize> {
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        self.write(|tx| {
            tx.execute_batch(
                "DROP TRIGGER transcripts_text_frozen; DROP TRIGGER codings_never_rewritten;",
            )?;
            for v in versions {
                rewrite_transcript(tx, v)?;
            }
            let mut scrubbed = 0;
            for (table, key, column) in SCRUBBED {
                scrubbed += scrub_column(tx, table, key, column, scrub)?;
            }
            super::steps::forget_steps(tx)?;
            super::erase::mark_purge_pending(tx, "de-identification")?;
            for (hash, pseudonym) in names {
                super::project::put_setting(tx, &format!("pseudonym.{hash}"), Some(pseudonym))?;
            }
            tx.execute_batch(TEXT_FROZEN)?;
            tx.execute_batch(CODINGS_FROZEN)?;
            Ok(Audit::new(
                "deidentify",
                "project",
                None,
                serde_json::json!({ "transcripts": versions.len(), "other_texts": scrubbed,
                    "names": names.len() }),
            )
            .with(scrubbed))
        })
    }
}

fn rewrite_transcript(tx: &rusqlite::Connection, v: &NewVersion) -> Result<()> {
    let len = v.text.chars().count();
    let n = tx.execute(
        "UPDATE transcripts SET text = ?2, sha256 = ?3, len_chars = ?4 WHERE transcript_id = ?1",
        params![
            v.transcript_id.to_text(),
            v.text,
            crate::model::text::sha256_hex(&v.text),
            len as i64
        ],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "transcript",
            reference: v.transcript_id.to_text(),
        });
    }
    // The texts earlier corrections replaced hold the names too: they go (a rater file issued on
    // one of them no longer merges, as one issued before de-identification does not).
    tx.execute(
        "DELETE FROM transcript_versions WHERE transcript_id = ?1",
        [v.transcript_id.to_text()],
    )?;
    for t in &v.turns {
        tx.execute(
            "UPDATE turns SET start_char = ?2, end_char = ?3, content_start = ?4, speaker = ?5 WHERE turn_id = ?1",
            params![
                t.turn_id.to_text(),
                t.span.start as i64,
                t.span.end as i64,
                t.content_start as i64,
                t.speaker
            ],
        )?;
    }
    for (id, span) in &v.codings {
        if span.start >= span.end || span.end > len {
            return Err(StoreError::Corrupt(format!(
                "coding {} would not fit the new text",
                id.to_text()
            )));
        }
        tx.execute(
            "UPDATE codings SET start_char = ?2, end_char = ?3 WHERE coding_id = ?1",
            params![id.to_text(), span.start as i64, span.end as i64],
        )?;
    }
    super::memos::move_passage_memos(tx, v.transcript_id, &v.memos)?;
    super::correct::move_records(tx, v.transcript_id, &v.adjudications)
}

fn scrub_column(
    tx: &rusqlite::Connection,
    table: &str,
    key: &str,
    column: &str,
    scrub: &dyn Fn(&str) -> Option<String>,
) -> Result<usize> {
    let mut changes: Vec<(rusqlite::types::Value, String)> = Vec::new();
    {
        let mut stmt = tx.prepare(&format!("SELECT {key}, {column} FROM {table}"))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            // A column that may be empty (a decision's note before the decision) holds no name.
            let Some(text): Option<String> = row.get(1)? else {
                continue;
            };
            if let Some(new) = scrub(&text) {
                changes.push((row.get(0)?, new));
            }
        }
    }
    for (k, new) in &changes {
        tx.execute(
            &format!("UPDATE {table} SET {column} = ?2 WHERE {key} = ?1"),
            params![k, new],
        )?;
    }
    Ok(changes.len())
}
