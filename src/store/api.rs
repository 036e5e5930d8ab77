//! The store's interface, by concept: what the application layer reads and writes, in model
//! values, so that a second backend (a `PostgreSQL` team store is planned) can stand behind it.
//! Each concept has a trait of reads (public: the application's functions take `&impl Codings`
//! and the like) and a trait of writes (`pub(crate)`: only the application layer changes a
//! project, through its commands). The SQLite [`Store`] implements every one of them with its
//! own methods; whole-file operations (opening, backups, restore, encryption, erasing and purging)
//! stay on `Store` itself.
//!
//! A backend's writes keep the store's promise: each is one transaction with its audit record.

use std::collections::BTreeMap;

use super::{AuditEntry, MergeReport, RaterWork, Result, StepRecord, Store};
use crate::model::{
    Adjudication, AdjudicationId, AttributeReport, Case, CaseId, CodeId, Codebook, CodebookChange,
    Coding, CodingFilter, CodingId, Edit, EditReport, Erasure, Memo, MemoId, MemoTarget, NewCoding,
    ProjectId, Proposal, ProposalId, Rater, RaterFileInfo, RaterId, RaterKind, Round, RoundId,
    RoundRule, Transcript, TranscriptId, TranscriptSummary, Turn,
};

/// The project: its identity and its settings. Reads.
pub trait Projects {
    /// The project's stable id.
    fn project_id(&self) -> Result<ProjectId>;
    /// The project's name.
    fn project_name(&self) -> Result<String>;
    /// A project setting, if set.
    fn setting(&self, key: &str) -> Result<Option<String>>;
    /// Whether blind mode is on for the project.
    fn blind_mode(&self) -> Result<bool>;
    /// The pseudonym a name (by its hash) already has in this project, if any.
    fn pseudonym_of_hash(&self, hash: &str) -> Result<Option<String>>;
}

impl Projects for Store {
    fn project_id(&self) -> Result<ProjectId> {
        Store::project_id(self)
    }
    fn project_name(&self) -> Result<String> {
        Store::project_name(self)
    }
    fn setting(&self, key: &str) -> Result<Option<String>> {
        Store::setting(self, key)
    }
    fn blind_mode(&self) -> Result<bool> {
        Store::blind_mode(self)
    }
    fn pseudonym_of_hash(&self, hash: &str) -> Result<Option<String>> {
        Store::pseudonym_of_hash(self, hash)
    }
}

/// The project: its identity and its settings.
///
/// Writes: each one transaction with its audit record; visible to the application layer only
/// (through `app`'s commands).
pub(crate) trait ProjectsWrites: Projects {
    /// Sets (or with `None` clears) a project setting.
    fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<()>;
    /// The salt of this project's name hashes (made on first use).
    fn pseudonym_salt(&mut self) -> Result<String>;
}

impl ProjectsWrites for Store {
    fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        Store::set_setting(self, key, value)
    }
    fn pseudonym_salt(&mut self) -> Result<String> {
        Store::pseudonym_salt(self)
    }
}

/// Transcripts, their turns, and the cases they belong to. Reads.
pub trait Transcripts {
    /// All transcripts, by name.
    fn transcripts(&self) -> Result<Vec<TranscriptSummary>>;
    /// Finds a transcript by id or by name.
    fn find_transcript(&self, reference: &str) -> Result<TranscriptSummary>;
    /// A whole transcript: text and turns.
    fn transcript(&self, transcript_id: TranscriptId) -> Result<Transcript>;
    /// A whole transcript, removed or not.
    fn transcript_even_removed(&self, transcript_id: TranscriptId) -> Result<Transcript>;
    /// The ids of removed transcripts (their text is still in the file until they are erased).
    fn removed_transcript_ids(&self) -> Result<Vec<TranscriptId>>;
    /// Every transcript's id, removed ones too (their text is still in the file).
    fn all_transcript_ids(&self) -> Result<Vec<TranscriptId>>;
    /// The turns of a transcript, in order.
    fn turns(&self, transcript_id: TranscriptId) -> Result<Vec<Turn>>;
    /// The names of these transcripts (removed ones too), in the order given.
    fn transcript_names(&self, ids: &[TranscriptId]) -> Result<Vec<String>>;
    /// What erasing these transcripts would take away; changes nothing.
    fn erasure(&self, ids: &[TranscriptId]) -> Result<Erasure>;
    /// All cases with their attributes, by name.
    fn cases(&self) -> Result<Vec<Case>>;
}

