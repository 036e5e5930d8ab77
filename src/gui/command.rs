//! The window's one command type. Panels and dialogs never change anything while they draw: they
//! push a [`UiCommand`] onto the frame's queue, and [`crate::gui::AccordApp`] drains the queue once
//! the frame is drawn, in order (see `dispatch`). A command that changes the project becomes an
//! [`crate::app::Command`] applied through the workspace on a named background task (`tasks`), so
//! neither a commit nor a whole-file operation ever holds a frame.
//!
//! The payloads of the views' commands are declared beside the view that emits them (the search
//! view's [`SearchCommand`], the team view's [`TeamViewCommand`], ...): one enum, split by view,
//! matched exhaustively in one place.

use std::path::PathBuf;

pub use super::adjudicate_view::AdjudicateCommand;
pub use super::agreement_view::AgreementCommand;
pub use super::deidentify_dialog::DeidentifyCommand;
pub use super::erase_dialog::EraseCommand;
pub use super::export_view::ExportCommand;
pub use super::heatmap_view::HeatmapCommand;
pub use super::rounds_view::RoundsCommand;
pub use super::search_view::SearchCommand;
use super::tasks::TaskKind;
pub use super::team_view::TeamViewCommand;
pub use super::top_bar::MenuCommand;
use crate::app::Command;
use crate::model::{CodeId, CodingId, MemoTarget, RaterId, Span, TranscriptId};

/// Something a panel or dialog asks for; queued while drawing, carried out after the frame.
#[must_use = "a command does nothing until it is pushed onto the frame's queue"]
#[derive(Debug)]
pub enum UiCommand {
    /// Change the project (saved at once, undoable), labelled for the Edit menu.
    Apply {
        /// What the change is called in the Edit menu.
        label: String,
        /// The change.
        command: Command,
    },
    /// Undo the last change.
    Undo,
    /// Redo the last undone change.
    Redo,
    /// Open a transcript in the reading view.
    OpenTranscript(TranscriptId),
    /// Open a transcript, scroll to a span and select it (a search hit, a disagreement).
    JumpTo {
        /// Which transcript.
        transcript_id: TranscriptId,
        /// What to select.
        span: Span,
    },
    /// Apply a code to the current selection as the current rater.
    ApplyCode(CodeId),
    /// Choose who is coding.
    SetRater(RaterId),
    /// Show a code's definition beside the text.
    SelectCode(CodeId),
    /// Select a coding (or none).
    SelectCoding(Option<CodingId>),
    /// Open the memo editor on a target.
    OpenMemo(MemoTarget),
    /// Open the code editor (on a code, or on a new code under a parent).
    EditCode(Option<CodeId>, Option<CodeId>),
    /// Open the code groups editor.
    EditGroups,
    /// Open the code editor on a code to sharpen its boundary with another code raters confused it
    /// with: its "when not to use" starts with a line naming the other code.
    EditBoundary {
        /// The code edited.
        code: CodeId,
        /// The code it was confused with.
        other: CodeId,
    },
    /// Merge one code into another: its codings move, it leaves the codebook (one undoable change).
    MergeCodes {
        /// The code that goes.
        from: CodeId,
        /// The code that stays.
        into: CodeId,
    },
    /// A File menu item.
    Menu(MenuCommand),
    /// A path typed in the fallback prompt, for a File menu item.
    Prompted(MenuCommand, PathBuf),
    /// Import case attributes from a CSV, matched on a key column.
    ImportAttributes {
        /// The CSV.
        path: PathBuf,
        /// The key column.
        key: String,
        /// Make cases that are not in the project yet.
        create_missing: bool,
    },
    /// Work on another project from now on (a new encrypted one, just made).
    SwitchTo(Box<crate::app::Workspace>),
    /// The search view.
    Search(SearchCommand),
    /// The agreement view.
    Agreement(AgreementCommand),
    /// The transcript's edit mode (a correction's review).
    Correct(super::correct_view::CorrectCommand),
    /// The adjudication view.
    Adjudicate(AdjudicateCommand),
    /// The rounds view.
    Rounds(RoundsCommand),
    /// The team view.
    Team(TeamViewCommand),
    /// The Grid view's request.
    Grid(super::grid_view::GridViewCommand),
    /// The export view.
    Export(ExportCommand),
    /// The heatmaps view.
    Heatmaps(HeatmapCommand),
    /// The memos view.
    Memos(super::memos_view::MemosViewCommand),
    /// The de-identification dialog.
    Deidentify(DeidentifyCommand),
    /// The erase dialog.
    Erase(EraseCommand),
    /// Put a backup back in place of the project (File › Restore from a backup…).
    Restore(PathBuf),
    /// Rebuild the search index from the project.
    Reindex,
    /// Stop a running task (one that can stop halfway without harm).
    Cancel(TaskKind),
}
