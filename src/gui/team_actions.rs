//! Carrying out what the adjudication, rounds and team views ask for: reading passages, histories
//! and proposals from the workspace, and changing the project on the save task (each decision,
//! each round one undoable change where it can be undone); merging rater files on its own task.

use super::adjudicate_view::AdjudicateCommand;
use super::app::AccordApp;
use super::dispatch::After;
use super::rounds_view::RoundsCommand;
use super::tasks::{Report, Reporter, TaskKind};
use super::team_view::TeamViewCommand;
use crate::app::adjudicate::{passages_in_context, settle, settle_label};
use crate::app::rounds::{find_round, history, make_round};
use crate::app::{AppError, Command, Outcome, ProjectCommand, Workspace};
use crate::app::{RoundCommand, TeamCommand};
use crate::model::TranscriptId;

impl AccordApp {
    /// Handles a request of the adjudication view.
    pub(super) fn adjudicate_command(&mut self, ctx: &egui::Context, command: AdjudicateCommand) {
        match command {
            AdjudicateCommand::Load(review) => self.read(ctx, move |ws| {
                let shown = passages_in_context(ws.store(), &review).map_err(|e| e.to_string());
                let revision = ws.revision();
                Box::new(move |app: &mut AccordApp| {
                    app.adjudicate.loaded = Some((revision, shown));
                })
            }),
            AdjudicateCommand::Settle(decisions) => {
                let label = settle_label(decisions.len());
                let owned = label.clone();
                self.save(ctx, &label, After::Nothing, move |ws| {
                    Report::Said(
                        settle(ws, &decisions)
                            .map(|done| format!("{owned}: {} decision(s) saved", done.len()))
                            .map_err(|e| format!("{owned}: {e}")),
                    )
                });
            }
            AdjudicateCommand::Withdraw(id) => {
                self.apply(
                    ctx,
                    "Withdraw a decision",
                    Command::Team(TeamCommand::Withdraw(vec![id])),
                );
            }
        }
    }

    /// Handles a request of the rounds view: the history is read, and a round made or computed,
    /// on brief tasks.
    pub(super) fn rounds_command(&mut self, ctx: &egui::Context, command: RoundsCommand) {
        match command {
            RoundsCommand::Plan(round, options) => self.read(ctx, move |ws| {
                let plan =
                    crate::app::plan::plan(ws.store(), &round, &options).map_err(|e| e.to_string());
                Box::new(move |app: &mut AccordApp| {
                    app.rounds.plan.waiting = false;
                    app.rounds.plan.result = Some(plan);
                })
            }),
            RoundsCommand::Load(statistic, threshold) => self.read(ctx, move |ws| {
                let h = history(ws.store(), statistic, threshold).map_err(|e| e.to_string());
                let revision = ws.revision();
                Box::new(move |app: &mut AccordApp| app.rounds.loaded = Some((revision, h)))
            }),
            RoundsCommand::New {
                name,
                transcripts,
                raters,
                unit,
            } => {
                let label = format!("Start {name}");
                let owned = label.clone();
                self.save(ctx, &label, After::Nothing, move |ws| {
                    let round = make_round(ws.store(), &name, &transcripts, &raters, unit);
                    Report::Applied(round.and_then(|round| {
                        ws.apply(&owned, Command::Rounds(RoundCommand::Add(Box::new(round))))
                    }))
                });
            }
            RoundsCommand::Compute(name) => {
                let label = format!("Compute {name}");
                let owned = label.clone();
                self.save(ctx, &label, After::Nothing, move |ws| {
                    let round = find_round(ws.store(), &name);
                    Report::Applied(round.and_then(|round| {
                        ws.apply(
                            &owned,
                            Command::Rounds(RoundCommand::Compute(round.round_id)),
                        )
                    }))
                });
            }
            RoundsCommand::SetRule { round: name, rule } => {
                let label = match rule {
                    Some((s, bound)) => format!(
                        "Keep the rule of {name}: every code's {} lower bound at least {bound:.2}",
                        s.key()
                    ),
                    None => format!("Clear the rule of {name}"),
                };
                let owned = label.clone();
                self.save(ctx, &label, After::Nothing, move |ws| {
                    let set = find_round(ws.store(), &name).and_then(|round| {
                        let rule = rule
                            .map(|(s, b)| crate::app::rounds::rule(s, b))
                            .transpose()?;
                        Ok(RoundCommand::SetRule {
                            round: round.round_id,
                            rule,
                        })
                    });
                    Report::Applied(set.and_then(|c| ws.apply(&owned, Command::Rounds(c))))
                });
            }
        }
    }

    /// Applies a change on the save task (a rater just added becomes who is coding).
    pub(super) fn apply(&mut self, ctx: &egui::Context, label: &str, command: Command) {
        let after = if matches!(
            command,
            Command::Raters(crate::app::RaterCommand::Add { .. })
        ) {
            After::RaterAdded
        } else {
            After::Nothing
        };
        let owned = label.to_string();
        self.save(ctx, label, after, move |ws| {
            Report::Applied(ws.apply(&owned, command))
        });
    }