impl Transcripts for Store {
    fn transcripts(&self) -> Result<Vec<TranscriptSummary>> {
        Store::transcripts(self)
    }
    fn find_transcript(&self, reference: &str) -> Result<TranscriptSummary> {
        Store::find_transcript(self, reference)
    }
    fn transcript(&self, transcript_id: TranscriptId) -> Result<Transcript> {
        Store::transcript(self, transcript_id)
    }
    fn transcript_even_removed(&self, transcript_id: TranscriptId) -> Result<Transcript> {
        Store::transcript_even_removed(self, transcript_id)
    }
    fn removed_transcript_ids(&self) -> Result<Vec<TranscriptId>> {
        Store::removed_transcript_ids(self)
    }
    fn all_transcript_ids(&self) -> Result<Vec<TranscriptId>> {
        Store::all_transcript_ids(self)
    }
    fn turns(&self, transcript_id: TranscriptId) -> Result<Vec<Turn>> {
        Store::turns(self, transcript_id)
    }
    fn transcript_names(&self, ids: &[TranscriptId]) -> Result<Vec<String>> {
        Store::transcript_names(self, ids)
    }
    fn erasure(&self, ids: &[TranscriptId]) -> Result<Erasure> {
        Store::erasure(self, ids)
    }
    fn cases(&self) -> Result<Vec<Case>> {
        Store::cases(self)
    }
}

/// Transcripts, their turns, and the cases they belong to.
///
/// Writes: each one transaction with its audit record; visible to the application layer only
/// (through `app`'s commands).
pub(crate) trait TranscriptsWrites: Transcripts {
    /// Stores an imported transcript with its turns; creates its case when `case_name` is new.
    /// Refuses a name already used, and reports the transcript already holding the same text.
    fn insert_transcript(&mut self, transcript: &Transcript, case_name: Option<&str>)
    -> Result<()>;
    /// Removes a transcript from the project's view (its text and codings stay in the file, untouched;
    /// nothing is rewritten). Returns its name.
    fn remove_transcript(&mut self, transcript_id: TranscriptId) -> Result<String>;
    /// Brings back a removed transcript (refused if another live transcript took its name).
    fn restore_transcript(&mut self, transcript_id: TranscriptId) -> Result<()>;
    /// Adds a case with a given id (from a REFI-QDA file). A case already stored with that id and
    /// name is left as it is; a case of that name with another id, or that id with another name, is
    /// refused.
    fn insert_case(&mut self, case_id: CaseId, name: &str) -> Result<()>;
    /// Sets case attributes from rows of (case name, attribute map), in one transaction. Rows naming
    /// no case are skipped and reported, unless `create_missing` creates those cases.
    fn set_attributes(
        &mut self,
        rows: &[(String, BTreeMap<String, String>)],
        create_missing: bool,
    ) -> Result<AttributeReport>;
    /// Makes the named cases' attributes exactly these (the reverse of setting some), in one
    /// transaction; names of cases that no longer exist are skipped.
    fn replace_attributes(&mut self, rows: &[(String, BTreeMap<String, String>)]) -> Result<()>;
    /// Removes cases that no transcript belongs to (the reverse of creating them from attributes).
    fn remove_empty_cases(&mut self, names: &[String]) -> Result<()>;
}

