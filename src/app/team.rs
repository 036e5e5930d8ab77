//! The team workflow across machines: issuing a rater file to each rater, and merging their work
//! back. A rater file is written beside its final name and renamed into place only when complete; a
//! merge takes a backup of the project first, and merges each file in one transaction of its own, so
//! one refused file does not stop the others.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::export::Staging;
use super::{AppError, Command, Result};
use super::{MemoCommand, TeamCommand};
use crate::model::{Code, CodingId, Edit, ProposalId, Rater, RaterId, TranscriptId};
use crate::store::api::{RatersWrites, TeamWrites};
use crate::store::{MergeDetail, MergeReport, RaterFileSpec, Store};

/// What issuing a rater file did.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    /// The file written.
    pub path: PathBuf,
    /// The rater it is for (a new second-pass rater when one was asked for).
    pub rater: String,
    /// How many transcripts it holds.
    pub transcripts: usize,
    /// The codebook version it was issued with.
    pub codebook_version: i64,
}

impl std::fmt::Display for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "wrote {} for {}: {} transcripts, codebook version {}; only {}'s own codings are in it",
            self.path.display(),
            self.rater,
            self.transcripts,
            self.codebook_version,
            self.rater
        )
    }
}

/// Writes a rater file for `rater` holding `transcripts` at `out` (refused if `out` exists). With
/// `second_pass`, the file is for a new rater who is that person's second pass (intra-rater
/// agreement), blind to their first.
pub(super) fn issue_rater_file(
    store: &mut Store,
    rater: &Rater,
    transcripts: &[TranscriptId],
    out: &Path,
    round: Option<&str>,
    second_pass: bool,
) -> Result<Issued> {
    if store.rater_file_info()?.is_some() {
        return Err(AppError::Invalid(
            "this is a rater file; rater files are issued from the lead's project".into(),
        ));
    }
    if out.exists() {
        return Err(AppError::Invalid(format!(
            "{}: a file already exists there; choose another name or remove it first",
            out.display()
        )));
    }
    if transcripts.is_empty() {
        return Err(AppError::Invalid(
            "a rater file needs at least one transcript".into(),
        ));
    }
    let rater = if second_pass {
        let name = next_pass_name(store, rater)?;
        store.add_second_pass(rater.rater_id, &name)?
    } else {
        rater.clone()
    };
    let staging = Staging::beside(out).map_err(|e| AppError::Invalid(e.to_string()))?;
    let name = format!("{} (rater file for {})", store.project_name()?, rater.name);
    let spec = RaterFileSpec {
        rater_id: rater.rater_id,
        transcripts: transcripts.to_vec(),
        round: round.map(str::to_string),
    };
    // Built in a private folder with a random name (no planted symlink is followed), moved into
    // place only when complete and never over a file; the folder goes with anything left in it.
    store.write_rater_file(staging.path(), &name, &spec)?;
    staging
        .finish(out)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(Issued {
        path: out.to_path_buf(),
        rater: rater.name,
        transcripts: transcripts.len(),
        codebook_version: store.codebook_version()?,
    })
}

/// "Ana (pass 2)", or the next free pass number.
fn next_pass_name(store: &Store, rater: &Rater) -> Result<String> {
    let names: Vec<String> = store.raters()?.into_iter().map(|r| r.name).collect();
    Ok((2..=names.len() + 2)
        .map(|n| format!("{} (pass {n})", rater.name))
        .find(|n| !names.contains(n))
        .unwrap_or_else(|| format!("{} (another pass)", rater.name)))
}

/// The outcome of merging one rater file.
#[derive(Debug, Clone, Serialize)]
pub struct MergeOutcome {
    /// The file.
    pub file: PathBuf,
    /// What it brought in, or why it was refused.
    pub result: std::result::Result<MergeReport, String>,
}

impl MergeOutcome {
    /// One line on what the merge of this file did (or why it was refused), as people read it.
    #[must_use]
    pub fn summary(&self) -> String {
        let file = self.file.display();
        let line = match &self.result {
            Ok(r) if r.is_empty() => format!(
                "{file}: {} — nothing new ({} codings already here)",
                r.rater, r.already
            ),
            Ok(r)
                if r.restored > 0
                    && r.codings + r.removals + r.memos + r.proposals + r.corrections == 0 =>
            {
                format!(
                    "{file}: {} — {} restored (they had been undone or removed); {} already here",
                    r.rater,
                    counted(r.restored, "coding"),
                    r.already
                )
            }
            Ok(r) => format!(
                "{file}: {} — {}, {}, {}, {}{} merged{} ({} already here{})",
                r.rater,
                counted(r.codings, "coding"),
                counted(r.removals, "removal"),
                counted(r.memos, "memo"),
                counted(r.proposals, "proposal"),
                if r.corrections > 0 {
                    format!(", {}", counted(r.corrections, "proposed correction"))
                } else {
                    String::new()
                },
                if r.restored > 0 {
                    format!(
                        "; {} restored (they had been undone or removed)",
                        counted(r.restored, "coding")
                    )
                } else {
                    String::new()
                },
                r.already,
                if r.foreign > 0 {
                    format!(
                        "; {} codings by others in the file were left out",
                        r.foreign
                    )
                } else {
                    String::new()
                }
            ),
            Err(e) => format!("{file}: refused: {e}"),
        };
        let mut out = line;
        if let Ok(r) = &self.result {
            if !r.carried.is_empty() {
                let _ = write!(
                    out,
                    "\n  carried through the corrections made here since the file was issued: {}",
                    r.carried.join(", ")
                );
            }
            for lost in &r.lost {
                let _ = write!(
                    out,
                    "\n  lost (a correction deleted its words; kept as removed, with them): \"{}\"",
                    lost.quote.chars().take(80).collect::<String>()
                );
            }
        }
        out
    }
}

