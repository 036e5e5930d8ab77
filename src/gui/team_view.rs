//! The Team view: the lead issues a rater file to each rater (chosen transcripts, blind to the other
//! raters), merges the files that come back (a union by id, a backup first, every refusal named with
//! its file), and accepts or rejects the codebook changes raters proposed. In a rater file the view
//! says whose file it is and what goes back to the lead. The same steps as `accord rater-file`,
//! `accord merge` and `accord proposals`: both call [`crate::app::team`].

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use egui::{RichText, Ui};

use super::cache::ProjectCache;
use super::state::{label_first, toggle};
use crate::app::correction_proposals::CorrectionRow;
use crate::app::team::ProposalRow;
use crate::model::{ProposalId, RaterId, RaterKind, TranscriptId};

/// What the view asks the app to do.
#[derive(Debug, Clone)]
pub enum TeamViewCommand {
    /// Read the proposals.
    LoadProposals,
    /// Write a rater file.
    Issue {
        /// For whom.
        rater: RaterId,
        /// Which transcripts.
        transcripts: Vec<TranscriptId>,
        /// For a second pass of that rater (intra-rater agreement).
        second_pass: bool,
        /// Where.
        out: PathBuf,
    },
    /// Merge these rater files.
    Merge(Vec<PathBuf>),
    /// Choose where to write the rater file with the desktop's dialog.
    BrowseOut,
    /// Choose rater files to merge with the desktop's dialog.
    BrowseMerge,
    /// Work out a proposed correction's review (then shown in the transcript's edit mode, where
    /// the lead accepts it).
    ReviewCorrection(ProposalId),
    /// Reject a proposed correction.
    RejectCorrection {
        /// Which.
        id: ProposalId,
        /// The lead's note.
        note: String,
    },
    /// Accept or reject a proposal.
    Decide {
        /// Which.
        id: ProposalId,
        /// Accept (or reject).
        accept: bool,
        /// The lead's note.
        note: String,
    },
}

/// The view's state.
#[derive(Debug, Default)]
pub struct TeamView {
    rater: Option<RaterId>,
    transcripts: BTreeSet<TranscriptId>,
    second_pass: bool,
    /// Where the rater file goes (typed, or chosen with Browse…).
    pub out: String,
    /// The rater files to merge, one per line.
    pub merge_paths: String,
    /// What the last issue or merge did: (went well, line).
    pub messages: Vec<(bool, String)>,
    /// The proposals read for a project revision (or why they could not be).
    pub proposals: Option<(u64, Result<Vec<ProposalRow>, String>)>,
    /// The proposed transcript corrections, read with the proposals.
    pub corrections: Vec<CorrectionRow>,
    /// The revision the proposals were last asked for (they are read on a task: asked once).
    asked: Option<u64>,
    notes: HashMap<ProposalId, String>,
}

impl TeamView {
    /// The note typed for a proposal (empty if none).
    #[must_use]
    pub fn note_on(&self, id: ProposalId) -> String {
        self.notes.get(&id).cloned().unwrap_or_default()
    }

