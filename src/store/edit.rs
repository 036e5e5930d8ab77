//! Edits: one transaction that may set the whole codebook (adding, changing, nesting and retiring
//! codes) and add, remove and restore codings, all together. The window's codebook editor, merging
//! two codes, changing a coding's code or span, and undo and redo all go through it, so each is one
//! change: all of it is stored, or nothing.
//!
//! Coding rows are still never rewritten: a removal is a tombstone, and a restore takes the tombstone
//! away again, so undoing and redoing gives back the very same codings (same ids, same times).

use rusqlite::{Connection, params};

use super::codebook::{
    check_parents, read_codebook, record_version, set_groups, set_meta, upsert_code,
};
use super::codings::{check_exists, exists, insert_coding};
use super::{Audit, Result, Store, StoreError};
use crate::model::{CodeId, Codebook, Edit, EditReport, NewCoding, Span, now_rfc3339};

impl Store {
    /// Applies an edit in one transaction (see [`Edit`]).
    pub(super) fn edit(&mut self, edit: &Edit) -> Result<EditReport> {
        if let Some(book) = &edit.codebook {
            check_parents(book)?;
            book.check_groups().map_err(StoreError::Refused)?;
        }
        let lengths = self.transcript_lengths()?;
        self.write(|tx| {
            let mut report = EditReport::default();
            let before = read_codebook(tx)?;
            let mut version = super::codebook::latest_version(tx)?;
            if let Some(book) = &edit.codebook {
                let changed = set_codebook(tx, &before, book, &mut report.retired)?;
                if changed {
                    super::team::refuse_in_rater_file(tx)?;
                }
                if changed || version == 0 {
                    version = record_version(tx, version + 1, &edit.action)?;
                    report.codebook_changed = true;
                }
            }
            report.codebook_version = version;
            for id in &edit.restore {
                check_exists(tx, "codings", "coding_id", "coding", &id.to_text())?;
                if super::codings::delete_removal(tx, *id)? > 0 {
                    report.restored.push(*id);
                }
            }
            for coding in &edit.add {
                if add_coding(tx, coding, version, &lengths)? {
                    report.added.push(coding.coding_id);
                }
            }
            for id in &edit.remove {
                check_exists(tx, "codings", "coding_id", "coding", &id.to_text())?;
                if super::codings::insert_removal(tx, *id, &now_rfc3339(), edit.by)? > 0 {
                    report.removed.push(*id);
                }
            }
            for code_id in &report.retired {
                refuse_live_codings(tx, &before, *code_id)?;
            }
            Ok(Audit::new(
                &edit.action,
                "edit",
                None,
                serde_json::to_value(&report).unwrap_or_default(),
            )
            .with(report))
        })
    }
}

/// Makes the codes table hold exactly `book`'s codes; returns whether anything changed.
fn set_codebook(
    tx: &Connection,
    before: &Codebook,
    book: &Codebook,
    retired: &mut Vec<CodeId>,
) -> Result<bool> {
    let mut changed = before.name != book.name
        || before.description != book.description
        || before.groups != book.groups;
    set_meta(tx, "name", &book.name)?;
    set_meta(tx, "description", &book.description)?;
    set_groups(tx, &book.groups)?;
    // Codes matched through maps built once, so a large codebook is linear, not quadratic.
    let (before_index, book_index) = (before.index(), book.index());
    for code in &book.codes {
        if before_index.get(&code.code_id).map(|&i| &before.codes[i]) != Some(code) {
            upsert_code(tx, code)?;
            changed = true;
        }
    }
    for code in &before.codes {
        if !book_index.contains_key(&code.code_id) {
            tx.execute(
                "UPDATE codes SET retired_at = ?2 WHERE code_id = ?1 AND retired_at IS NULL",
                params![code.code_id.to_text(), now_rfc3339()],
            )?;
            retired.push(code.code_id);
            changed = true;
        }
    }
    Ok(changed)
}

