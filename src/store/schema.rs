//! The project file's schema and its migrations. `PRAGMA user_version` holds the schema version;
//! `PRAGMA application_id` marks the file as an Accord project. A file from a newer Accord is refused,
//! never migrated down.

use rusqlite::{Connection, TransactionBehavior};

use super::{Result, Store, StoreError, sqlite_message};

/// `PRAGMA application_id` of every Accord project ("ACCD").
pub const APPLICATION_ID: i32 = 0x4143_4344;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i32 = 8;

/// Migration `i` takes a project from version `i` to `i + 1`; each runs in one transaction.
pub const MIGRATIONS: &[&str] = &[
    MIGRATION_1,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_5,
    MIGRATION_6,
    MIGRATION_7,
    MIGRATION_8,
];

/// Version 8: from coded excerpts to the paper. A coding flagged as a key quote (with a label); a
/// written summary of one case on one code (a summary grid's cell), kept in numbered versions
/// (the newest is the cell's summary; an empty text clears it), with who wrote each and the codings
/// it cites; memos on a passage (a span of a transcript, carried by corrections as codings are),
/// on a case and on a grid cell (a case and a code). SQLite cannot change a CHECK, so the memos table is
/// made again with its new kinds and columns.
const MIGRATION_8: &str = r"
CREATE TABLE key_quotes (
    coding_id  TEXT PRIMARY KEY REFERENCES codings(coding_id),
    label      TEXT NOT NULL,
    flagged_by TEXT REFERENCES raters(rater_id),
    flagged_at TEXT NOT NULL
) STRICT;
CREATE TABLE grid_summaries (
    case_id    TEXT NOT NULL REFERENCES cases(case_id),
    code_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    -- JSON list of the coding ids the summary cites.
    cites      TEXT NOT NULL,
    written_by TEXT REFERENCES raters(rater_id),
    written_at TEXT NOT NULL,
    PRIMARY KEY (case_id, code_id, version)
) STRICT;
CREATE TABLE memos_v8 (
    memo_id     TEXT PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN
                    ('project', 'transcript', 'code', 'coding', 'passage', 'case', 'cell')),
    -- The transcript of a passage, the case of a case memo or a cell.
    target_id   TEXT,
    rater_id    TEXT REFERENCES raters(rater_id),
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    -- A passage's span, in chars.
    start_char  INTEGER,
    end_char    INTEGER,
    -- A cell's code.
    code_id     TEXT,
    CHECK ((target_kind = 'passage') = (start_char IS NOT NULL AND end_char IS NOT NULL)),
    CHECK ((target_kind = 'cell') = (code_id IS NOT NULL))
) STRICT;
INSERT INTO memos_v8 (memo_id, target_kind, target_id, rater_id, text, created_at)
    SELECT memo_id, target_kind, target_id, rater_id, text, created_at FROM memos;
DROP TABLE memos;
ALTER TABLE memos_v8 RENAME TO memos;
CREATE INDEX memos_by_target ON memos(target_kind, target_id);
";

/// Version 7: corrections proposed from rater files. A rater cannot correct the lead's transcript in
/// a rater file; they propose the corrected text, which merging brings to the lead, who reviews it
/// as a correction and accepts or rejects it (as proposed codebook changes are).
const MIGRATION_7: &str = r"
CREATE TABLE correction_proposals (
    proposal_id   TEXT PRIMARY KEY,
    transcript_id TEXT NOT NULL REFERENCES transcripts(transcript_id),
    rater_id      TEXT REFERENCES raters(rater_id),
    -- The hash of the text the proposal corrects.
    from_sha256   TEXT NOT NULL,
    note          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
    decided_at    TEXT,
    decision_note TEXT,
    -- Last, so that reading the other columns never walks the text's overflow pages.
    text          TEXT NOT NULL
) STRICT;
";

/// Version 6: transcripts corrected after coding. A transcript's text has a version (1 at import);
/// a correction keeps the text it replaces, with its hash and the changes to the next version, so
/// that undo and rater files issued on it can be carried to the current text; a coding whose every
/// word a correction deleted is kept as removed, with the words it covered.
const MIGRATION_6: &str = r"
ALTER TABLE transcripts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE TABLE transcript_versions (
    transcript_id TEXT NOT NULL REFERENCES transcripts(transcript_id),
    version       INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    len_chars     INTEGER NOT NULL,
    -- JSON list of the splices that made the next version of it.
    splices       TEXT NOT NULL,
    replaced_at   TEXT NOT NULL,
    replaced_by   TEXT REFERENCES raters(rater_id),
    -- Last, so that reading the other columns never walks the text's overflow pages.
    text          TEXT NOT NULL,
    PRIMARY KEY (transcript_id, version)
) STRICT;
CREATE INDEX transcript_versions_by_hash ON transcript_versions(sha256);
CREATE TABLE coding_losses (
    coding_id  TEXT PRIMARY KEY REFERENCES codings(coding_id),
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    quote      TEXT NOT NULL,
    lost_at    TEXT NOT NULL
) STRICT;
";

