//! A project open for work: its store, its undo and redo history, and its search index. The window
//! holds one `Workspace`, and every command-line change goes through one too; every change goes
//! through [`Workspace::apply`], which carries out the command and records how to undo and redo it
//! IN THE SAME TRANSACTION, in the project file. So undo and redo outlive the session: `accord undo`
//! tomorrow undoes what the window did today.
//!
//! Undo and redo are exact because codings are never rewritten: undoing an added coding tombstones
//! it, redoing restores that same coding; undoing a codebook change sets the codebook back as it was.

use std::path::Path;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use super::command::{Command, Outcome, ProjectCommand, apply};
use super::open::Purpose;
use super::saved::{from_json, to_json};
use super::search::{Filters, Found};
use super::{AppError, Result};
use crate::search::{ProjectIndex, SearchOptions, SearchResults};
use crate::store::api::HistoryWrites;
use crate::store::{Passphrase, Store};

/// A project open for work.
#[derive(Debug)]
pub struct Workspace {
    store: Store,
    revision: u64,
    index: Option<ProjectIndex>,
    index_revision: u64,
    /// The index being opened or rebuilt on a worker thread ([`Workspace::prepare_index`]).
    pending_index: Option<Receiver<std::result::Result<ProjectIndex, String>>>,
    undo_label: Option<String>,
    redo_label: Option<String>,
    /// What the last search should tell about the index (busy, or built in memory instead).
    index_note: Option<String>,
    /// The same, one note each, as the index gave them.
    index_notes: Vec<String>,
    /// What opening the project has to tell (opened read-only, a purge finished, no backup taken).
    open_notes: Vec<String>,
    /// A group of changes is open ([`Workspace::begin_group`]).
    in_group: bool,
}