impl TranscriptsWrites for Store {
    fn insert_transcript(
        &mut self,
        transcript: &Transcript,
        case_name: Option<&str>,
    ) -> Result<()> {
        Store::insert_transcript(self, transcript, case_name)
    }
    fn remove_transcript(&mut self, transcript_id: TranscriptId) -> Result<String> {
        Store::remove_transcript(self, transcript_id)
    }
    fn restore_transcript(&mut self, transcript_id: TranscriptId) -> Result<()> {
        Store::restore_transcript(self, transcript_id)
    }
    fn insert_case(&mut self, case_id: CaseId, name: &str) -> Result<()> {
        Store::insert_case(self, case_id, name)
    }
    fn set_attributes(
        &mut self,
        rows: &[(String, BTreeMap<String, String>)],
        create_missing: bool,
    ) -> Result<AttributeReport> {
        Store::set_attributes(self, rows, create_missing)
    }
    fn replace_attributes(&mut self, rows: &[(String, BTreeMap<String, String>)]) -> Result<()> {
        Store::replace_attributes(self, rows)
    }
    fn remove_empty_cases(&mut self, names: &[String]) -> Result<()> {
        Store::remove_empty_cases(self, names)
    }
}

/// Codings (and the adjudications that settle disagreements between them). Reads.
pub trait Codings {
    /// Codings matching a filter, ordered by transcript, start, end, code, rater.
    fn codings(&self, filter: &CodingFilter) -> Result<Vec<Coding>>;
    /// Which of these codings are stored but removed (tombstoned), in the order given.
    fn removed_among(&self, ids: &[CodingId]) -> Result<Vec<CodingId>>;
    /// Adjudication records (withdrawn ones too), by transcript, code and position; only those of
    /// one code when given.
    fn adjudications(&self, code: Option<CodeId>) -> Result<Vec<Adjudication>>;
}

impl Codings for Store {
    fn codings(&self, filter: &CodingFilter) -> Result<Vec<Coding>> {
        Store::codings(self, filter)
    }
    fn removed_among(&self, ids: &[CodingId]) -> Result<Vec<CodingId>> {
        Store::removed_among(self, ids)
    }
    fn adjudications(&self, code: Option<CodeId>) -> Result<Vec<Adjudication>> {
        Store::adjudications(self, code)
    }
}

/// Codings (and the adjudications that settle disagreements between them).
///
/// Writes: each one transaction with its audit record; visible to the application layer only
/// (through `app`'s commands).
pub(crate) trait CodingsWrites: Codings {
    /// Adds codings in one transaction, after checking every span against its transcript and every
    /// code and rater. A coding whose id is already stored is skipped (so importing twice is harmless).
    /// Returns the ids actually added.
    fn add_codings(&mut self, codings: &[NewCoding], action: &str) -> Result<Vec<CodingId>>;
    /// Removes codings (writes tombstones) in one transaction; already removed ones are skipped.
    /// Returns how many were removed.
    fn remove_codings(&mut self, ids: &[CodingId], by: Option<RaterId>) -> Result<usize>;
    /// Applies an edit in one transaction (see [`Edit`]).
    fn edit(&mut self, edit: &Edit) -> Result<EditReport>;
    /// Settles a disagreement: adds the consensus codings and the record, in one transaction. The
    /// codings must belong to the record's consensus rater, transcript and code.
    fn settle(&mut self, record: &Adjudication, codings: &[NewCoding]) -> Result<()>;
    /// Withdraws a decision (its codings are removed); `reinstate` reverses it.
    fn withdraw_adjudication(&mut self, id: AdjudicationId) -> Result<()>;
    /// Reinstates a withdrawn decision with its very same codings.
    fn reinstate_adjudication(&mut self, id: AdjudicationId) -> Result<()>;
}