/// Version 5: a round's stopping rule ("every code's kappa lower bound at least 0.70"), kept with
/// the round; `accord rounds` reports each code against it.
const MIGRATION_5: &str = r"
CREATE TABLE round_rules (
    round_id    TEXT PRIMARY KEY REFERENCES rounds(round_id),
    statistic   TEXT NOT NULL CHECK (statistic IN ('kappa', 'alpha', 'percent', 'ac1')),
    lower_bound REAL NOT NULL CHECK (lower_bound >= -1 AND lower_bound <= 1),
    set_at      TEXT NOT NULL
) STRICT;
";

/// Version 4: undo and redo that outlive the session. Each undoable change keeps, in the same
/// transaction as the change, how to undo and redo it (JSON of `app::Command` lists); `done` says
/// whether it is in effect. Undone steps are dropped when a new change is made, as in any editor.
const MIGRATION_4: &str = r"
CREATE TABLE steps (
    step_id INTEGER PRIMARY KEY AUTOINCREMENT,
    label   TEXT NOT NULL,
    undo    TEXT NOT NULL,
    redo    TEXT NOT NULL,
    done    INTEGER NOT NULL CHECK (done IN (0, 1)),
    at      TEXT NOT NULL
) STRICT;
";

/// Version 3: the team workflow. A rater can be a second pass of another (the same person coding
/// again, for intra-rater agreement); raters propose codebook changes that the lead accepts or
/// rejects; the lead settles disagreements into the consensus layer (each decision kept, with its
/// note); reliability rounds keep each code's agreement per round and codebook version. A rater file
/// is an ordinary project whose `project` table names its origin (`rater_file.*` keys).
const MIGRATION_3: &str = r"
ALTER TABLE raters ADD COLUMN pass_of TEXT REFERENCES raters(rater_id);

CREATE TABLE proposals (
    proposal_id   TEXT PRIMARY KEY,
    rater_id      TEXT REFERENCES raters(rater_id),
    base_version  INTEGER NOT NULL,
    code_id       TEXT NOT NULL,
    -- The code as proposed, every field (JSON of model::Code); a new code has a new id.
    proposed      TEXT NOT NULL,
    note          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
    decided_at    TEXT,
    decision_note TEXT
) STRICT;