    /// Handles a request of the team view: issuing a rater file, merging rater files back (on the
    /// merge task), deciding proposals.
    pub(super) fn team_command(&mut self, ctx: &egui::Context, command: TeamViewCommand) {
        match command {
            TeamViewCommand::LoadProposals => self.read(ctx, move |ws| {
                let rows = crate::app::team::proposal_rows(ws.store()).map_err(|e| e.to_string());
                let corrections = crate::app::correction_proposals::rows(ws.store());
                let revision = ws.revision();
                Box::new(move |app: &mut AccordApp| {
                    match corrections {
                        Ok(list) => app.team.corrections = list,
                        Err(e) => app
                            .state
                            .error(format!("could not read the corrections: {e}")),
                    }
                    app.team.proposals = Some((revision, rows));
                })
            }),
            TeamViewCommand::ReviewCorrection(id) => self.review_correction(ctx, id),
            TeamViewCommand::RejectCorrection { id, note } => self.apply(
                ctx,
                "Reject a correction proposal",
                Command::Team(TeamCommand::RejectCorrection { id, note }),
            ),
            TeamViewCommand::Issue {
                rater,
                transcripts,
                second_pass,
                out,
            } => self.issue(ctx, rater, transcripts, second_pass, out),
            TeamViewCommand::Merge(files) => {
                self.team.messages = Vec::new();
                let n = files.len();
                self.start_project_task(
                    ctx,
                    TaskKind::Merge,
                    &format!("Merging {n} rater file(s)"),
                    After::TeamMessages,
                    move |ws, r| merge(ws, files, r),
                );
            }
            TeamViewCommand::BrowseOut => {
                if let Some(path) = rfd::FileDialog::new()
                    .add_filter("Accord project", &["accord"])
                    .set_title("Save the rater file as")
                    .save_file()
                {
                    self.team.out = path.display().to_string();
                }
            }
            TeamViewCommand::BrowseMerge => {
                if let Some(paths) = rfd::FileDialog::new()
                    .add_filter("Accord project", &["accord"])
                    .set_title("Rater files to merge")
                    .pick_files()
                {
                    self.team.merge_paths = paths
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join("\n");
                }
            }
            TeamViewCommand::Decide { id, accept, note } => {
                let (label, command) = if accept {
                    (
                        "Accept a proposal",
                        Command::Team(TeamCommand::AcceptProposal { id, note }),
                    )
                } else {
                    (
                        "Reject a proposal",
                        Command::Team(TeamCommand::RejectProposal { id, note }),
                    )
                };
                self.apply(ctx, label, command);
            }
        }
    }

    /// Works out a proposed correction's review on a read task, then shows it in the transcript's
    /// edit mode, where the lead accepts it (with the note typed in the Team view).
    fn review_correction(&mut self, ctx: &egui::Context, id: crate::model::ProposalId) {
        let note = self.team.note_on(id);
        self.read(ctx, move |ws| {
            let review = ws
                .store()
                .correction_proposal(id)
                .map_err(crate::app::AppError::from)
                .and_then(|p| p.ok_or_else(|| AppError::Invalid("that proposal is gone".into())))
                .and_then(|p| {
                    crate::app::correction_proposals::review(ws.store(), &p)
                        .map(|c| (c, p.rater_id))
                });
            Box::new(move |app: &mut AccordApp| match review {
                Ok((c, by)) => {
                    app.state.transcript_id = Some(c.transcript_id);
                    app.state.selection = None;
                    app.central = super::app::Central::Transcript;
                    let mut view = super::correct_view::CorrectView::reviewing(c);
                    view.accepting = Some((id, by));
                    view.note = note;
                    app.correcting = Some(view);
                }
                Err(e) => app
                    .state
                    .error(format!("could not review the correction: {e}")),
            })
        });
    }

    /// Writes a rater file on the save task, saying in the team view what was written or why not.
    fn issue(
        &mut self,
        ctx: &egui::Context,
        rater: crate::model::RaterId,
        transcripts: Vec<TranscriptId>,
        second_pass: bool,
        out: std::path::PathBuf,
    ) {
        self.save(ctx, "Issue a rater file", After::TeamMessages, move |ws| {
            let found = ws
                .store()
                .raters()
                .map_err(AppError::from)
                .and_then(|raters| {
                    raters
                        .into_iter()
                        .find(|r| r.rater_id == rater)
                        .ok_or_else(|| AppError::Invalid("that rater is gone".into()))
                });
            Report::Applied(found.and_then(|rater| {
                let command = ProjectCommand::IssueRaterFile {
                    rater,
                    transcripts,
                    out,
                    round: None,
                    second_pass,
                };
                ws.apply("Issue a rater file", Command::Project(command))
            }))
        });
    }
}

/// The merge task's work: each file checked and merged in its own transaction, watched by the Stop
/// button (a file being merged when it is pressed rolls back, with the files after it).
fn merge(ws: &mut Workspace, files: Vec<std::path::PathBuf>, r: &Reporter) -> Report {
    r.step("checking each file, then merging");
    if r.cancelled() {
        return Report::Applied(Err(AppError::Invalid(
            "stopped when asked, before the first file".into(),
        )));
    }
    if let Err(e) = ws.interrupt_when(Some(r.stop_flag())) {
        return Report::Applied(Err(e));
    }
    let mut merged = ws.apply(
        "Merge rater files",
        Command::Project(ProjectCommand::MergeRaterFiles(files)),
    );
    let _ = ws.interrupt_when(None);
    if r.cancelled() {
        match &mut merged {
            Ok(Outcome::Merged { outcomes, .. }) => {
                for o in outcomes.iter_mut() {
                    if let Err(e) = &mut o.result {
                        *e = format!("stopped when asked, not merged ({e})");
                    }
                }
            }
            Ok(_) => {}
            Err(e) => *e = AppError::Invalid(format!("stopped when asked: {e}")),
        }
    }
    Report::Applied(merged)
}
