//! The codebook in the store: codes with their structured fields, and numbered codebook versions.
//! Importing a codebook updates codes by id (renames and moves included), adds new ones, never deletes
//! one that codings may use, and records a new version with a full snapshot when anything changed.

use rusqlite::{Connection, OptionalExtension, params};

use super::transcripts::parse_text;
use super::{Audit, Result, Store, StoreError};
use crate::model::{Code, CodeId, Codebook, CodebookChange, MAX_CODE_DEPTH, now_rfc3339};

impl Store {
    /// The project's codebook.
    pub fn codebook(&self) -> Result<Codebook> {
        read_codebook(&self.conn)
    }

    /// The newest codebook version (0 when the project has no codebook yet).
    pub fn codebook_version(&self) -> Result<i64> {
        latest_version(&self.conn)
    }

    /// The codebook as it was at `version`.
    pub fn codebook_at(&self, version: i64) -> Result<Codebook> {
        let snapshot: String =
            snapshot_at(&self.conn, version)?.ok_or_else(|| StoreError::NotFound {
                what: "codebook version",
                reference: version.to_string(),
            })?;
        serde_json::from_str(&snapshot)
            .map_err(|e| StoreError::Corrupt(format!("codebook version {version}: {e}")))
    }

    /// Imports a codebook: codes are matched by id; a new version is recorded when anything changed.
    pub(super) fn import_codebook(
        &mut self,
        book: &Codebook,
        note: &str,
    ) -> Result<CodebookChange> {
        check_parents(book)?;
        let before = self.codebook()?;
        let groups = merged_groups(&before, book)?;
        // Every path and lookup through maps built once: linear in the number of codes.
        let (before_index, book_index) = (before.index(), book.index());
        // A codebook's random ids land all over the codes' index: with a page cache big enough for
        // a large codebook (64 MB, for this import only) storing it stays linear in practice too.
        let cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))?;
        self.conn.pragma_update(None, "cache_size", -65_536)?;
        let stored = self.write(|tx| {
            super::team::refuse_in_rater_file(tx)?;
            let mut change = CodebookChange::default();
            set_meta(tx, "name", &book.name)?;
            set_meta(tx, "description", &book.description)?;
            set_groups(tx, &groups)?;
            // What changes, in the book's order (as people read it)...
            let mut changed = Vec::new();
            for code in &book.codes {
                match before_index.get(&code.code_id).map(|&i| &before.codes[i]) {
                    None => change.added.push(book.path_in(code.code_id, &book_index)),
                    Some(old) if old != code => {
                        change.updated.push(book.path_in(code.code_id, &book_index));
                    }
                    Some(_) => continue,
                }
                changed.push(code);
            }
            // ...stored in key order, so a large codebook's random ids append to the index rather
            // than land all over it.
            // A child may now come before its parent: the parents are checked at commit instead
            // (they were all checked above, and SQLite still refuses the commit without them).
            // (A UUID's bytes order as its hyphenated lowercase text does, which is the key.)
            changed.sort_unstable_by_key(|c| c.code_id);
            tx.pragma_update(None, "defer_foreign_keys", true)?;
            for code in changed {
                upsert_code(tx, code)?;
            }
            change.kept = before
                .codes
                .iter()
                .filter(|c| !book_index.contains_key(&c.code_id))
                .map(|c| before.path_in(c.code_id, &before_index))
                .collect();
            let meta_changed = before.name != book.name
                || before.description != book.description
                || before.groups != groups;
            let version = latest_version(tx)?;
            change.version = version;
            if version == 0
                || !change.added.is_empty()
                || !change.updated.is_empty()
                || meta_changed
            {
                // The codebook as stored now, known without reading it back: the codes kept from
                // before and the book's, in the order `read_codebook` gives.
                let mut codes: Vec<Code> = before
                    .codes
                    .iter()
                    .filter(|c| !book_index.contains_key(&c.code_id))
                    .chain(&book.codes)
                    .cloned()
                    .collect();
                codes.sort_by(|a, b| {
                    (a.position, &a.name, a.code_id).cmp(&(b.position, &b.name, b.code_id))
                });
                let after = Codebook {
                    name: book.name.clone(),
                    description: book.description.clone(),
                    codes,
                    groups,
                };
                change.version = record_version_of(tx, version + 1, note, &after)?;
            }
            Ok(Audit::new(
                "import",
                "codebook",
                None,
                serde_json::to_value(&change).unwrap_or_default(),
            )
            .with(change))
        });
        self.conn.pragma_update(None, "cache_size", cache)?;
        stored
    }
}

/// The groups after importing `book` over `before`: a group the book names replaces the one of that
/// name, the others are kept (as codes the book does not mention are), new ones come last. Checked
/// against the codes there will be (the kept ones and the book's).
fn merged_groups(before: &Codebook, book: &Codebook) -> Result<Vec<crate::model::CodeGroup>> {
    let mut groups = before.groups.clone();
    for g in &book.groups {
        match groups.iter_mut().find(|old| old.name == g.name) {
            Some(old) => old.clone_from(g),
            None => groups.push(g.clone()),
        }
    }
    if groups == before.groups {
        return Ok(groups);
    }
    let book_index = book.index();
    let codes = before
        .codes
        .iter()
        .filter(|c| !book_index.contains_key(&c.code_id))
        .chain(&book.codes)
        .cloned()
        .collect();
    let after = Codebook {
        codes,
        groups,
        ..Codebook::default()
    };
    after.check_groups().map_err(StoreError::Refused)?;
    Ok(after.groups)
}