impl CodingsWrites for Store {
    fn add_codings(&mut self, codings: &[NewCoding], action: &str) -> Result<Vec<CodingId>> {
        Store::add_codings(self, codings, action)
    }
    fn remove_codings(&mut self, ids: &[CodingId], by: Option<RaterId>) -> Result<usize> {
        Store::remove_codings(self, ids, by)
    }
    fn edit(&mut self, edit: &Edit) -> Result<EditReport> {
        Store::edit(self, edit)
    }
    fn settle(&mut self, record: &Adjudication, codings: &[NewCoding]) -> Result<()> {
        Store::settle(self, record, codings)
    }
    fn withdraw_adjudication(&mut self, id: AdjudicationId) -> Result<()> {
        Store::withdraw_adjudication(self, id)
    }
    fn reinstate_adjudication(&mut self, id: AdjudicationId) -> Result<()> {
        Store::reinstate_adjudication(self, id)
    }
}

/// The codebook, its versions, and proposed changes to it. Reads.
pub trait Codebooks {
    /// The project's codebook.
    fn codebook(&self) -> Result<Codebook>;
    /// The newest codebook version (0 when the project has no codebook yet).
    fn codebook_version(&self) -> Result<i64>;
    /// The codebook as it was at `version`.
    fn codebook_at(&self, version: i64) -> Result<Codebook>;
    /// Every proposal, oldest first.
    fn proposals(&self) -> Result<Vec<Proposal>>;
    /// Whether the proposals table holds this id (for undo).
    fn proposal_exists(&self, id: ProposalId) -> Result<bool>;
}

impl Codebooks for Store {
    fn codebook(&self) -> Result<Codebook> {
        Store::codebook(self)
    }
    fn codebook_version(&self) -> Result<i64> {
        Store::codebook_version(self)
    }
    fn codebook_at(&self, version: i64) -> Result<Codebook> {
        Store::codebook_at(self, version)
    }
    fn proposals(&self) -> Result<Vec<Proposal>> {
        Store::proposals(self)
    }
    fn proposal_exists(&self, id: ProposalId) -> Result<bool> {
        Store::proposal_exists(self, id)
    }
}

/// The codebook, its versions, and proposed changes to it.
///
/// Writes: each one transaction with its audit record; visible to the application layer only
/// (through `app`'s commands).
pub(crate) trait CodebooksWrites: Codebooks {
    /// Imports a codebook: codes are matched by id; a new version is recorded when anything changed.
    fn import_codebook(&mut self, book: &Codebook, note: &str) -> Result<CodebookChange>;
    /// Records a proposal (refused when it changes nothing).
    fn add_proposal(&mut self, proposal: &Proposal) -> Result<()>;
    /// Accepts an open proposal: the code is changed (or added) as proposed and a new codebook
    /// version is recorded, in one transaction with the decision. Returns what the edit did.
    fn accept_proposal(&mut self, id: ProposalId, note: &str) -> Result<EditReport>;
    /// Rejects an open proposal, with a note; the codebook stays as it is.
    fn reject_proposal(&mut self, id: ProposalId, note: &str) -> Result<()>;
    /// Puts a decided proposal back to open (the reverse of deciding it).
    fn reopen_proposal(&mut self, id: ProposalId) -> Result<()>;
    /// Deletes a proposal (the reverse of making or merging it).
    fn delete_proposal(&mut self, id: ProposalId) -> Result<()>;
    /// Puts back a deleted proposal exactly as it was.
    fn restore_proposal(&mut self, proposal: &Proposal) -> Result<()>;
}

impl CodebooksWrites for Store {
    fn import_codebook(&mut self, book: &Codebook, note: &str) -> Result<CodebookChange> {
        Store::import_codebook(self, book, note)
    }
    fn add_proposal(&mut self, proposal: &Proposal) -> Result<()> {
        Store::add_proposal(self, proposal)
    }
    fn accept_proposal(&mut self, id: ProposalId, note: &str) -> Result<EditReport> {
        Store::accept_proposal(self, id, note)
    }
    fn reject_proposal(&mut self, id: ProposalId, note: &str) -> Result<()> {
        Store::reject_proposal(self, id, note)
    }
    fn reopen_proposal(&mut self, id: ProposalId) -> Result<()> {
        Store::reopen_proposal(self, id)
    }
    fn delete_proposal(&mut self, id: ProposalId) -> Result<()> {
        Store::delete_proposal(self, id)
    }
    fn restore_proposal(&mut self, proposal: &Proposal) -> Result<()> {
        Store::restore_proposal(self, proposal)
    }
}