/// "1 coding", "2 codings".
fn counted(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Merges rater files into the project, each in its own transaction, after one backup of the
/// project (taken once a file passes its checks). A refused file changes nothing and the others are
/// still merged.
pub(super) fn merge_rater_files(
    store: &mut Store,
    files: &[PathBuf],
) -> Result<(Option<PathBuf>, Vec<MergeOutcome>)> {
    if store.rater_file_info()?.is_some() {
        return Err(AppError::Invalid(
            "this is a rater file; merge rater files into the lead's project".into(),
        ));
    }
    // The backup is taken before the first file that passes the checks: a refused file takes none
    // (so retrying a bad file never rotates good backups out).
    let mut backup = Backup::default();
    let mut outcomes = Vec::with_capacity(files.len());
    for file in files {
        let result = merge_one(store, file, &mut backup).map_err(|e| e.to_string());
        outcomes.push(MergeOutcome {
            file: file.clone(),
            result,
        });
    }
    Ok((backup.path, outcomes))
}

/// The one backup of a merge, once taken.
#[derive(Default)]
struct Backup {
    taken: bool,
    path: Option<PathBuf>,
}

/// Merges one file and keeps its undo step, in one transaction, after the one backup of the merge
/// (taken once the file passed its checks, unless it was taken already).
fn merge_one(store: &mut Store, file: &Path, backup: &mut Backup) -> Result<MergeReport> {
    let mut work = Store::open_read_only(file, store.passphrase())?.rater_work()?;
    carry_through_corrections(store, &mut work)?;
    let name = file.display().to_string();
    store.check_rater_work(&work, &name)?;
    if !backup.taken {
        backup.path = store.backup("before-merge")?;
        backup.taken = true;
    }
    store.atomic(|store| -> Result<MergeReport> {
        let report = store.merge_rater_work(&work, &name)?;
        let (undo, redo) = merge_inverse(&report.detail);
        let label = format!("Merge {}'s work ({name})", report.rater);
        super::workspace::push_step(store, &label, &undo, &redo)?;
        Ok(report)
    })
}

/// A file issued before corrections here: each corrected transcript's codings carried through every
/// correction since the file's text (the chain of kept versions), so they cover the same words in
/// the text as it is now; a coding whose words were all deleted comes in removed, its words kept.
/// A transcript whose text this project never had is left for the checks to refuse.
fn carry_through_corrections(store: &Store, work: &mut crate::store::RaterWork) -> Result<()> {
    use crate::model::LostCoding;
    use crate::model::anchors::PositionMap;
    let now = crate::model::now_rfc3339();
    for (id, name, sha) in &mut work.transcripts {
        let Ok(current) = store.transcript(*id) else {
            continue;
        };
        if current.sha256 == *sha {
            continue;
        }
        let Some((old_text, chain)) = store.versions_since(*id, sha)? else {
            continue;
        };
        let maps = chain
            .iter()
            .map(|(len, splices)| PositionMap::from_splices(*len, splices))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| AppError::Invalid(format!("{name}: the kept corrections: {e}")))?;
        let old_index = super::resolve::CharIndex::new(&old_text);
        for c in work.codings.iter_mut().filter(|c| c.transcript_id == *id) {
            let old = c.span;
            let carried = maps
                .iter()
                .try_fold(old, |span, map| map.carry(span).span());
            if let Some(span) = carried {
                c.span = span;
                continue;
            }
            // Where its words were (the coding comes in removed).
            let at = maps.iter().fold(old.start, |p, map| map.start(p));
            c.span = super::correct::lost_place(at, current.len_chars);
            if c.removed_at.is_none() {
                c.removed_at = Some(now.clone());
                work.lost.push(LostCoding {
                    coding_id: c.coding_id,
                    span: old,
                    quote: old_index.slice(&old_text, old.start, old.end).to_string(),
                });
            }
        }
        work.carried.push(name.clone());
        sha.clone_from(&current.sha256);
    }
    Ok(())
}

