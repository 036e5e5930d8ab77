//! `accord rater-file`, `accord merge`, `accord propose` and `accord proposals`: the team workflow
//! across machines.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{ProjectPath, open, open_to_read, output};
use crate::app::TeamCommand;
use crate::app::resolve;
use crate::app::rounds::find_round;
use crate::app::team::proposal_rows;
use crate::app::{AppError, Command, Outcome, ProjectCommand};
use crate::model::{Code, CodeId, Proposal, ProposalId, now_rfc3339};

/// Arguments of `accord rater-file`.
#[derive(Debug, Args)]
pub struct RaterFileArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// The rater the file is for.
    #[arg(long)]
    pub rater: String,
    /// Transcripts to include (names or ids).
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub transcripts: Vec<String>,
    /// Include the transcripts of this reliability round (and tag the file with it).
    #[arg(long)]
    pub round: Option<String>,
    /// Issue it to a new second pass of the rater (the same person coding again, blind to their
    /// first pass), for intra-rater agreement.
    #[arg(long)]
    pub second_pass: bool,
    /// The rater file to write (must not exist).
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `accord merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Rater files to merge.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `accord propose`.
#[derive(Debug, Args)]
pub struct ProposeArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// The code to change (name, path or id).
    #[arg(long, conflicts_with = "new")]
    pub code: Option<String>,
    /// Propose a new code with this name instead.
    #[arg(long)]
    pub new: Option<String>,
    /// Parent of the new code.
    #[arg(long, requires = "new")]
    pub parent: Option<String>,
    /// New name.
    #[arg(long)]
    pub name: Option<String>,
    /// New short definition.
    #[arg(long)]
    pub short_definition: Option<String>,
    /// New full definition.
    #[arg(long)]
    pub definition: Option<String>,
    /// New "when to use".
    #[arg(long)]
    pub when_to_use: Option<String>,
    /// New "when not to use".
    #[arg(long)]
    pub when_not_to_use: Option<String>,
    /// New example.
    #[arg(long)]
    pub example: Option<String>,
    /// Why.
    #[arg(long, default_value = "")]
    pub note: String,
    /// Who proposes it (default: the rater a rater file is for).
    #[arg(long)]
    pub rater: Option<String>,
}

/// `accord proposals ...`
#[derive(Debug, Subcommand)]
pub enum ProposalsCommand {
    /// List proposals (open ones first).
    List {
        #[command(flatten)]
        project: ProjectPath,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one proposal: a codebook change's fields, or a correction's review (what it does to
    /// every coding), as accepting it would write it.
    Show {
        #[command(flatten)]
        project: ProjectPath,
        /// The proposal (its id, or the start of it).
        id: String,
    },
    /// Accept a proposal: the codebook changes as proposed (a new version), or the transcript is
    /// corrected as proposed (after the review is printed).
    Accept {
        #[command(flatten)]
        project: ProjectPath,
        /// The proposal (its id, or the start of it).
        id: String,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Reject a proposal; the codebook (or the transcript) stays as it is.
    Reject {
        #[command(flatten)]
        project: ProjectPath,
        /// The proposal (its id, or the start of it).
        id: String,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// Runs `accord rater-file`.
pub fn rater_file(args: &RaterFileArgs) -> anyhow::Result<ExitCode> {
    let mut ws = open(&args.project.project)?;
    let rater = ws.store().find_rater(&args.rater)?;
    let mut transcripts = resolve::transcript_ids(ws.store(), &args.transcripts)?;
    if let Some(round) = &args.round {
        let round = find_round(ws.store(), round)?;
        for t in round.transcripts {
            if !transcripts.contains(&t) {
                transcripts.push(t);
            }
        }
    }
    let command = ProjectCommand::IssueRaterFile {
        rater,
        transcripts,
        out: args.out.clone(),
        round: args.round.clone(),
        second_pass: args.second_pass,
    };
    let Outcome::Issued(issued) = ws.apply("Write a rater file", Command::Project(command))? else {
        return Err(AppError::Invalid("the rater file was not written".into()).into());
    };
    println!("{issued}");
    Ok(ExitCode::SUCCESS)
}

/// Runs `accord merge`.
pub fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let mut ws = open(&args.project.project)?;
    let command = ProjectCommand::MergeRaterFiles(args.files.clone());
    let Outcome::Merged { backup, outcomes } =
        ws.apply("Merge rater files", Command::Project(command))?
    else {
        return Err(AppError::Invalid("nothing was merged".into()).into());
    };
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    if args.json {
        output::json(&serde_json::json!({ "backup": backup, "files": outcomes }))?;
    } else {
        if let Some(b) = &backup {
            println!("backup of the project before merging: {}", b.display());
        }
        for o in &outcomes {
            println!("{}", output::terminal_safe(&o.summary()));
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("{failed} of {} files refused", outcomes.len());
        ExitCode::FAILURE
    })
}

/// Runs `accord propose`.
pub fn propose(args: &ProposeArgs) -> anyhow::Result<ExitCode> {
    let mut ws = open(&args.project.project)?;
    let store = ws.store();
    let book = store.codebook()?;
    let info = store.rater_file_info()?;
    let rater_id = match (&args.rater, &info) {
        (Some(name), _) => Some(store.find_rater(name)?.rater_id),
        (None, Some(info)) => Some(info.rater_id),
        (None, None) => None,
    };
    let mut code = match (&args.code, &args.new) {
        (Some(reference), _) => book
            .get(resolve::code(&book, reference)?)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no code {reference:?}"))?,
        (None, Some(name)) => Code {
            code_id: CodeId::new_random(),
            name: name.clone(),
            parent_id: args
                .parent
                .as_deref()
                .map(|p| resolve::code(&book, p))
                .transpose()?,
            colour: "#888888".into(),
            short_definition: String::new(),
            definition: String::new(),
            when_to_use: String::new(),
            when_not_to_use: String::new(),
            example: String::new(),
            position: book.codes.len() as i64,
        },
        (None, None) => {
            anyhow::bail!("say which code (--code NAME) or propose a new one (--new NAME)")
        }
    };
    for (field, value) in [
        (&mut code.name, &args.name),
        (&mut code.short_definition, &args.short_definition),
        (&mut code.definition, &args.definition),
        (&mut code.when_to_use, &args.when_to_use),
        (&mut code.when_not_to_use, &args.when_not_to_use),
        (&mut code.example, &args.example),
    ] {
        if let Some(v) = value {
            field.clone_from(v);
        }
    }
    let proposal = Proposal {
        proposal_id: ProposalId::new_random(),
        rater_id,
        base_version: store.codebook_version()?,
        proposed: code,
        note: args.note.clone(),
        created_at: now_rfc3339(),
        status: "open".into(),
        decision_note: None,
    };
    ws.apply(
        "Propose a codebook change",
        Command::Team(TeamCommand::Propose(Box::new(proposal.clone()))),
    )?;
    println!(
        "proposal {} recorded for {:?}; the lead accepts or rejects it after merging",
        short(proposal.proposal_id),
        proposal.proposed.name
    );
    Ok(ExitCode::SUCCESS)
}

fn short(id: ProposalId) -> String {
    crate::app::correction_proposals::short(id)
}

/// Runs `accord proposals`.
pub fn proposals(cmd: &ProposalsCommand) -> anyhow::Result<ExitCode> {
    use crate::app::correction_proposals::{self as corrections, Found};
    match cmd {
        ProposalsCommand::List { project, json } => {
            let ws = open_to_read(&project.project)?;
            list_proposals(ws.store(), *json)?;
        }
        ProposalsCommand::Show { project, id } => {
            let ws = open_to_read(&project.project)?;
            match corrections::find(ws.store(), id)? {
                Found::Correction(p) => {
                    let row = corrections::rows(ws.store())?
                        .into_iter()
                        .find(|r| r.id == p.proposal_id);
                    if let Some(row) = row {
                        print_correction(&row);
                    }
                    match corrections::review(ws.store(), &p) {
                        Ok(review) => print!("{}", super::project::review(&review)),
                        Err(e) => println!("{e}"),
                    }
                }
                Found::Code(p) => {
                    let rows = proposal_rows(ws.store())?;
                    if let Some(row) = rows.iter().find(|r| r.id == p.proposal_id) {
                        print_code_proposal(row);
                    }
                }
            }
        }
        ProposalsCommand::Accept { project, id, note }
        | ProposalsCommand::Reject { project, id, note } => {
            let mut ws = open(&project.project)?;
            let accept = matches!(cmd, ProposalsCommand::Accept { .. });
            match corrections::find(ws.store(), id)? {
                Found::Correction(p) => decide_correction(&mut ws, &p, accept, note)?,
                Found::Code(proposal) => {
                    let (label, command) = if accept {
                        (
                            "Accept a proposal",
                            Command::Team(TeamCommand::AcceptProposal {
                                id: proposal.proposal_id,
                                note: note.clone(),
                            }),
                        )
                    } else {
                        (
                            "Reject a proposal",
                            Command::Team(TeamCommand::RejectProposal {
                                id: proposal.proposal_id,
                                note: note.clone(),
                            }),
                        )
                    };
                    ws.apply(label, command)?;
                    println!(
                        "{} proposal {} ({}){}",
                        if accept { "accepted" } else { "rejected" },
                        short(proposal.proposal_id),
                        proposal.proposed.name,
                        if accept {
                            format!("; codebook version {}", ws.store().codebook_version()?)
                        } else {
                            String::new()
                        }
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `accord proposals list`: codebook changes, then transcript corrections, open ones first.
fn list_proposals(store: &crate::app::Store, json: bool) -> anyhow::Result<()> {
    let corrections = crate::app::correction_proposals::rows(store)?;
    if json {
        let mut list = store.proposals()?;
        list.sort_by_key(|p| p.status != "open");
        let mut values: Vec<serde_json::Value> = list
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()?;
        for row in &corrections {
            values.push(serde_json::to_value(row)?);
        }
        output::json(&values)?;
        return Ok(());
    }
    let list = proposal_rows(store)?;
    for p in &list {
        print_code_proposal(p);
    }
    for row in &corrections {
        print_correction(row);
    }
    let open = list.iter().filter(|p| p.status == "open").count()
        + corrections.iter().filter(|p| p.status == "open").count();
    println!("{} proposals, {open} open", list.len() + corrections.len());
    Ok(())
}

fn print_code_proposal(p: &crate::app::team::ProposalRow) {
    println!(
        "{}  {:<8} {} by {} (from version {}): {}",
        short(p.id),
        p.status,
        if p.new_code { "new code" } else { "change" },
        p.who,
        p.base_version,
        p.name
    );
    for (field, now, proposed) in &p.changes {
        println!(
            "    {field}: {:?} -> {:?}",
            output::one_line(now, 60),
            output::one_line(proposed, 60)
        );
    }
    if !p.note.is_empty() {
        println!("    note: {}", p.note);
    }
}

fn print_correction(row: &crate::app::correction_proposals::CorrectionRow) {
    println!(
        "{}  {:<8} correction of {} by {} ({} change{}){}",
        short(row.id),
        row.status,
        row.transcript,
        row.who,
        row.edits.len(),
        if row.edits.len() == 1 { "" } else { "s" },
        if row.stale && row.status == "open" {
            "; the text has changed since, so it cannot be accepted as it is"
        } else {
            ""
        }
    );
    for (old, new) in row.edits.iter().take(5) {
        println!(
            "    {:?} -> {:?}",
            output::one_line(old, 60),
            output::one_line(new, 60)
        );
    }
    if row.edits.len() > 5 {
        println!(
            "    ... and {} more (accord proposals show)",
            row.edits.len() - 5
        );
    }
    if !row.note.is_empty() {
        println!("    note: {}", row.note);
    }
    if let Some(note) = row.decision_note.as_deref().filter(|n| !n.is_empty()) {
        println!("    decision: {note}");
    }
}

/// Accepts (the transcript corrected, after the review is printed) or rejects a proposed
/// correction.
fn decide_correction(
    ws: &mut crate::app::Workspace,
    p: &crate::model::CorrectionProposal,
    accept: bool,
    note: &str,
) -> anyhow::Result<()> {
    use crate::app::correction_proposals as corrections;
    if !accept {
        ws.apply(
            "Reject a correction proposal",
            Command::Team(TeamCommand::RejectCorrection {
                id: p.proposal_id,
                note: note.to_string(),
            }),
        )?;
        println!("rejected correction proposal {}", short(p.proposal_id));
        return Ok(());
    }
    let (review, command) = corrections::accept(ws.store(), p, note)?;
    print!("{}", super::project::review(&review));
    if let Some(backup) = ws.store().backup("before-correction")? {
        println!(
            "backup of the project before correcting: {}",
            backup.display()
        );
    }
    let outcome = ws.apply(
        &format!("Accept a correction of {}", review.transcript),
        command,
    )?;
    let Outcome::Corrected(report) = outcome else {
        anyhow::bail!("the correction did not report what it did");
    };
    println!(
        "accepted correction proposal {}: {} corrected, text version {}; {} codings carried, {} lost (kept as removed, with their words)",
        short(p.proposal_id),
        report.transcript,
        report.version,
        report.codings,
        report.lost
    );
    Ok(())
}