/// Raters: people who code, their second passes, and consensus layers. Reads.
pub trait Raters {
    /// All raters, by name.
    fn raters(&self) -> Result<Vec<Rater>>;
    /// Finds a rater by id or name (names compare case-insensitively).
    fn find_rater(&self, reference: &str) -> Result<Rater>;
    /// The rater a second pass belongs to (the same person coding again), if `rater_id` is one.
    fn pass_of(&self, rater_id: RaterId) -> Result<Option<RaterId>>;
}

impl Raters for Store {
    fn raters(&self) -> Result<Vec<Rater>> {
        Store::raters(self)
    }
    fn find_rater(&self, reference: &str) -> Result<Rater> {
        Store::find_rater(self, reference)
    }
    fn pass_of(&self, rater_id: RaterId) -> Result<Option<RaterId>> {
        Store::pass_of(self, rater_id)
    }
}

/// Raters: people who code, their second passes, and consensus layers.
///
/// Writes: each one transaction with its audit record; visible to the application layer only
/// (through `app`'s commands).
pub(crate) trait RatersWrites: Raters {
    /// Adds a rater; names are unique.
    fn add_rater(&mut self, name: &str, kind: RaterKind) -> Result<Rater>;
    /// Adds a rater with a given id (from another project or a REFI-QDA file). A rater already stored
    /// with that id and name is left as it is; a clash of names or of ids is refused.
    fn insert_rater(&mut self, rater: &Rater) -> Result<()>;
    /// Removes a rater who has coded nothing and written nothing (the reverse of adding one).
    fn remove_rater(&mut self, rater_id: RaterId) -> Result<()>;
    /// Puts back a removed rater with the same id and name.
    fn restore_rater(&mut self, rater: &crate::model::Rater) -> Result<()>;
    /// Adds a rater who is a second pass of another: the same person coding again, compared with
    /// their first pass like two raters (intra-rater agreement).
    fn add_second_pass(&mut self, first: RaterId, name: &str) -> Result<Rater>;
    /// Marks `rater` as a second pass of `first`.
    fn link_pass(&mut self, rater: RaterId, first: RaterId) -> Result<()>;
}

impl RatersWrites for Store {
    fn add_rater(&mut self, name: &str, kind: RaterKind) -> Result<Rater> {
        Store::add_rater(self, name, kind)
    }
    fn insert_rater(&mut self, rater: &Rater) -> Result<()> {
        Store::insert_rater(self, rater)
    }
    fn remove_rater(&mut self, rater_id: RaterId) -> Result<()> {
        Store::remove_rater(self, rater_id)
    }
    fn restore_rater(&mut self, rater: &crate::model::Rater) -> Result<()> {
        Store::restore_rater(self, rater)
    }
    fn add_second_pass(&mut self, first: RaterId, name: &str) -> Result<Rater> {
        Store::add_second_pass(self, first, name)
    }
    fn link_pass(&mut self, rater: RaterId, first: RaterId) -> Result<()> {
        Store::link_pass(self, rater, first)
    }
}

/// Memos on the project, transcripts, codes and codings. Reads.
pub trait Memos {
    /// Memos about one target, oldest first.
    fn memos(&self, target: MemoTarget) -> Result<Vec<Memo>>;
    /// Every memo in the project, oldest first.
    fn all_memos(&self) -> Result<Vec<Memo>>;
    /// The id of the newest memo on a coding, if any (for listings).
    fn coding_memo_text(&self, coding: crate::model::CodingId) -> Result<Option<String>>;
}