    /// Draws the view; returns what the app should do.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        revision: u64,
        browse: bool,
    ) -> Option<TeamViewCommand> {
        let mut request = None;
        if self.proposals.as_ref().is_none_or(|(r, _)| *r != revision)
            && self.asked != Some(revision)
        {
            self.asked = Some(revision);
            request = Some(TeamViewCommand::LoadProposals);
        }
        egui::ScrollArea::vertical()
            .id_salt("team-scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if let Some(info) = &project.rater_file {
                    Self::rater_file_ui(ui, project, info);
                } else {
                    ui.heading("Rater files");
                    ui.label("Each rater codes blind on their own machine: issue a rater file to each, then merge the files they send back. Merging never changes or loses a coding already here, and a backup is taken first.");
                    egui::CollapsingHeader::new(RichText::new("Issue a rater file").strong())
                        .id_salt("team-issue")
                        .default_open(true)
                        .show(ui, |ui| {
                            if let Some(r) = self.issue_ui(ui, project, browse) {
                                request = Some(r);
                            }
                        });
                    egui::CollapsingHeader::new(RichText::new("Merge rater files").strong())
                        .id_salt("team-merge")
                        .default_open(true)
                        .show(ui, |ui| {
                            if let Some(r) = self.merge_ui(ui, browse) {
                                request = Some(r);
                            }
                        });
                    for (ok, line) in &self.messages {
                        if *ok {
                            ui.label(line);
                        } else {
                            ui.colored_label(ui.visuals().error_fg_color, line);
                        }
                    }
                }
                ui.separator();
                if let Some(r) = self.proposals_ui(ui, project.rater_file.is_none()) {
                    request = Some(r);
                }
            });
        request
    }

    fn rater_file_ui(ui: &mut Ui, project: &ProjectCache, info: &crate::model::RaterFileInfo) {
        let who = project
            .raters
            .iter()
            .find(|r| r.rater_id == info.rater_id)
            .map_or("a rater", |r| r.name.as_str());
        ui.heading(format!("{who}'s rater file"));
        ui.label(format!(
            "Issued {} with codebook version {}{}. Code blind here; only {who}'s codings are in this file. The codebook is locked: a change you make to a code is kept as a proposal for the lead. When you are done, send this file to the lead, who merges it.",
            info.issued_at,
            info.codebook_version,
            info.round
                .as_ref()
                .map_or_else(String::new, |r| format!(" for {r}")),
        ));
    }

    fn issue_ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        browse: bool,
    ) -> Option<TeamViewCommand> {
        let humans: Vec<_> = project
            .raters
            .iter()
            .filter(|r| r.kind == RaterKind::Human && !project.passes.contains(&r.rater_id))
            .collect();
        let chosen = self
            .rater
            .and_then(|id| humans.iter().find(|r| r.rater_id == id))
            .map_or("choose…", |r| r.name.as_str());
        label_first("Rater file for")
            .selected_text(chosen)
            .show_ui(ui, |ui| {
                for r in &humans {
                    ui.selectable_value(&mut self.rater, Some(r.rater_id), &r.name);
                }
            });
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Transcripts").strong());
            if ui.small_button("All").clicked() {
                self.transcripts = project
                    .transcripts
                    .iter()
                    .map(|t| t.transcript_id)
                    .collect();
            }
            if ui.small_button("None").clicked() {
                self.transcripts.clear();
            }
            for t in &project.transcripts {
                let mut on = self.transcripts.contains(&t.transcript_id);
                if ui.checkbox(&mut on, &t.name).changed() {
                    toggle(&mut self.transcripts, t.transcript_id, on);
                }
            }
        });
        ui.checkbox(
            &mut self.second_pass,
            "Second pass: the same rater codes these again, blind to their first pass (intra-rater agreement)",
        );
        let mut enter = false;
        ui.horizontal(|ui| {
            ui.label("Save as");
            let field = ui.add(
                egui::TextEdit::singleline(&mut self.out)
                    .hint_text("/path/to/ana.accord")
                    .desired_width(420.0),
            );
            field.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Rater file path")
            });
            enter = super::state::entered(&field, ui);
        });
        let mut request = None;
        ui.horizontal(|ui| {
            if browse && ui.button("Browse…").clicked() {
                request = Some(TeamViewCommand::BrowseOut);
            }
            let ready =
                self.rater.is_some() && !self.transcripts.is_empty() && !self.out.trim().is_empty();
            let clicked = ui
                .add_enabled(ready, egui::Button::new("Write rater file"))
                .clicked();
            if (clicked || (enter && ready))
                && let Some(rater) = self.rater
            {
                request = Some(TeamViewCommand::Issue {
                    rater,
                    transcripts: self.transcripts.iter().copied().collect(),
                    second_pass: self.second_pass,
                    out: PathBuf::from(self.out.trim()),
                });
            }
        });
        request
    }

    fn merge_ui(&mut self, ui: &mut Ui, browse: bool) -> Option<TeamViewCommand> {
        ui.label("Rater files to merge, one per line:");
        ui.add(
            egui::TextEdit::multiline(&mut self.merge_paths)
                .hint_text("/path/to/ana.accord\n/path/to/ben.accord")
                .desired_rows(3)
                .desired_width(520.0),
        )
        .widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::MultilineTextInput, true, "Rater files to merge")
        });
        let paths: Vec<PathBuf> = self
            .merge_paths
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect();
        let mut request = None;
        ui.horizontal(|ui| {
            if browse && ui.button("Choose files…").clicked() {
                request = Some(TeamViewCommand::BrowseMerge);
            }
            if ui
                .add_enabled(!paths.is_empty(), egui::Button::new("Merge"))
                .clicked()
            {
                request = Some(TeamViewCommand::Merge(paths));
            }
        });
        request
    }

    fn proposals_ui(&mut self, ui: &mut Ui, lead: bool) -> Option<TeamViewCommand> {
        // Borrowed for the frame (taken out and put back), never copied.
        let proposals = self.proposals.take()?;
        let request = match &proposals.1 {
            Ok(rows) => self.proposal_rows_ui(ui, lead, rows),
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                None
            }
        };
        if self.proposals.is_none() {
            self.proposals = Some(proposals);
        }
        ui.add_space(8.0);
        self.corrections_ui(ui, lead).or(request)
    }

    /// The proposed transcript corrections: each with its changes and note; the lead reviews one
    /// (what it does to every coding, in the transcript's edit mode) before accepting it.
    fn corrections_ui(&mut self, ui: &mut Ui, lead: bool) -> Option<TeamViewCommand> {
        let open = self
            .corrections
            .iter()
            .filter(|p| p.status == "open")
            .count();
        ui.heading(format!("Transcript corrections ({open} open)"));
        if self.corrections.is_empty() {
            ui.label("No proposed corrections. A rater who finds a misheard word in their rater file proposes the corrected text; it arrives here when their file is merged.");
            return None;
        }
        let mut request = None;
        for p in &self.corrections {
            ui.group(|ui| {
                ui.label(
                    RichText::new(format!(
                        "Correction of {} — {} by {} ({} change{})",
                        p.transcript,
                        p.status,
                        p.who,
                        p.edits.len(),
                        if p.edits.len() == 1 { "" } else { "s" }
                    ))
                    .strong(),
                );
                for (old, new) in p.edits.iter().take(10) {
                    ui.label(format!(
                        "“{}” → “{}”",
                        super::state::shortened(old, 100),
                        super::state::shortened(new, 100)
                    ));
                }
                if !p.note.is_empty() {
                    ui.label(RichText::new(format!("Note: {}", p.note)).italics());
                }
                if let Some(n) = p.decision_note.as_ref().filter(|n| !n.is_empty()) {
                    ui.label(RichText::new(format!("Lead's note: {n}")).italics());
                }
                if p.stale && p.status == "open" {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        "The transcript has been corrected since: this proposal can no longer be \
                         accepted as it is. Reject it, or make the correction yourself.",
                    );
                }
                if lead && p.status == "open" {
                    let note = self.notes.entry(p.id).or_default();
                    ui.horizontal(|ui| {
                        decision_note_ui(
                            ui,
                            note,
                            &format!("Note on the correction of {}", p.transcript),
                        );
                        let review = ui
                            .add_enabled(!p.stale, egui::Button::new("Review and accept…"))
                            .on_hover_text(
                                "See what the correction does to every coding before accepting it",
                            );
                        if review.clicked() {
                            request = Some(TeamViewCommand::ReviewCorrection(p.id));
                        }
                        if ui.button("Reject correction").clicked() {
                            request = Some(TeamViewCommand::RejectCorrection {
                                id: p.id,
                                note: note.clone(),
                            });
                        }
                    });
                }
            });
        }
        request
    }

    fn proposal_rows_ui(
        &mut self,
        ui: &mut Ui,
        lead: bool,
        rows: &[crate::app::team::ProposalRow],
    ) -> Option<TeamViewCommand> {
        let open = rows.iter().filter(|p| p.status == "open").count();
        ui.heading(format!("Codebook proposals ({open} open)"));
        if rows.is_empty() {
            ui.label("No proposals. A rater who changes a code in their rater file proposes the change; it arrives here when their file is merged.");
            return None;
        }
        let mut request = None;
        for p in rows {
            ui.group(|ui| {
                ui.label(
                    RichText::new(format!(
                        "{} {} — {} by {} (against codebook version {})",
                        if p.new_code { "New code" } else { "Change to" },
                        p.name,
                        p.status,
                        p.who,
                        p.base_version
                    ))
                    .strong(),
                );
                for (field, now, proposed) in &p.changes {
                    if p.new_code {
                        ui.label(format!("{field}: {proposed}"));
                    } else {
                        ui.label(format!("{field}: “{now}” → “{proposed}”"));
                    }
                }
                if !p.note.is_empty() {
                    ui.label(RichText::new(format!("Note: {}", p.note)).italics());
                }
                if let Some(n) = p.decision_note.as_ref().filter(|n| !n.is_empty()) {
                    ui.label(RichText::new(format!("Lead's note: {n}")).italics());
                }
                if lead && p.status == "open" {
                    let note = self.notes.entry(p.id).or_default();
                    ui.horizontal(|ui| {
                        decision_note_ui(ui, note, &format!("Note on {}", p.name));
                        for (accept, word) in [(true, "Accept"), (false, "Reject")] {
                            if ui.button(format!("{word} “{}”", p.name)).clicked() {
                                request = Some(TeamViewCommand::Decide {
                                    id: p.id,
                                    accept,
                                    note: note.clone(),
                                });
                            }
                        }
                    });
                }
            });
        }
        request
    }
}

/// The lead's note on a decision, labelled for screen readers (and tests) by what it decides.
fn decision_note_ui(ui: &mut Ui, note: &mut String, label: &str) {
    ui.add(
        egui::TextEdit::singleline(note)
            .hint_text("why (kept with the decision)")
            .desired_width(320.0),
    )
    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, label));
}