CREATE TABLE adjudications (
    adjudication_id TEXT PRIMARY KEY,
    transcript_id   TEXT NOT NULL REFERENCES transcripts(transcript_id),
    code_id         TEXT NOT NULL REFERENCES codes(code_id),
    -- The extent of the disagreement (all compared raters' codings there), in chars.
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    -- The raters compared (JSON list of ids), and each one's spans there (JSON).
    raters          TEXT NOT NULL,
    rater_spans     TEXT NOT NULL,
    decision        TEXT NOT NULL,
    chosen_rater    TEXT REFERENCES raters(rater_id),
    note            TEXT NOT NULL,
    consensus_rater TEXT NOT NULL REFERENCES raters(rater_id),
    -- The consensus codings the decision added (JSON list of ids).
    codings         TEXT NOT NULL,
    decided_at      TEXT NOT NULL,
    -- Set when the decision is undone; its codings are removed with it.
    withdrawn_at    TEXT,
    CHECK (0 <= start_char AND start_char < end_char)
) STRICT;

CREATE INDEX adjudications_by_place ON adjudications(transcript_id, code_id);

CREATE TABLE rounds (
    round_id         TEXT PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    codebook_version INTEGER NOT NULL REFERENCES codebook_versions(version),
    unit             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    computed_at      TEXT
) STRICT;

CREATE TABLE round_transcripts (
    round_id      TEXT NOT NULL REFERENCES rounds(round_id),
    transcript_id TEXT NOT NULL REFERENCES transcripts(transcript_id),
    PRIMARY KEY (round_id, transcript_id)
) STRICT;

CREATE TABLE round_raters (
    round_id TEXT NOT NULL REFERENCES rounds(round_id),
    rater_id TEXT NOT NULL REFERENCES raters(rater_id),
    PRIMARY KEY (round_id, rater_id)
) STRICT;

CREATE TABLE round_results (
    round_id TEXT NOT NULL REFERENCES rounds(round_id),
    code_id  TEXT NOT NULL REFERENCES codes(code_id),
    -- The code's row of the agreement report (JSON of app::rounds::RoundResult).
    result   TEXT NOT NULL,
    PRIMARY KEY (round_id, code_id)
) STRICT;
";

/// Version 2: codes can be retired (deleted from the codebook, or merged into another code) without
/// losing the rows that old codings and codebook versions point at.
const MIGRATION_2: &str = r"
ALTER TABLE codes ADD COLUMN retired_at TEXT;
";

const MIGRATION_1: &str = r"
CREATE TABLE project (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE cases (
    case_id    TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE case_attributes (
    case_id TEXT NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (case_id, name)
) STRICT;

CREATE TABLE transcripts (
    transcript_id TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    case_id       TEXT REFERENCES cases(case_id),
    source_file   TEXT NOT NULL,
    format        TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    len_chars     INTEGER NOT NULL CHECK (len_chars >= 0),
    imported_at   TEXT NOT NULL,
    -- Set when the transcript is removed; its codings stay, untouched, with it.
    removed_at    TEXT,
    -- Last, so that reading the other columns never walks the text's overflow pages.
    text          TEXT NOT NULL
) STRICT;

CREATE INDEX transcripts_by_sha256 ON transcripts(sha256);
CREATE UNIQUE INDEX transcripts_live_names ON transcripts(name) WHERE removed_at IS NULL;

CREATE TRIGGER transcripts_text_frozen BEFORE UPDATE OF text, sha256, len_chars ON transcripts
BEGIN
    SELECT RAISE(ABORT, 'a transcript''s text is frozen once imported');
END;

CREATE TABLE turns (
    turn_id       TEXT PRIMARY KEY,
    transcript_id TEXT NOT NULL REFERENCES transcripts(transcript_id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    start_char    INTEGER NOT NULL,
    end_char      INTEGER NOT NULL,
    content_start INTEGER NOT NULL,
    speaker       TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('interviewer', 'participant', 'other')),
    start_ms      INTEGER,
    end_ms        INTEGER,
    UNIQUE (transcript_id, idx),
    CHECK (0 <= start_char AND start_char <= content_start AND content_start <= end_char)
) STRICT;

CREATE TABLE codebook (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE codebook_versions (
    version    INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    note       TEXT NOT NULL,
    snapshot   TEXT NOT NULL
) STRICT;

CREATE TABLE codes (
    code_id          TEXT PRIMARY KEY,
    parent_id        TEXT REFERENCES codes(code_id),
    name             TEXT NOT NULL CHECK (length(trim(name)) > 0),
    colour           TEXT NOT NULL,
    short_definition TEXT NOT NULL DEFAULT '',
    definition       TEXT NOT NULL DEFAULT '',
    when_to_use      TEXT NOT NULL DEFAULT '',
    when_not_to_use  TEXT NOT NULL DEFAULT '',
    example          TEXT NOT NULL DEFAULT '',
    position         INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE raters (
    rater_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    kind       TEXT NOT NULL CHECK (kind IN ('human', 'consensus')),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE codings (
    coding_id        TEXT PRIMARY KEY,
    transcript_id    TEXT NOT NULL REFERENCES transcripts(transcript_id),
    code_id          TEXT NOT NULL REFERENCES codes(code_id),
    rater_id         TEXT NOT NULL REFERENCES raters(rater_id),
    start_char       INTEGER NOT NULL,
    end_char         INTEGER NOT NULL,
    codebook_version INTEGER NOT NULL REFERENCES codebook_versions(version),
    created_at       TEXT NOT NULL,
    CHECK (0 <= start_char AND start_char < end_char)
) STRICT;

CREATE INDEX codings_by_transcript ON codings(transcript_id, code_id, rater_id);

CREATE TRIGGER codings_never_rewritten BEFORE UPDATE ON codings
BEGIN
    SELECT RAISE(ABORT, 'codings are never rewritten; remove and add instead');
END;

CREATE TABLE coding_removals (
    coding_id  TEXT PRIMARY KEY REFERENCES codings(coding_id),
    removed_at TEXT NOT NULL,
    removed_by TEXT REFERENCES raters(rater_id)
) STRICT;

CREATE TABLE memos (
    memo_id     TEXT PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('project', 'transcript', 'code', 'coding')),
    target_id   TEXT,
    rater_id    TEXT REFERENCES raters(rater_id),
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT,
    detail    TEXT NOT NULL
) STRICT;
";

impl Store {
    /// Takes the schema up to [`SCHEMA_VERSION`], one migration per transaction; refuses a newer
    /// schema, and tables at version 0, changing nothing.
    pub(super) fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone().unwrap_or_default();
        let version_of = |conn: &Connection| {
            conn.pragma_query_value(None, "user_version", |r| r.get::<_, i32>(0))
        };
        loop {
            let version = version_of(&self.conn)?;
            if version > SCHEMA_VERSION {
                return Err(StoreError::NewerVersion {
                    path,
                    found: version,
                    supported: SCHEMA_VERSION,
                });
            }
            if version == SCHEMA_VERSION {
                return Ok(());
            }
            // Each step under the write lock, the version read again under it: another process
            // opening the same project may have taken the step meanwhile. (Not through `write`
            // and without an audit record: a migration changes the schema, not the project's
            // data, and the schema version says which steps were taken.)
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let version = version_of(&tx)?;
            if version >= SCHEMA_VERSION {
                continue;
            }
            if version == 0 {
                let tables: i64 = tx.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                    [],
                    |r| r.get(0),
                )?;
                if tables > 0 {
                    return Err(StoreError::BadSchema {
                        path,
                        detail: format!("schema version 0 with {tables} tables present"),
                    });
                }
            }
            let Some(sql) = MIGRATIONS.get(version.max(0) as usize) else {
                return Ok(());
            };
            tx.execute_batch(sql).map_err(|e| StoreError::BadSchema {
                path: path.clone(),
                detail: format!(
                    "updating it from schema version {version} failed: {}",
                    sqlite_message(&e)
                ),
            })?;
            tx.pragma_update(None, "user_version", version + 1)?;
            tx.commit()?;
        }
    }
}