impl Memos for Store {
    fn memos(&self, target: MemoTarget) -> Result<Vec<Memo>> {
        Store::memos(self, target)
    }
    fn all_memos(&self) -> Result<Vec<Memo>> {
        Store::all_memos(self)
    }
    fn coding_memo_text(&self, coding: crate::model::CodingId) -> Result<Option<String>> {
        Store::coding_memo_text(self, coding)
    }
}

/// Memos on the project, transcripts, codes and codings.
///
/// Writes: each one transaction with its audit record; visible to the application layer only
/// (through `app`'s commands).
pub(crate) trait MemosWrites: Memos {
    /// Adds a memo.
    fn add_memo(
        &mut self,
        target: MemoTarget,
        rater_id: Option<RaterId>,
        text: &str,
    ) -> Result<Memo>;
    /// Deletes a memo (the reverse of writing it).
    fn delete_memo(&mut self, memo_id: MemoId) -> Result<()>;
    /// Puts back a memo exactly as it was (same id and time).
    fn restore_memo(&mut self, memo: &Memo) -> Result<()>;
}

impl MemosWrites for Store {
    fn add_memo(
        &mut self,
        target: MemoTarget,
        rater_id: Option<RaterId>,
        text: &str,
    ) -> Result<Memo> {
        Store::add_memo(self, target, rater_id, text)
    }
    fn delete_memo(&mut self, memo_id: MemoId) -> Result<()> {
        Store::delete_memo(self, memo_id)
    }
    fn restore_memo(&mut self, memo: &Memo) -> Result<()> {
        Store::restore_memo(self, memo)
    }
}

/// Rater files: what one holds, and merging a rater's work back. Reads.
pub trait Team {
    /// Where this rater file came from; `None` for a lead's project.
    fn rater_file_info(&self) -> Result<Option<RaterFileInfo>>;
    /// Reads a rater file's work (this store must be the rater file).
    fn rater_work(&self) -> Result<RaterWork>;
    /// Refuses work that does not fit this project (see [`Store::merge_rater_work`]); reads only.
    fn check_rater_work(&self, work: &RaterWork, file: &str) -> Result<()>;
}

impl Team for Store {
    fn rater_file_info(&self) -> Result<Option<RaterFileInfo>> {
        Store::rater_file_info(self)
    }
    fn rater_work(&self) -> Result<RaterWork> {
        Store::rater_work(self)
    }
    fn check_rater_work(&self, work: &RaterWork, file: &str) -> Result<()> {
        Store::check_rater_work(self, work, file)
    }
}

/// Rater files: what one holds, and merging a rater's work back.
///
/// Writes: each one transaction with its audit record; visible to the application layer only
/// (through `app`'s commands).
pub(crate) trait TeamWrites: Team {
    /// Merges a rater's work in one transaction: codings, tombstones, memos and proposals are added
    /// by id (what is already here is left as it is, so merging twice changes nothing; a coding live in
    /// the file but removed here, by an undone merge or an uncode, is restored). Refused, with
    /// nothing changed, when the work belongs to another project, names a rater this project does not
    /// have, holds a transcript whose text differs from this project's, or was coded under a codebook
    /// version this project does not know.
    fn merge_rater_work(&mut self, work: &RaterWork, file: &str) -> Result<MergeReport>;
}

impl TeamWrites for Store {
    fn merge_rater_work(&mut self, work: &RaterWork, file: &str) -> Result<MergeReport> {
        Store::merge_rater_work(self, work, file)
    }
}

/// Reliability rounds and their stored results. Reads.
pub trait Rounds {
    /// Every round, oldest first.
    fn rounds(&self) -> Result<Vec<Round>>;
    /// A round's stored results: (code id, result JSON), by code id.
    fn round_results(&self, round_id: RoundId) -> Result<Vec<(CodeId, String)>>;
    /// A round's stopping rule, if one is set.
    fn round_rule(&self, round_id: RoundId) -> Result<Option<RoundRule>>;
}