/// Adds one coding after checking it; `false` when its id is already stored.
fn add_coding(
    tx: &Connection,
    c: &NewCoding,
    version: i64,
    lengths: &std::collections::HashMap<crate::model::TranscriptId, (String, usize)>,
) -> Result<bool> {
    let Some((name, len)) = lengths.get(&c.transcript_id) else {
        return Err(StoreError::NotFound {
            what: "transcript",
            reference: c.transcript_id.to_text(),
        });
    };
    Span::checked(c.span.start, c.span.end, *len).map_err(|source| StoreError::Span {
        transcript: name.clone(),
        source,
    })?;
    // Statements kept prepared: an import adds codings by the hundred thousand.
    let live: bool = tx
        .prepare_cached("SELECT count(*) > 0 FROM codes WHERE code_id = ?1 AND retired_at IS NULL")?
        .query_row([c.code_id.to_text()], |r| r.get(0))?;
    if !live {
        return Err(StoreError::NotFound {
            what: "code",
            reference: c.code_id.to_text(),
        });
    }
    check_exists(tx, "raters", "rater_id", "rater", &c.rater_id.to_text())?;
    if exists(tx, "codings", "coding_id", &c.coding_id.to_text())? {
        return Ok(false);
    }
    insert_coding(tx, c, version)?;
    Ok(true)
}

