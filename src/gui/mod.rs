//! The desktop window (eframe/egui). It sits on top of [`crate::app`]: panels read a read-only
//! snapshot of the project ([`cache`]) and emit [`command::UiCommand`]s while they draw; the actions are
//! carried out after the frame through [`crate::app::Workspace::apply`], so every change is one
//! transaction, saved at once and undoable. Nothing here holds SQL or a database connection of its
//! own; long work (import, agreement over a whole project) runs on worker threads.
//!
//! One file per panel or view: `project_panel` (transcripts by case, progress per rater),
//! `codebook_panel` (the code tree), `transcript_view` (turns, selection, highlights and the coding
//! margin), `details_panel` (the structured fields of a code, the selected coding), `codebook_editor`,
//! `memo_editor`, `search_view`, `agreement_view`, `adjudicate_view`, `rounds_view`, `export_view`,
//! `import_dialog`, `restore_dialog`, `rater_picker` and `top_bar`; `command` is what they ask for,
//! `dispatch` and `team_actions` carry it out, `tasks` runs the long work.

mod adjudicate_view;
mod agreement_view;
mod app;
mod cache;
mod codebook_editor;
mod codebook_panel;
mod colours;
mod command;
mod correct_view;
mod deidentify_dialog;
mod details_panel;
mod dispatch;
mod erase_dialog;
mod export_view;
mod fonts;
pub mod grid_view;
mod groups_editor;
pub mod heatmap_view;
mod import_dialog;
mod memo_editor;
mod memos_view;
mod plan_view;
mod project_panel;
mod rater_picker;
mod restore_dialog;
mod rounds_view;
mod search_view;
mod state;
mod tasks;
mod team_actions;
mod team_view;
mod top_bar;
mod transcript_view;
mod unlock;

pub use adjudicate_view::ShownPassage;
pub use app::{AccordApp, Central, remembered};
pub use command::{
    AdjudicateCommand, AgreementCommand, DeidentifyCommand, EraseCommand, ExportCommand,
    MenuCommand, RoundsCommand, SearchCommand, TeamViewCommand, UiCommand,
};
pub use state::ViewState;
pub use tasks::{Finished, Gate, LineKind, Progress, Task, TaskKind, Tasks};
pub use unlock::Root;

/// Whether a display is there to open a window on.
#[must_use]
pub fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
}

/// Opens the window on a project file. Without a display, says so and points to the command line.
pub fn run(project: &std::path::Path) -> anyhow::Result<()> {
    if !has_display() {
        anyhow::bail!(
            "no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the window cannot open.\n\
             Everything the window does is on the command line: run `accord --help`, or for example\n\
             `accord show {} P01_interview`.",
            project.display()
        );
    }
    let mut root = Root::for_project(project)?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Accord")
            .with_inner_size([1360.0, 860.0])
            .with_min_inner_size([900.0, 560.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Accord",
        options,
        Box::new(move |cc| {
            root.remember(cc.storage);
            Ok(Box::new(root))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not start: {e}"))
}