impl Rounds for Store {
    fn rounds(&self) -> Result<Vec<Round>> {
        Store::rounds(self)
    }
    fn round_results(&self, round_id: RoundId) -> Result<Vec<(CodeId, String)>> {
        Store::round_results(self, round_id)
    }
    fn round_rule(&self, round_id: RoundId) -> Result<Option<RoundRule>> {
        Store::round_rule(self, round_id)
    }
}

/// Reliability rounds and their stored results.
///
/// Writes: each one transaction with its audit record; visible to the application layer only
/// (through `app`'s commands).
pub(crate) trait RoundsWrites: Rounds {
    /// Records a new round.
    fn add_round(&mut self, round: &Round) -> Result<()>;
    /// Removes a round with its results (the reverse of starting it).
    fn remove_round(&mut self, round_id: RoundId) -> Result<()>;
    /// Replaces a round's stored results (code id, the result as JSON), in one transaction.
    fn set_round_results(
        &mut self,
        round_id: RoundId,
        results: &[(CodeId, String)],
        computed_at: &str,
    ) -> Result<()>;
    /// Sets (or, with `None`, clears) a round's stopping rule.
    fn set_round_rule(&mut self, round_id: RoundId, rule: Option<&RoundRule>) -> Result<()>;
}

impl RoundsWrites for Store {
    fn add_round(&mut self, round: &Round) -> Result<()> {
        Store::add_round(self, round)
    }
    fn remove_round(&mut self, round_id: RoundId) -> Result<()> {
        Store::remove_round(self, round_id)
    }
    fn set_round_results(
        &mut self,
        round_id: RoundId,
        results: &[(CodeId, String)],
        computed_at: &str,
    ) -> Result<()> {
        Store::set_round_results(self, round_id, results, computed_at)
    }
    fn set_round_rule(&mut self, round_id: RoundId, rule: Option<&RoundRule>) -> Result<()> {
        Store::set_round_rule(self, round_id, rule)
    }
}

/// The audit log and the undo history. Reads.
pub trait History {
    /// The audit log, oldest first.
    fn audit_log(&self) -> Result<Vec<AuditEntry>>;
    /// Every kept step, oldest first.
    fn steps(&self) -> Result<Vec<StepRecord>>;
    /// The newest step in effect: what Undo would undo.
    fn last_done_step(&self) -> Result<Option<StepRecord>>;
    /// The oldest undone step: what Redo would redo.
    fn first_undone_step(&self) -> Result<Option<StepRecord>>;
}

impl History for Store {
    fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        Store::audit_log(self)
    }
    fn steps(&self) -> Result<Vec<StepRecord>> {
        Store::steps(self)
    }
    fn last_done_step(&self) -> Result<Option<StepRecord>> {
        Store::last_done_step(self)
    }
    fn first_undone_step(&self) -> Result<Option<StepRecord>> {
        Store::first_undone_step(self)
    }
}

/// The audit log and the undo history.
///
/// Writes: each one transaction with its audit record; visible to the application layer only
/// (through `app`'s commands).
pub(crate) trait HistoryWrites: History {
    /// Records a step that is in effect; the steps undone before it can no longer be redone.
    fn push_step(&mut self, label: &str, undo: &str, redo: &str) -> Result<i64>;
    /// Marks a step undone (`false`) or in effect again (`true`).
    fn set_step_done(&mut self, step_id: i64, done: bool) -> Result<()>;
}

impl HistoryWrites for Store {
    fn push_step(&mut self, label: &str, undo: &str, redo: &str) -> Result<i64> {
        Store::push_step(self, label, undo, redo)
    }
    fn set_step_done(&mut self, step_id: i64, done: bool) -> Result<()> {
        Store::set_step_done(self, step_id, done)
    }
}