/// A code may only be retired once nothing live is coded with it.
fn refuse_live_codings(tx: &Connection, before: &Codebook, code_id: CodeId) -> Result<()> {
    let live: i64 = tx.query_row(
        "SELECT count(*) FROM codings c LEFT JOIN coding_removals r ON r.coding_id = c.coding_id
         WHERE c.code_id = ?1 AND r.coding_id IS NULL",
        [code_id.to_text()],
        |r| r.get(0),
    )?;
    if live == 0 {
        return Ok(());
    }
    Err(StoreError::Refused(format!(
        "code {:?} still has {live} coding(s); merge it into another code instead of deleting it",
        before.path(code_id)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Code, CodingId, RaterId, RaterKind, SourceFormat, Transcript, TranscriptId,
    };

    fn code(name: &str) -> Code {
        Code {
            code_id: CodeId::new_random(),
            name: name.into(),
            parent_id: None,
            colour: "#336699".into(),
            short_definition: String::new(),
            definition: String::new(),
            when_to_use: String::new(),
            when_not_to_use: String::new(),
            example: String::new(),
            position: 0,
        }
    }

    fn setup() -> (Store, Codebook, TranscriptId, RaterId) {
        let mut store = Store::open_in_memory("t").unwrap();
        let book = Codebook {
            name: "b".into(),
            description: String::new(),
            codes: vec![code("A"), code("B")],
            groups: Vec::new(),
        };
        store.import_codebook(&book, "first").unwrap();
        let imported = crate::import::read_transcript_bytes(
            std::path::Path::new("P01_t.txt"),
            b"Interviewer: hello there\n\nP01: general words here\n",
            SourceFormat::Txt,
            &crate::import::ImportOptions::default(),
        )
        .unwrap();
        let t: &Transcript = &imported.transcript;
        store.insert_transcript(t, Some("P01")).unwrap();
        let rater = store.add_rater("R", RaterKind::Human).unwrap();
        (store, book, t.transcript_id, rater.rater_id)
    }

    fn coding(t: TranscriptId, code: CodeId, r: RaterId, s: usize, e: usize) -> NewCoding {
        NewCoding {
            coding_id: CodingId::new_random(),
            transcript_id: t,
            code_id: code,
            rater_id: r,
            span: Span::new(s, e),
            memo: None,
            created_at: None,
        }
    }

    #[test]
    fn code_groups_are_stored_versioned_merged_by_name_and_checked() {
        let (mut store, book, _, _) = setup();
        let (a, b) = (book.codes[0].code_id, book.codes[1].code_id);
        let group = |name: &str, codes: Vec<CodeId>| crate::model::CodeGroup {
            name: name.into(),
            description: String::new(),
            codes,
        };
        // Set by an edit: a new version whose snapshot holds the group.
        let grouped = Codebook {
            groups: vec![group("G", vec![a, b])],
            ..book.clone()
        };
        let rep = store
            .edit(&Edit {
                codebook: Some(grouped.clone()),
                action: "code-group".into(),
                ..Edit::default()
            })
            .unwrap();
        assert!(rep.codebook_changed);
        assert_eq!(store.codebook().unwrap(), grouped);
        assert_eq!(store.codebook_at(rep.codebook_version).unwrap(), grouped);
        assert!(store.codebook_at(1).unwrap().groups.is_empty());
        // An import replaces a group of the same name and keeps the others.
        let c = code("C");
        let mut file = Codebook {
            codes: vec![c.clone()],
            groups: vec![group("H", vec![a, c.code_id])],
            ..book.clone()
        };
        // The file's H takes A, which is G's: refused, nothing written.
        let err = store.import_codebook(&file, "again").unwrap_err();
        assert!(err.to_string().contains("in two code groups"), "{err}");
        assert_eq!(store.codebook().unwrap(), grouped);
        file.groups = vec![group("G", vec![b, c.code_id])];
        let change = store.import_codebook(&file, "again").unwrap();
        let now = store.codebook().unwrap();
        assert_eq!(now.groups, [group("G", vec![b, c.code_id])]);
        assert_eq!(store.codebook_at(change.version).unwrap(), now);
        // An edit that retires a grouped code, its group left as it was, is refused.
        let retiring = Codebook {
            codes: vec![now.codes[0].clone(), now.codes[2].clone()],
            ..now.clone()
        };
        assert!(retiring.codes.iter().all(|c| c.code_id != b));
        let err = store
            .edit(&Edit {
                codebook: Some(retiring),
                action: "delete-code".into(),
                ..Edit::default()
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("retired or never defined"),
            "{err}"
        );
        assert_eq!(store.codebook().unwrap(), now);
    }

    #[test]
    fn add_remove_restore_keep_ids() {
        let (mut store, book, t, r) = setup();
        let c = coding(t, book.codes[0].code_id, r, 0, 5);
        let id = c.coding_id;
        let rep = store
            .edit(&Edit {
                add: vec![c],
                action: "code".into(),
                ..Edit::default()
            })
            .unwrap();
        assert_eq!(rep.added, vec![id]);
        let rep = store
            .edit(&Edit {
                remove: vec![id],
                action: "uncode".into(),
                ..Edit::default()
            })
            .unwrap();
        assert_eq!(rep.removed, vec![id]);
        assert!(
            store
                .codings(&crate::model::CodingFilter::default())
                .unwrap()
                .is_empty()
        );
        let rep = store
            .edit(&Edit {
                restore: vec![id],
                action: "undo".into(),
                ..Edit::default()
            })
            .unwrap();
        assert_eq!(rep.restored, vec![id]);
        let live = store
            .codings(&crate::model::CodingFilter::default())
            .unwrap();
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].coding_id, id);
    }

    #[test]
    fn retiring_a_code_with_codings_is_refused_and_changes_nothing() {
        let (mut store, book, t, r) = setup();
        let c = coding(t, book.codes[1].code_id, r, 0, 5);
        store
            .edit(&Edit {
                add: vec![c],
                action: "code".into(),
                ..Edit::default()
            })
            .unwrap();
        let version = store.codebook_version().unwrap();
        let mut smaller = book.clone();
        smaller.codes.remove(1);
        let err = store
            .edit(&Edit {
                codebook: Some(smaller.clone()),
                action: "delete".into(),
                ..Edit::default()
            })
            .unwrap_err();
        assert!(err.to_string().contains("merge it"), "{err}");
        assert_eq!(store.codebook().unwrap().codes.len(), 2);
        assert_eq!(store.codebook_version().unwrap(), version);
        // Merging: remove the codings in the same edit, and the retirement goes through.
        let live = store
            .codings(&crate::model::CodingFilter::default())
            .unwrap();
        let moved = coding(t, book.codes[0].code_id, r, 0, 5);
        let rep = store
            .edit(&Edit {
                codebook: Some(smaller),
                add: vec![moved],
                remove: vec![live[0].coding_id],
                action: "merge-codes".into(),
                ..Edit::default()
            })
            .unwrap();
        assert_eq!(rep.retired, vec![book.codes[1].code_id]);
        assert!(rep.codebook_changed);
        assert_eq!(store.codebook().unwrap().codes.len(), 1);
        // Undo: the old codebook comes back (the code is un-retired) with its coding.
        let rep = store
            .edit(&Edit {
                codebook: Some(book.clone()),
                remove: rep.added.clone(),
                restore: rep.removed.clone(),
                action: "undo".into(),
                ..Edit::default()
            })
            .unwrap();
        assert_eq!(rep.restored.len(), 1);
        assert_eq!(store.codebook().unwrap(), book);
    }

    #[test]
    fn a_bad_coding_rolls_back_the_codebook_change() {
        let (mut store, book, t, r) = setup();
        let mut renamed = book.clone();
        renamed.codes[0].name = "Renamed".into();
        let bad = coding(t, book.codes[0].code_id, r, 0, 10_000);
        assert!(
            store
                .edit(&Edit {
                    codebook: Some(renamed),
                    add: vec![bad],
                    action: "x".into(),
                    ..Edit::default()
                })
                .is_err()
        );
        assert_eq!(store.codebook().unwrap(), book);
    }
}
