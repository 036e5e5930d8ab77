//! Accord's integration tests: one test binary (as ripgrep does), a module per concern.

// End-to-end tours read best as one story from start to finish.
#![allow(clippy::too_many_lines)]
// Helpers of tests (not #[test] functions themselves) may unwrap, expect and panic too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Test threads (concurrent writers and searchers) need no names; library threads do (clippy.toml).
#![allow(clippy::disallowed_methods)]

mod agreement;
mod agreement_breakdown;
mod agreement_header;
mod cli;
mod code_groups;
mod code_queries;
mod codebook;
mod confusion;
mod correct;
mod deidentify;
mod docx_pdf;
mod empty_comparison;
mod encrypt_command;
mod encryption;
mod erase;
mod export;
mod export_attack;
mod fuzzed;
#[cfg(feature = "gui")]
mod gui;
#[cfg(feature = "gui")]
mod gui_confusion;
mod gui_correct;
mod gui_groups;
#[cfg(feature = "gui")]
mod gui_heatmaps;
#[cfg(feature = "gui")]
mod gui_memos;
#[cfg(feature = "gui")]
mod gui_papercuts;
#[cfg(feature = "gui")]
mod gui_plan;
mod gui_safety;
#[cfg(feature = "gui")]
mod gui_tasks;
mod gui_team;
#[cfg(feature = "gui")]
mod gui_writing;
mod history;
mod hostile;
mod import_attack;
mod import_batch;
mod kill;
mod layers;
mod lock_attack;
mod malformed;
mod memos_workspace;
mod one_apply;
mod one_handle;
mod open_attack;
mod plan;
mod qdpx;
mod refi_examples;
mod refi_real;
mod restore_command;
mod samples;
mod search;
mod search_attack;
mod store;
mod support;
mod team;
mod undo_format;
mod workspace;
mod writing;
