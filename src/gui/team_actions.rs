//! Carrying out what the adjudication and rounds views ask for: reading passages and histories from
//! the workspace, and changing the project through it (each decision, each round one undoable
//! change where it can be undone).

use super::adjudicate_view::AdjudicateRequest;
use super::app::AccordApp;
use super::deidentify_dialog::DeidentifyRequest;
use super::erase_dialog::EraseRequest;
use super::rounds_view::RoundsRequest;
use super::team_view::TeamRequest;
use crate::app::adjudicate::{passages_in_context, settle, settle_label};
use crate::app::rounds::{find_round, history, make_round};
use crate::app::{AppError, Command, Outcome, ProjectCommand};
use crate::app::{RoundCommand, TeamCommand};
use crate::model::TranscriptId;

impl AccordApp {
    /// Handles a request of the adjudication view.
    pub(super) fn adjudicate_request(&mut self, request: AdjudicateRequest) {
        match request {
            AdjudicateRequest::Load(review) => {
                let shown =
                    passages_in_context(self.workspace.store(), &review).map_err(|e| e.to_string());
                self.adjudicate.loaded = Some((self.workspace.revision(), shown));
            }
            AdjudicateRequest::Settle(decisions) => {
                let label = settle_label(decisions.len());
                match settle(&mut self.workspace, &decisions) {
                    Ok(done) => self
                        .state
                        .info(format!("{label}: {} decision(s) saved", done.len())),
                    Err(e) => self.state.error(format!("{label}: {e}")),
                }
            }
            AdjudicateRequest::Withdraw(id) => {
                self.apply(
                    "Withdraw a decision",
                    Command::Team(TeamCommand::Withdraw(vec![id])),
                );
            }
        }
    }

    /// Handles a request of the rounds view.
    pub(super) fn rounds_request(&mut self, request: RoundsRequest) {
        match request {
            RoundsRequest::Load(statistic, threshold) => {
                let h = history(self.workspace.store(), statistic, threshold)
                    .map_err(|e| e.to_string());
                self.rounds.loaded = Some((self.workspace.revision(), h));
            }
            RoundsRequest::New {
                name,
                transcripts,
                raters,
                unit,
            } => match make_round(self.workspace.store(), &name, &transcripts, &raters, unit) {
                Ok(round) => {
                    self.apply(
                        &format!("Start {name}"),
                        Command::Rounds(RoundCommand::Add(Box::new(round))),
                    );
                }
                Err(e) => self.state.error(format!("Start {name}: {e}")),
            },
            RoundsRequest::Compute(name) => match find_round(self.workspace.store(), &name) {
                Ok(round) => self.apply(
                    &format!("Compute {name}"),
                    Command::Rounds(RoundCommand::Compute(round.round_id)),
                ),
                Err(e) => self.state.error(e.to_string()),
            },
        }
    }
}