/// Every parent must be a code of the same book, no code may be its own ancestor, and no code may
/// be nested deeper than [`MAX_CODE_DEPTH`] levels. Each code's chain is followed at most that far,
/// each step in constant time, so the check is linear in the number of codes.
pub(super) fn check_parents(book: &Codebook) -> Result<()> {
    let index = book.index();
    for code in &book.codes {
        let mut levels = 1;
        let mut parent = code.parent_id;
        while let Some(p) = parent {
            let Some(pc) = index.get(&p).map(|&i| &book.codes[i]) else {
                return Err(StoreError::NotFound {
                    what: "parent code",
                    reference: p.to_text(),
                });
            };
            if p == code.code_id {
                return Err(StoreError::Corrupt(format!(
                    "code {:?} is its own ancestor",
                    code.name
                )));
            }
            levels += 1;
            if levels > MAX_CODE_DEPTH {
                return Err(StoreError::Refused(format!(
                    "code {:?} is nested more than {MAX_CODE_DEPTH} levels deep (or its parents \
                     form a loop); codes may be nested at most {MAX_CODE_DEPTH} levels",
                    code.name.chars().take(100).collect::<String>()
                )));
            }
            parent = pc.parent_id;
        }
    }
    Ok(())
}

pub(super) fn set_meta(tx: &Connection, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO codebook (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Stores the code groups (a JSON list beside the codebook's name; no entry when there are none).
pub(super) fn set_groups(tx: &Connection, groups: &[crate::model::CodeGroup]) -> Result<()> {
    if groups.is_empty() {
        tx.execute("DELETE FROM codebook WHERE key = 'groups'", [])?;
        return Ok(());
    }
    let json = serde_json::to_string(groups).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    set_meta(tx, "groups", &json)
}

pub(super) fn upsert_code(tx: &Connection, c: &Code) -> Result<()> {
    // Parents first would be needed by the foreign key only if deferred; codes arrive parents-first
    // from every reader, and a missing parent was rejected above.
    // Cached: a codebook import runs this once per code (200,000 in a hostile file).
    let mut stmt = tx.prepare_cached(
        "INSERT INTO codes (code_id, parent_id, name, colour, short_definition, definition, when_to_use,
                            when_not_to_use, example, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (code_id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name,
            colour = excluded.colour, short_definition = excluded.short_definition,
            definition = excluded.definition, when_to_use = excluded.when_to_use,
            when_not_to_use = excluded.when_not_to_use, example = excluded.example,
            position = excluded.position, retired_at = NULL",
    )?;
    stmt.execute(params![
        c.code_id.to_text(),
        c.parent_id.map(|p| p.to_text()),
        c.name,
        c.colour,
        c.short_definition,
        c.definition,
        c.when_to_use,
        c.when_not_to_use,
        c.example,
        c.position,
    ])?;
    Ok(())
}

/// The newest codebook version (0 when there is none), through any connection.
pub(super) fn latest_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(max(version), 0) FROM codebook_versions",
        [],
        |r| r.get(0),
    )?)
}

/// The stored snapshot (JSON) of codebook version `version`, if it is stored.
pub(super) fn snapshot_at(conn: &Connection, version: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT snapshot FROM codebook_versions WHERE version = ?1",
            [version],
            |r| r.get(0),
        )
        .optional()?)
}

pub(super) fn record_version(tx: &Connection, version: i64, note: &str) -> Result<i64> {
    let snapshot = snapshot(tx)?;
    insert_version(tx, version, note, &snapshot)
}

fn insert_version(tx: &Connection, version: i64, note: &str, snapshot: &str) -> Result<i64> {
    tx.execute(
        "INSERT INTO codebook_versions (version, created_at, note, snapshot) VALUES (?1, ?2, ?3, ?4)",
        params![version, now_rfc3339(), note, snapshot],
    )?;
    Ok(version)
}

/// Records version `version` as `book`, which must be the codebook as stored now.
fn record_version_of(tx: &Connection, version: i64, note: &str, book: &Codebook) -> Result<i64> {
    let snapshot = serde_json::to_string(book).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    debug_assert_eq!(
        serde_json::to_string(&read_codebook(tx)?).ok(),
        Some(snapshot.clone()),
        "the snapshot is the codebook as stored"
    );
    insert_version(tx, version, note, &snapshot)
}

fn snapshot(tx: &Connection) -> Result<String> {
    let book = read_codebook(tx)?;
    serde_json::to_string(&book).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Reads the codebook through any connection (the store's, or a transaction's).
pub(super) fn read_codebook(conn: &Connection) -> Result<Codebook> {
    let mut stmt = conn.prepare(
        "SELECT code_id, name, parent_id, colour, short_definition, definition, when_to_use,
                when_not_to_use, example, position FROM codes WHERE retired_at IS NULL ORDER BY position, name, code_id",
    )?;
    let codes = stmt
        .query_map([], |r| {
            Ok(Code {
                code_id: parse_text::<CodeId>(&r.get::<_, String>(0)?, 0)?,
                name: r.get(1)?,
                parent_id: r
                    .get::<_, Option<String>>(2)?
                    .map(|s| parse_text(&s, 2))
                    .transpose()?,
                colour: r.get(3)?,
                short_definition: r.get(4)?,
                definition: r.get(5)?,
                when_to_use: r.get(6)?,
                when_not_to_use: r.get(7)?,
                example: r.get(8)?,
                position: r.get(9)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let meta = |key: &str| -> Result<String> {
        Ok(conn
            .query_row("SELECT value FROM codebook WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or_default())
    };
    let groups = match meta("groups")? {
        json if json.is_empty() => Vec::new(),
        json => serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("the codebook's code groups: {e}")))?,
    };
    Ok(Codebook {
        name: meta("name")?,
        description: meta("description")?,
        codes,
        groups,
    })
}