impl Workspace {
    /// Opens a plain project file to change it (see [`Self::open_for`]); an encrypted one is
    /// refused as needing its passphrase.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_for(path, Purpose::Change, || {
            Err(AppError::Store(crate::store::StoreError::Encrypted(
                path.to_path_buf(),
            )))
        })
    }

    /// Opens a project file for `purpose`, the one way the window and the command line open one
    /// (see [`super::open::open`]): `ask` gives an encrypted project's passphrase (asked only
    /// then); a project to change is checked for damage first; one only read, or worked on in the
    /// window, opens read-only where nothing can be written beside it; an interrupted purge is
    /// finished; a working session takes the opening backup. The store holds the project lock.
    /// What the person should be told is in [`Self::take_open_notes`].
    pub fn open_for<E: From<AppError>>(
        path: &Path,
        purpose: Purpose,
        ask: impl FnOnce() -> std::result::Result<Passphrase, E>,
    ) -> std::result::Result<Self, E> {
        let opened = super::open::open(path, purpose, ask)?;
        let mut ws = Self::new(opened.store);
        ws.open_notes = opened.notes;
        Ok(ws)
    }

    /// Makes a new encrypted project at `path` and works on it (File › New encrypted project…).
    pub fn create_encrypted(path: &Path, name: &str, key: &Passphrase) -> Result<Self> {
        Ok(Self::new(Store::create_encrypted(path, name, key)?))
    }

    /// What opening the project had to tell (opened read-only; an interrupted purge finished, or
    /// still pending and why; no opening backup taken), once.
    pub fn take_open_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.open_notes)
    }

    /// Works on an open store.
    #[must_use]
    pub fn new(store: Store) -> Self {
        let mut ws = Self {
            store,
            revision: 1,
            index: None,
            index_revision: 0,
            pending_index: None,
            undo_label: None,
            redo_label: None,
            index_note: None,
            index_notes: Vec::new(),
            open_notes: Vec::new(),
            in_group: false,
        };
        ws.read_labels();
        ws
    }

    /// The store, to read from. Changes go through [`Self::apply`].
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// After a command that replaced the file's contents (erasing, de-identifying, restoring,
    /// encrypting): the search index is opened again at the next search.
    /// Stops what the next changes run once `flag` is set (see [`Store::interrupt_when`]): a
    /// transaction under way rolls back. The window's Stop button on a merge sets it.
    pub fn interrupt_when(
        &mut self,
        flag: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    ) -> Result<()> {
        Ok(self.store.interrupt_when(flag)?)
    }

    /// Lets go of the search index (and waits for one being prepared); the next search opens it
    /// again from the folder. The window does this before rebuilding the index on a second
    /// connection, and after.
    pub fn close_index(&mut self) {
        self.forget_index();
    }

    fn forget_index(&mut self) {
        // A worker still building the index must finish (and release the index folder) first.
        if let Some(pending) = self.pending_index.take() {
            let _ = pending.recv();
        }
        self.index = None;
    }

    /// A de-identification's preview (it needs the project's pseudonym salt, made on first use).
    pub fn deidentify_preview(
        &mut self,
        list: &crate::import::pseudonyms::Pseudonyms,
    ) -> Result<super::deidentify::Preview> {
        super::deidentify::preview(&mut self.store, list)
    }

    /// Remembers (as salted hashes) the pseudonyms of a list used to import transcripts, refusing
    /// a name that already has another pseudonym in this project.
    pub fn remember_pseudonyms(
        &mut self,
        list: &crate::import::pseudonyms::Pseudonyms,
    ) -> Result<()> {
        super::deidentify::remember(&mut self.store, list)
    }

    /// Gives the store back (to build a new project without undo steps, as the demo does).
    #[must_use]
    pub(super) fn into_store(self) -> Store {
        self.store
    }

    /// Grows by one with every change (and every undo and redo), so views know when to re-read.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// What Undo would undo.
    #[must_use]
    pub fn undo_label(&self) -> Option<&str> {
        self.undo_label.as_deref()
    }

    /// What Redo would redo.
    #[must_use]
    pub fn redo_label(&self) -> Option<&str> {
        self.redo_label.as_deref()
    }

    fn read_labels(&mut self) {
        self.undo_label = self.store.last_done_step().ok().flatten().map(|s| s.label);
        self.redo_label = self
            .store
            .first_undone_step()
            .ok()
            .flatten()
            .map(|s| s.label);
    }

    /// Carries out a change, saved at once, and makes it undoable: the change and its undo step
    /// are one transaction. A whole-file command ([`Command::Project`]) keeps its own steps (a
    /// merge) or drops them (erasing, de-identifying); restoring brings the backup's (and the
    /// search index and the undo and redo labels are those of the restored project); encrypting
    /// keeps them (and the search index is built in memory at the next search).
    pub fn apply(&mut self, label: &str, command: Command) -> Result<Outcome> {
        if self.in_group && !self.store.group_open() {
            // SQLite ended the group's transaction (rolling it back) after an earlier failure: a
            // change made now would be committed on its own, outside the group.
            return Err(AppError::Store(crate::store::StoreError::Refused(
                "not stored: an earlier failure ended this batch's transaction".into(),
            )));
        }
        let rewrites = matches!(
            command,
            Command::Project(
                ProjectCommand::Erase(_)
                    | ProjectCommand::Deidentify(_)
                    | ProjectCommand::Restore { .. }
                    | ProjectCommand::Encrypt(_)
            )
        );
        if matches!(
            command,
            Command::Project(ProjectCommand::Restore { .. } | ProjectCommand::Encrypt(_))
        ) {
            // No index worker may read the file being replaced (nor keep a plaintext index).
            self.forget_index();
        }
        let outcome = apply_undoable(&mut self.store, label, command);
        if rewrites {
            self.forget_index();
        }
        self.revision += 1;
        self.read_labels();
        outcome
    }

    /// Opens a group of changes committed together by [`Self::commit_group`]: each change applied
    /// meanwhile is still its own undo step and, when it fails, rolls back alone, but the project
    /// file is written and synced once for them all (importing many files). Never for whole-file
    /// commands ([`Command::Project`]), which keep their own transactions. False when a
    /// transaction was already open (then nothing is grouped).
    pub fn begin_group(&mut self) -> Result<bool> {
        self.in_group = self.store.begin_group()?;
        Ok(self.in_group)
    }

    /// Commits the group [`Self::begin_group`] opened; on failure none of its changes is kept.
    pub fn commit_group(&mut self) -> Result<()> {
        if !std::mem::take(&mut self.in_group) {
            return Ok(());
        }
        let committed = self.store.commit_group();
        if committed.is_err() {
            self.revision += 1;
            self.read_labels();
        }
        Ok(committed?)
    }

    /// Undoes the last change (of this session or an earlier one); returns its label, or `None`
    /// when there is nothing to undo.
    pub fn undo(&mut self) -> Result<Option<String>> {
        let Some(step) = self.store.last_done_step()? else {
            return Ok(None);
        };
        let commands = from_json(&step.undo)?;
        self.run_step(step.step_id, commands, false)?;
        Ok(Some(step.label))
    }

    /// Redoes the last undone change; returns its label.
    pub fn redo(&mut self) -> Result<Option<String>> {
        let Some(step) = self.store.first_undone_step()? else {
            return Ok(None);
        };
        let commands = from_json(&step.redo)?;
        self.run_step(step.step_id, commands, true)?;
        Ok(Some(step.label))
    }

    /// Runs a step's commands and marks it, in one transaction.
    fn run_step(&mut self, step_id: i64, commands: Vec<Command>, done: bool) -> Result<()> {
        let result = self.store.atomic(|store| -> Result<()> {
            for command in commands {
                apply(store, command)?;
            }
            store.set_step_done(step_id, done)?;
            Ok(())
        });
        self.revision += 1;
        self.read_labels();
        result
    }

    /// Opens (or rebuilds) the search index on a worker thread with a second connection to the
    /// project, so that a window stays responsive while an encrypted project's index is built in
    /// memory or a missing or stale one is rebuilt; `done` is called on the worker when it is ready.
    /// Changes made meanwhile are caught up by the first search. Returns false (and starts nothing)
    /// when there is no second connection to have (an in-memory project) or the index is open.
    pub fn prepare_index(&mut self, done: impl FnOnce() + Send + 'static) -> bool {
        if self.index.is_some() || self.pending_index.is_some() {
            return self.pending_index.is_some();
        }
        self.start_index_worker(
            |second| {
                ProjectIndex::open(second)
                    .map(|(index, _)| index)
                    .map_err(|e| e.to_string())
            },
            done,
        )
    }

    /// Starts a worker that builds the search index alongside a long change (an import), on a
    /// second connection: it indexes what is committed each time the change says so through the
    /// returned sender, and commits the index once the sender is dropped (see
    /// [`ProjectIndex::follow`]); the first search then takes it. `None` (and nothing started)
    /// when there is no second connection to have (an in-memory project).
    pub fn follow_with_index(&mut self) -> Option<std::sync::mpsc::Sender<()>> {
        // An index still being prepared is taken first.
        self.wait_for_index();
        self.store.path()?;
        let open = self.index.take();
        let (more, follows) = channel();
        let started = self.start_index_worker(
            move |second| {
                let mut index = match open {
                    Some(index) => index,
                    None => ProjectIndex::open(second).map_err(|e| e.to_string())?.0,
                };
                index
                    .follow(second, &follows)
                    .map(|_| index)
                    .map_err(|e| e.to_string())
            },
            || {},
        );
        started.then_some(more)
    }

    /// Waits for the index worker, if one is at work, and takes its index in (its connection to
    /// the project is closed once it has ended).
    pub fn wait_for_index(&mut self) {
        if let Some(pending) = self.pending_index.take()
            && let Ok(opened) = pending.recv()
        {
            self.take_prepared(opened);
        }
    }

    /// Waits for the index worker, then brings the index up to date with every change: after an
    /// import, so that the command that imported leaves the project searchable at once. What the
    /// index has to say is in [`Self::index_notes`].
    pub fn finish_index(&mut self) -> Result<()> {
        self.ready_index()
    }

    /// Runs `work` on the index worker thread with a second connection to the project; its index
    /// is taken in by the next search. False when there is no second connection to have (an
    /// in-memory project) or no thread.
    fn start_index_worker(
        &mut self,
        work: impl FnOnce(&crate::store::Store) -> std::result::Result<ProjectIndex, String>
        + Send
        + 'static,
        done: impl FnOnce() + Send + 'static,
    ) -> bool {
        if self.store.path().is_none() {
            return false;
        }
        // The second connection is opened on the worker too (an encrypted project's key
        // derivation would otherwise hold up the window's first frame).
        let reopener = self.store.reopener();
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("accord-index".into())
            .spawn(move || {
                let ready = reopener
                    .open()
                    .map_err(|e| e.to_string())
                    .and_then(|second| work(&second));
                let _ = tx.send(ready);
                done();
            });
        if spawned.is_err() {
            // No thread to be had: the first search opens the index itself.
            return false;
        }
        self.pending_index = Some(rx);
        true
    }

    /// Whether the search index is still being prepared on a worker thread; once it is ready it is
    /// taken into use (if preparing failed, the next search opens it again and reports why).
    pub fn index_preparing(&mut self) -> bool {
        let Some(pending) = &self.pending_index else {
            return false;
        };
        match pending.try_recv() {
            Err(TryRecvError::Empty) => true,
            Ok(opened) => {
                self.pending_index = None;
                self.take_prepared(opened);
                false
            }
            Err(TryRecvError::Disconnected) => {
                self.pending_index = None;
                false
            }
        }
    }

    fn take_prepared(&mut self, opened: std::result::Result<ProjectIndex, String>) {
        if let Ok(index) = opened {
            self.index = Some(index);
            // Brought up to date with changes made while it was being prepared, at the next search.
            self.index_revision = 0;
        }
    }

    /// What the last search has to say about the search index, if anything: that another process
    /// was updating it (so the hits may be a moment behind), or that it could not be used and an
    /// index built in memory was searched instead, and why.
    #[must_use]
    pub fn index_note(&self) -> Option<&str> {
        self.index_note.as_deref()
    }

    /// Each note of the last search about the search index, as the index gave them (see
    /// [`Self::index_note`]); kept when the search itself then failed.
    #[must_use]
    pub fn index_notes(&self) -> &[String] {
        &self.index_notes
    }

    /// Searches the project, bringing the index up to date first if the project changed (waiting
    /// for an index being prepared on a worker thread, if there is one).
    pub fn search(&mut self, query: &str, opts: &SearchOptions<'_>) -> Result<SearchResults> {
        self.ready_index()?;
        self.search_ready(query, opts)
    }

    /// Searches the project for `query` with `filters` folded in (see
    /// [`super::search::full_query`]): what the window's search view and `accord search` run.
    pub fn search_filtered(
        &mut self,
        query: &str,
        filters: &Filters,
        opts: &SearchOptions<'_>,
    ) -> Result<Found> {
        let full = self.full_query(query, filters)?;
        let results = self.search_ready(&full, opts)?;
        Ok(Found {
            query: full,
            results,
        })
    }

    /// The query with the filters folded in (see [`super::search::full_query`]), with the search
    /// index opened or brought up to date first (what it has to say is in [`Self::index_notes`]).
    pub fn full_query(&mut self, query: &str, filters: &Filters) -> Result<String> {
        self.ready_index()?;
        super::search::full_query(&self.store, query, filters)
    }

    /// Opens the index, or brings it up to date; keeps what it has to say.
    fn ready_index(&mut self) -> Result<()> {
        let invalid = |e: crate::search::SearchError| AppError::Invalid(e.to_string());
        self.wait_for_index();
        // Problems with the index never fail a search: a busy index is searched as it is (and
        // caught up at the next search), one that cannot be written is replaced by one built in
        // memory; `index_note` says so.
        let caught_up = match &mut self.index {
            Some(index) if self.index_revision != self.revision => {
                index.catch_up(&self.store).map_err(invalid)?.is_some()
            }
            Some(_) => true,
            None => {
                self.index = Some(ProjectIndex::open(&self.store).map_err(invalid)?.0);
                true
            }
        };
        if caught_up {
            self.index_revision = self.revision;
        }
        if let Some(index) = &mut self.index {
            self.index_notes = index.take_notes();
            self.index_note = (!self.index_notes.is_empty()).then(|| self.index_notes.join("\n"));
        }
        Ok(())
    }

    fn search_ready(&mut self, query: &str, opts: &SearchOptions<'_>) -> Result<SearchResults> {
        let book = self.store.codebook()?;
        let Some(index) = &mut self.index else {
            return Err(AppError::Invalid("the search index is not open".into()));
        };
        index
            .search(query, &book, opts)
            .map_err(|e| AppError::Invalid(e.to_string()))
    }
}

/// Carries out a change and keeps how to undo and redo it, in one transaction: what
/// [`Workspace::apply`] does.
fn apply_undoable(store: &mut Store, label: &str, command: Command) -> Result<Outcome> {
    if let Command::Project(whole) = command {
        // More than one transaction (backups, purges): never inside the caller's.
        return apply(store, Command::Project(whole));
    }
    store.atomic(|store| -> Result<Outcome> {
        let (outcome, undo, redo) = super::inverse::record(store, command)?;
        push_step(store, label, &undo, &redo)?;
        Ok(outcome)
    })
}

/// Keeps an undo step (nothing when there is nothing to undo); inside the caller's transaction
/// when there is one.
pub(crate) fn push_step(
    store: &mut Store,
    label: &str,
    undo: &[Command],
    redo: &[Command],
) -> Result<()> {
    if !undo.is_empty() {
        store.push_step(label, &to_json(undo)?, &to_json(redo)?)?;
    }
    Ok(())
}