/// How to undo a merge (its codings removed, its removals taken back, its memos and proposals
/// deleted) and redo it (the very same codings, memos and proposals back).
fn merge_inverse(detail: &MergeDetail) -> (Vec<Command>, Vec<Command>) {
    if detail == &MergeDetail::default() {
        return (Vec::new(), Vec::new());
    }
    let edit = |remove: &[CodingId], restore: &[CodingId], action: &str| {
        Command::Edit(Box::new(Edit {
            remove: remove.to_vec(),
            restore: restore.to_vec(),
            action: action.into(),
            ..Edit::default()
        }))
    };
    let brought: Vec<CodingId> = detail
        .added
        .iter()
        .chain(&detail.restored)
        .copied()
        .collect();
    let mut undo = vec![edit(&brought, &detail.removed, "undo merge")];
    let mut redo = vec![edit(&detail.removed, &brought, "redo merge")];
    undo.extend(
        detail
            .memos
            .iter()
            .map(|m| Command::Memos(MemoCommand::Delete(m.memo_id))),
    );
    redo.extend(
        detail
            .memos
            .iter()
            .map(|m| Command::Memos(MemoCommand::Restore(Box::new(m.clone())))),
    );
    undo.extend(
        detail
            .proposals
            .iter()
            .map(|p| Command::Team(TeamCommand::DeleteProposal(p.proposal_id))),
    );
    redo.extend(
        detail
            .proposals
            .iter()
            .map(|p| Command::Team(TeamCommand::RestoreProposal(Box::new(p.clone())))),
    );
    undo.extend(
        detail
            .corrections
            .iter()
            .map(|p| Command::Team(TeamCommand::DeleteCorrectionProposal(p.proposal_id))),
    );
    redo.extend(
        detail
            .corrections
            .iter()
            .map(|p| Command::Team(TeamCommand::RestoreCorrectionProposal(Box::new(p.clone())))),
    );
    (undo, redo)
}

/// The raters of a project that are second passes, with whose pass each is.
pub fn second_passes(store: &Store) -> Result<Vec<(RaterId, RaterId)>> {
    let mut out = Vec::new();
    for rater in store.raters()? {
        if let Some(first) = store.pass_of(rater.rater_id)? {
            out.push((rater.rater_id, first));
        }
    }
    Ok(out)
}

/// The fields a proposal changes, as (field, now, proposed); for a new code, its filled fields.
#[must_use]
pub fn proposal_changes(
    current: Option<&Code>,
    proposed: &Code,
) -> Vec<(&'static str, String, String)> {
    let empty = Code {
        name: String::new(),
        ..proposed.clone()
    };
    let now = current.unwrap_or(&empty);
    [
        ("name", &now.name, &proposed.name),
        (
            "short definition",
            &now.short_definition,
            &proposed.short_definition,
        ),
        ("definition", &now.definition, &proposed.definition),
        ("when to use", &now.when_to_use, &proposed.when_to_use),
        (
            "when not to use",
            &now.when_not_to_use,
            &proposed.when_not_to_use,
        ),
        ("example", &now.example, &proposed.example),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b || current.is_none() && !b.is_empty())
    .map(|(f, a, b)| {
        (
            f,
            if current.is_some() {
                a.clone()
            } else {
                String::new()
            },
            b.clone(),
        )
    })
    .collect()
}

/// A proposal as people read it: who, against which version, and what it changes.
#[derive(Debug, Clone)]
pub struct ProposalRow {
    /// Its id.
    pub id: ProposalId,
    /// open, accepted or rejected.
    pub status: String,
    /// The code's name as proposed.
    pub name: String,
    /// Whether it proposes a new code.
    pub new_code: bool,
    /// Who proposed it.
    pub who: String,
    /// The codebook version it was proposed against.
    pub base_version: i64,
    /// The fields it changes: (field, now, proposed).
    pub changes: Vec<(&'static str, String, String)>,
    /// The proposer's note.
    pub note: String,
    /// The lead's note on deciding.
    pub decision_note: Option<String>,
}

/// The project's proposals as people read them, open ones first (`accord proposals list` and the
/// window's Team view).
pub fn proposal_rows(store: &Store) -> Result<Vec<ProposalRow>> {
    let book = store.codebook()?;
    let raters = store.raters()?;
    let mut list = store.proposals()?;
    list.sort_by_key(|p| p.status != "open");
    Ok(list
        .into_iter()
        .map(|p| {
            let current = book.get(p.proposed.code_id);
            ProposalRow {
                id: p.proposal_id,
                status: p.status.clone(),
                name: p.proposed.name.clone(),
                new_code: current.is_none(),
                who: p
                    .rater_id
                    .and_then(|id| raters.iter().find(|r| r.rater_id == id))
                    .map_or_else(|| "-".to_string(), |r| r.name.clone()),
                base_version: p.base_version,
                changes: proposal_changes(current, &p.proposed),
                note: p.note,
                decision_note: p.decision_note,
            }
        })
        .collect())
}