impl AccordApp {
    /// Handles a request of the team view: issuing a rater file, merging rater files back, deciding
    /// proposals.
    pub(super) fn team_request(&mut self, request: TeamRequest) {
        match request {
            TeamRequest::LoadProposals => {
                let rows = crate::app::team::proposal_rows(self.workspace.store())
                    .map_err(|e| e.to_string());
                self.team.proposals = Some((self.workspace.revision(), rows));
            }
            TeamRequest::Issue {
                rater,
                transcripts,
                second_pass,
                out,
            } => self.issue(rater, &transcripts, second_pass, &out),
            TeamRequest::Merge(files) => {
                let merged = self.workspace.apply(
                    "Merge rater files",
                    Command::Project(ProjectCommand::MergeRaterFiles(files)),
                );
                self.team.messages = match merged {
                    Ok(Outcome::Merged { backup, outcomes }) => backup
                        .map(|b| (true, format!("Backup before merging: {}", b.display())))
                        .into_iter()
                        .chain(outcomes.iter().map(|o| (o.result.is_ok(), o.summary())))
                        .collect(),
                    Ok(_) => Vec::new(),
                    Err(e) => vec![(false, format!("Nothing was merged: {e}"))],
                };
            }
            TeamRequest::BrowseOut => {
                if let Some(path) = rfd::FileDialog::new()
                    .add_filter("Accord project", &["accord"])
                    .set_title("Save the rater file as")
                    .save_file()
                {
                    self.team.out = path.display().to_string();
                }
            }
            TeamRequest::BrowseMerge => {
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
            TeamRequest::Decide { id, accept, note } => {
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
                self.apply(label, command);
            }
        }
    }
}

impl AccordApp {
    /// Writes a rater file, saying in the team view what was written or why not.
    fn issue(
        &mut self,
        rater: crate::model::RaterId,
        transcripts: &[TranscriptId],
        second_pass: bool,
        out: &std::path::Path,
    ) {
        let found = self
            .workspace
            .store()
            .raters()
            .map_err(AppError::from)
            .and_then(|raters| {
                raters
                    .into_iter()
                    .find(|r| r.rater_id == rater)
                    .ok_or_else(|| AppError::Invalid("that rater is gone".into()))
            });
        let issued = found.and_then(|rater| {
            let command = ProjectCommand::IssueRaterFile {
                rater,
                transcripts: transcripts.to_vec(),
                out: out.to_path_buf(),
                round: None,
                second_pass,
            };
            self.workspace
                .apply("Issue a rater file", Command::Project(command))
        });
        self.team.messages = vec![match issued {
            Ok(Outcome::Issued(i)) => (true, i.to_string()),
            Ok(_) => (true, String::new()),
            Err(e) => (false, format!("No rater file was written: {e}")),
        }];
    }
}

impl AccordApp {
    /// Handles a request of the de-identification dialog.
    pub(super) fn deidentify_request(&mut self, request: DeidentifyRequest) {
        use crate::app::files::read_pseudonyms;
        match request {
            DeidentifyRequest::Preview(path) => {
                let read = read_pseudonyms(&path).map_err(|e| e.to_string());
                let result = read.and_then(|list| {
                    self.workspace
                        .deidentify_preview(&list)
                        .map(|p| (Box::new(list), p))
                        .map_err(|e| e.to_string())
                });
                if let Some(dialog) = &mut self.deidentify {
                    dialog.preview = Some(result);
                }
            }
            DeidentifyRequest::Apply(list) => {
                let done = self.workspace.apply(
                    "De-identify",
                    Command::Project(ProjectCommand::Deidentify(list)),
                );
                self.deidentify = None;
                match done {
                    Ok(Outcome::Deidentified(d)) => self.state.info(format!(
                        "De-identified: {} transcripts got a new version ({} names replaced); the old text is purged.",
                        d.applied.transcripts, d.applied.replacements
                    )),
                    Ok(_) => {}
                    Err(e) => self.state.error(format!("De-identify: {e}")),
                }
            }
        }
    }
}

impl AccordApp {
    /// Handles a request of the erase dialog.
    pub(super) fn erase_request(&mut self, request: EraseRequest) {
        match request {
            EraseRequest::Preview(chosen, removed) => {
                let counted =
                    crate::app::erase::with_removed(self.workspace.store(), &chosen, removed)
                        .and_then(|ids| Ok(self.workspace.store().erasure(&ids)?))
                        .map_err(|e| e.to_string());
                if let Some(dialog) = &mut self.erase {
                    dialog.preview = Some((chosen, removed, counted));
                }
            }
            EraseRequest::Erase(chosen, removed) => {
                let done =
                    crate::app::erase::with_removed(self.workspace.store(), &chosen, removed)
                        .and_then(|ids| {
                            if self.state.transcript_id.is_some_and(|t| ids.contains(&t)) {
                                self.state.transcript_id = None;
                            }
                            self.workspace.apply(
                                "Erase transcripts",
                                Command::Project(ProjectCommand::Erase(ids)),
                            )
                        });
                self.erase = None;
                match done {
                    Ok(Outcome::Erased(d)) => self.state.info(format!(
                        "Erased {}; the backups were replaced and the search index rebuilt.",
                        d.erasure
                    )),
                    Ok(_) => {}
                    Err(e) => self.state.error(format!("Erase: {e}")),
                }
            }
        }
    }
}
