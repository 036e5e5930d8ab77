//! What the window remembers between frames that is not part of the project (who is coding, which
//! transcript is open, the current selection), and the actions panels emit while they draw. Actions
//! are carried out after the frame by [`crate::gui::AccordApp`], in the order they were emitted.

use crate::app::Command;
use crate::model::{CodeId, CodingId, MemoTarget, RaterId, Span, TranscriptId};

/// Something a panel asks for; carried out after the frame.
#[derive(Debug, Clone)]
pub enum Action {
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
    /// Merge one code into another: its codings move, it leaves the codebook (one undoable change).
    MergeCodes {
        /// The code that goes.
        from: CodeId,
        /// The code that stays.
        into: CodeId,
    },
}

/// Where a message came from, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Something worked.
    Info,
    /// Something failed.
    Error,
}

/// The window's state between frames.
#[derive(Debug, Clone, Default)]
pub struct ViewState {
    /// Who is coding.
    pub rater_id: Option<RaterId>,
    /// The open transcript.
    pub transcript_id: Option<TranscriptId>,
    /// The selected text of the open transcript, in chars.
    pub selection: Option<Span>,
    /// The selected coding.
    pub coding_id: Option<CodingId>,
    /// The code whose definition is shown.
    pub code_id: Option<CodeId>,
    /// Text typed to filter the codebook.
    pub code_filter: String,
    /// Snap selections to whole words.
    pub whole_words: bool,
    /// Scroll the reading view to this char offset on the next frame.
    pub scroll_to: Option<usize>,
    /// The last message for the status bar.
    pub message: Option<(Tone, String)>,
    /// Dark theme.
    pub dark: bool,
}

impl ViewState {
    /// A fresh state: whole-word selection on, light theme.
    #[must_use]
    pub fn new() -> Self {
        Self {
            whole_words: true,
            ..Self::default()
        }
    }

    /// Shows an information message.
    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some((Tone::Info, text.into()));
    }

    /// Shows an error message.
    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some((Tone::Error, text.into()));
    }
}

/// A checkbox per rater, ticking them in and out of `chosen`.
pub fn rater_checkboxes<'a>(
    ui: &mut egui::Ui,
    raters: impl IntoIterator<Item = &'a crate::model::Rater>,
    chosen: &mut std::collections::BTreeSet<RaterId>,
) {
    for r in raters {
        let mut on = chosen.contains(&r.rater_id);
        if ui.checkbox(&mut on, &r.name).changed() {
            toggle(chosen, r.rater_id, on);
        }
    }
}

/// Puts an item in a set of choices or takes it out (a ticked or cleared checkbox).
pub fn toggle<T: Ord>(set: &mut std::collections::BTreeSet<T>, item: T, on: bool) {
    if on {
        set.insert(item);
    } else {
        set.remove(&item);
    }
}
