//! `accord new`, `accord transcripts` and `accord rater add|list`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{ProjectPath, open, open_to_read, output};
use crate::app::TranscriptCommand;
use crate::app::{Command, Outcome, project_file};
use crate::model::RaterKind;

/// Arguments of `accord new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The project file to create (`*.accord`).
    pub project: PathBuf,
    /// The project's name (default: the file name).
    #[arg(long)]
    pub name: Option<String>,
    /// Encrypt the project (SQLCipher) with a passphrase, asked for twice and never stored
    /// (`ACCORD_PASSPHRASE` gives it to scripts). Lose it and the project cannot be opened.
    #[arg(long)]
    pub encrypt: bool,
}

/// Arguments of `accord encrypt`.
#[derive(Debug, Args)]
pub struct EncryptArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of commands that take only a project.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `accord transcripts ...`
#[derive(Debug, Subcommand)]
pub enum TranscriptsCommand {
    /// List transcripts.
    List(ProjectArgs),
    /// Remove a transcript from the project (its codings are kept in the file, untouched).
    Remove {
        #[command(flatten)]
        project: ProjectPath,
        /// Transcript name or id.
        transcript: String,
    },
    /// Correct a transcript's text after coding: prints what the correction does to every rater's
    /// codings (same, moved, resized, lost) and to the turns.
    Edit {
        #[command(flatten)]
        project: ProjectPath,
        /// Transcript name or id.
        transcript: String,
        /// The whole corrected text (read as an import reads a .txt: same speaker-label rules).
        #[arg(long, conflicts_with = "replace", required_unless_present_any = ["replace", "turn"])]
        file: Option<PathBuf>,
        /// One fix: the words to replace (they must occur exactly once) and the new words.
        #[arg(long, num_args = 2, value_names = ["OLD", "NEW"])]
        replace: Option<Vec<String>>,
        /// A turn whose time stamp to fix (1-based, as `accord show` numbers turns), with --time.
        #[arg(long, requires = "time", conflicts_with_all = ["file", "replace"])]
        turn: Option<usize>,
        /// The turn's new time: START or START-END, each HH:MM:SS, MM:SS or SS (fractions allowed).
        #[arg(long, requires = "turn")]
        time: Option<String>,
        /// Write the correction (without it, only the review is printed). Undo with `accord undo`.
        #[arg(long)]
        apply: bool,
        /// Who corrects (a rater's name), for the audit log.
        #[arg(long, short = 'r')]
        rater: Option<String>,
        /// Why (kept with a correction proposed from a rater file, for the lead).
        #[arg(long, default_value = "")]
        note: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Erase transcripts for good (a participant withdrew consent): their text, turns, codings,
    /// memos and decisions leave the file, the search index and every backup. Shows what would go;
    /// --yes erases. Cannot be undone.
    Erase {
        #[command(flatten)]
        project: ProjectPath,
        /// Transcript names or ids (a removed transcript by its id).
        transcripts: Vec<String>,
        /// Also every removed transcript (a removed transcript's text is still in the file).
        #[arg(long)]
        removed: bool,
        /// Erase (without it, only what would go is shown).
        #[arg(long)]
        yes: bool,
    },
}

/// `accord rater ...`
#[derive(Debug, Subcommand)]
pub enum RaterCommand {
    /// Add a rater.
    Add {
        #[command(flatten)]
        project: ProjectPath,
        /// The rater's name.
        name: String,
        /// A consensus layer rather than a person.
        #[arg(long)]
        consensus: bool,
        /// A second pass of this rater: the same person coding again, compared with their first
        /// pass for intra-rater agreement.
        #[arg(long, conflicts_with = "consensus")]
        pass_of: Option<String>,
    },
    /// List raters.
    List(ProjectArgs),
}

/// Creates a project.
pub fn new(args: &NewArgs) -> anyhow::Result<ExitCode> {
    let name = args.name.clone().unwrap_or_else(|| {
        args.project
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("Accord project")
            .to_string()
    });
    let key = if args.encrypt {
        Some(super::passphrase(&args.project, true)?)
    } else {
        None
    };
    let store = project_file::create(&args.project, &name, key.as_ref())?;
    println!(
        "Created {} (project {}{}).",
        args.project.display(),
        store.project_id()?,
        if store.is_encrypted() {
            "; encrypted: keep the passphrase safe, it is not stored anywhere"
        } else {
            ""
        }
    );
    println!(
        "Next: accord codebook import {} codebooks/capp-phase3.toml",
        output::shell_word(&args.project)
    );
    Ok(ExitCode::SUCCESS)
}

/// Encrypts a plain project in place.
pub fn encrypt(args: &EncryptArgs) -> anyhow::Result<ExitCode> {
    let path = &args.project.project;
    // A project that is already encrypted (or not a project) is refused before asking anything.
    crate::app::encrypt::refuse_if_encrypted(path)?;
    let key = super::passphrase(path, true)?;
    let mut ws = open(path)?;
    let command = Command::Project(crate::app::ProjectCommand::Encrypt(key));
    let Outcome::Encrypted(mut done) = ws.apply("Encrypt the project", command)? else {
        anyhow::bail!("encrypting did not report what it did");
    };
    // Named as it was given (the store knows the real file).
    done.project.clone_from(path);
    if args.json {
        output::json(&done)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Encrypted {}: {} rows in {} tables copied into an encrypted file, checked, and put in \
         place of the plain one. Keep the passphrase safe: it is not stored anywhere.",
        path.display(),
        done.rows,
        done.tables
    );
    if let Some(backup) = &done.backup {
        println!(
            "Backups: {} plaintext backup(s) deleted; one encrypted backup taken: {}",
            done.backups_deleted,
            backup.display()
        );
    }
    if done.index_deleted {
        println!(
            "Search index: the plaintext index on disk was deleted (an encrypted project keeps its \
             index in memory)."
        );
    }
    if let Some(left) = &done.index_left {
        println!(
            "Search index: {} does not look like Accord's index and was left alone; delete it if \
             it holds the transcripts' words.",
            left.display()
        );
    }
    println!(
        "Copies made before are still plaintext: exports, rater files already issued, and any copy \
         of the project elsewhere. Delete them or replace them."
    );
    Ok(ExitCode::SUCCESS)
}

/// Lists or removes transcripts.
pub fn transcripts(cmd: &TranscriptsCommand) -> anyhow::Result<ExitCode> {
    let args = match cmd {
        TranscriptsCommand::List(args) => args,
        TranscriptsCommand::Erase {
            project,
            transcripts,
            removed,
            yes,
        } => return erase(&project.project, transcripts, *removed, *yes),
        TranscriptsCommand::Edit {
            project,
            transcript,
            file,
            replace,
            turn,
            time,
            apply,
            rater,
            note,
            json,
        } => {
            let fix = match (file.as_deref(), replace.as_deref(), turn, time) {
                (Some(path), ..) => Fix::File(path),
                (None, Some([old, new]), ..) => Fix::Replace(old, new),
                (None, None, Some(turn), Some(time)) => Fix::Time(*turn, parse_times(time)?),
                _ => anyhow::bail!(
                    "give the corrected text with --file, one fix with --replace OLD NEW, or a \
                     turn's time with --turn N --time START[-END]"
                ),
            };
            let how = How {
                apply: *apply,
                rater: rater.as_deref(),
                note,
                json: *json,
            };
            return edit(&project.project, transcript, &fix, &how);
        }
        TranscriptsCommand::Remove {
            project,
            transcript,
        } => {
            let mut ws = open(&project.project)?;
            let found = ws.store().find_transcript(transcript)?;
            // A transcript leaves with every coding on it: undoable, and kept in a backup too.
            if let Some(backup) = ws.store().backup("before-remove-transcript")? {
                println!(
                    "backup of the project before removing: {}",
                    backup.display()
                );
            }
            ws.apply(
                &format!("Remove transcript {}", found.name),
                Command::Transcripts(TranscriptCommand::Remove(found.transcript_id)),
            )?;
            println!("removed transcript {}", found.name);
            return Ok(ExitCode::SUCCESS);
        }
    };
    let ws = open_to_read(&args.project.project)?;
    let list = ws.store().transcripts()?;
    if args.json {
        output::json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<24} {:<8} {:<5} {:>6} {:>9}",
        "transcript", "case", "from", "turns", "chars"
    );
    for t in &list {
        println!(
            "{:<24} {:<8} {:<5} {:>6} {:>9}",
            t.name,
            t.case_name.as_deref().unwrap_or("-"),
            t.format.as_str(),
            t.turn_count,
            t.len_chars
        );
    }
    println!("{} transcripts", list.len());
    Ok(ExitCode::SUCCESS)
}

/// What `accord transcripts edit` corrects.
enum Fix<'a> {
    /// The whole corrected text, in a file.
    File(&'a std::path::Path),
    /// One fix: old words, new words.
    Replace(&'a str, &'a str),
    /// A turn's new times.
    Time(usize, crate::app::correct::TurnTimes),
}

/// `START` or `START-END`.
fn parse_times(text: &str) -> anyhow::Result<crate::app::correct::TurnTimes> {
    let (start, end) = match text.split_once('-') {
        Some((s, e)) => (s, Some(e)),
        None => (text, None),
    };
    let parse =
        |t: &str| crate::model::parse_time_ms(t).map_err(|e| anyhow::anyhow!("--time: {e}"));
    Ok((Some(parse(start)?), end.map(parse).transpose()?))
}

/// How `accord transcripts edit` runs: whether it writes, who corrects, why, and in JSON.
struct How<'a> {
    apply: bool,
    rater: Option<&'a str>,
    note: &'a str,
    json: bool,
}

/// `accord transcripts edit`: the correction's review, and with `apply` the correction written
/// (in a rater file, proposed to the lead).
fn edit(
    project: &std::path::Path,
    transcript: &str,
    fix: &Fix<'_>,
    how: &How<'_>,
) -> anyhow::Result<ExitCode> {
    let How {
        apply,
        rater,
        note,
        json,
    } = *how;
    let mut ws = if apply {
        open(project)?
    } else {
        open_to_read(project)?
    };
    let correction = match fix {
        Fix::File(path) => crate::app::correct::from_file(ws.store(), transcript, path)?,
        Fix::Replace(old, new) => crate::app::correct::replace(ws.store(), transcript, old, new)?,
        Fix::Time(turn, times) => {
            crate::app::correct::retime(ws.store(), transcript, *turn, *times)?
        }
    };
    let by = rater
        .map(|name| ws.store().find_rater(name).map(|r| r.rater_id))
        .transpose()?;
    if json && !apply {
        output::json(&correction)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !json {
        print!("{}", review(&correction));
    }
    if !apply || !correction.changes_anything() {
        if !json && correction.changes_anything() {
            println!(
                "Nothing was written: add --apply to correct the transcript (undo with accord undo)."
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(proposal) =
        crate::app::correction_proposals::as_proposal(ws.store(), &correction, note)?
    {
        let id = proposal.proposal_id;
        ws.apply(
            &format!("Propose a correction of {}", correction.transcript),
            Command::Team(crate::app::command::TeamCommand::ProposeCorrection(
                Box::new(proposal),
            )),
        )?;
        if json {
            output::json(&serde_json::json!({ "proposed": id }))?;
        } else {
            println!(
                "proposed the correction of {} to the lead (proposal {}): this is a rater file, \
                 whose transcripts are the lead's; the proposal goes with your work when the lead \
                 merges this file, and the lead accepts or rejects it (accord proposals)",
                correction.transcript,
                crate::app::correction_proposals::short(id)
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(backup) = ws.store().backup("before-correction")? {
        println!(
            "backup of the project before correcting: {}",
            backup.display()
        );
    }
    let outcome = ws.apply(
        &format!("Correct transcript {}", correction.transcript),
        Command::Transcripts(TranscriptCommand::Correct(Box::new(
            correction.to_write(by),
        ))),
    )?;
    let Outcome::Corrected(report) = outcome else {
        anyhow::bail!("the correction did not report what it did");
    };
    if json {
        output::json(&report)?;
    } else {
        println!(
            "corrected {}: text version {}; {} codings carried, {} lost (kept as removed, with their words)",
            report.transcript, report.version, report.codings, report.lost
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What a correction does, for people: its edits, the turns, the codings counted by outcome, then
/// every resized and every lost coding with its words before and after.
pub(super) fn review(c: &crate::app::correct::Correction) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (turn, before, after) in &c.retimed {
        let show = |(s, e): crate::app::correct::TurnTimes| {
            let f = |t: Option<u64>| t.map_or("?".to_string(), crate::model::format_time_ms);
            format!("{}-{}", f(s), f(e))
        };
        let _ = writeln!(
            out,
            "{}: turn {turn}'s time {} -> {}",
            c.transcript,
            show(*before),
            show(*after)
        );
    }
    if !c.changes_anything() {
        let _ = writeln!(
            out,
            "{}: the corrected text is the text as it is; nothing to do",
            c.transcript
        );
        return out;
    }
    if c.splices.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "Correcting {} ({} change{}):",
        c.transcript,
        c.edits.len(),
        if c.edits.len() == 1 { "" } else { "s" }
    );
    for (old, new) in c.edits.iter().take(20) {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\"",
            output::one_line(old, 60),
            output::one_line(new, 60)
        );
    }
    if c.edits.len() > 20 {
        let _ = writeln!(out, "  ... and {} more", c.edits.len() - 20);
    }
    let _ = writeln!(
        out,
        "Turns: {} before, {} after{}.",
        c.turns.0,
        c.turns.1,
        if c.turns_reread {
            " (a label or the text between turns changed: turns read again)"
        } else {
            ""
        }
    );
    let n = c.counts;
    let _ = writeln!(
        out,
        "Codings: {} unchanged, {} moved (same words), {} resized (words edited), {} lost (every word deleted).",
        n.same, n.moved, n.resized, n.lost
    );
    for (label, lost) in [("resized", false), ("LOST", true)] {
        for ch in c.codings.iter().filter(|ch| {
            !ch.removed
                && matches!(
                    (ch.carried, lost),
                    (crate::model::anchors::Carried::Resized(_), false)
                        | (crate::model::anchors::Carried::Lost, true)
                )
        }) {
            let _ = writeln!(
                out,
                "  {label:<7} {} / {}: \"{}\"{}",
                ch.rater,
                ch.code,
                output::one_line(&ch.quote_before, 60),
                ch.quote_after
                    .as_deref()
                    .map(|q| format!(" -> \"{}\"", output::one_line(q, 60)))
                    .unwrap_or_default()
            );
        }
    }
    let lost = c
        .adjudications
        .iter()
        .filter(|a| a.1 == crate::model::anchors::Carried::Lost)
        .count();
    if lost > 0 {
        let _ = writeln!(
            out,
            "Adjudication records whose passage is deleted: {lost}."
        );
    }
    out
}

/// Adds or lists raters.
pub fn rater(cmd: &RaterCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RaterCommand::Add {
            project,
            name,
            consensus,
            pass_of,
        } => {
            let mut ws = open(&project.project)?;
            if let Some(first) = pass_of {
                let first = ws.store().find_rater(first)?;
                if let Outcome::Rater(r) = ws.apply(
                    &format!("Add rater {name}"),
                    Command::Raters(crate::app::RaterCommand::AddSecondPass {
                        first: first.rater_id,
                        name: name.clone(),
                    }),
                )? {
                    println!(
                        "{}",
                        output::terminal_safe(&format!(
                            "Added rater {} ({}), a second pass of {}.",
                            r.name, r.rater_id, first.name
                        ))
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            let kind = if *consensus {
                RaterKind::Consensus
            } else {
                RaterKind::Human
            };
            if let Outcome::Rater(r) = ws.apply(
                &format!("Add rater {name}"),
                Command::Raters(crate::app::RaterCommand::Add {
                    name: name.clone(),
                    kind,
                }),
            )? {
                println!(
                    "{}",
                    output::terminal_safe(&format!(
                        "Added rater {} ({}, {}).",
                        r.name, r.kind, r.rater_id
                    ))
                );
            }
        }
        RaterCommand::List(args) => {
            let ws = open_to_read(&args.project.project)?;
            let raters = ws.store().raters()?;
            if args.json {
                output::json(&raters)?;
            } else {
                for r in &raters {
                    println!(
                        "{}",
                        output::terminal_safe(&format!(
                            "{:<24} {:<10} {}",
                            r.name, r.kind, r.rater_id
                        ))
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `accord transcripts erase`.
fn erase(
    path: &std::path::Path,
    references: &[String],
    removed: bool,
    yes: bool,
) -> anyhow::Result<ExitCode> {
    use crate::model::TranscriptId;
    let mut ws = open(path)?;
    let every = ws.store().all_transcript_ids()?;
    let mut chosen: Vec<TranscriptId> = Vec::new();
    for reference in references {
        chosen.push(match ws.store().find_transcript(reference) {
            Ok(t) => t.transcript_id,
            Err(e) => match reference.trim().parse::<TranscriptId>() {
                Ok(id) if every.contains(&id) => id,
                _ => return Err(e.into()),
            },
        });
    }
    let ids = crate::app::erase::with_removed(ws.store(), &chosen, removed)?;
    if ids.is_empty() {
        anyhow::bail!("name the transcripts to erase, or give --removed for every removed one");
    }
    let e = ws.store().erasure(&ids)?;
    let what = e.to_string();
    if !yes {
        println!(
            "would erase {what}, and every backup and the undo history (they hold the text). \
             Nothing has changed; run again with --yes to erase (this cannot be undone). Rater \
             files, exports and copies outside the project's folder (a moved or copied project) \
             are not reached: delete those too."
        );
        return Ok(ExitCode::SUCCESS);
    }
    let command = Command::Project(crate::app::ProjectCommand::Erase(ids));
    let Outcome::Erased(erased) = ws.apply("Erase transcripts", command)? else {
        return Err(crate::app::AppError::Invalid("nothing was erased".into()).into());
    };
    println!(
        "erased {what}; the file was vacuumed and the search index rebuilt. Copies outside the \
         project's folder are not reached: delete any rater files, exports or moved copies of the \
         project that hold it too."
    );
    if let Some(b) = erased.backup {
        println!("old backups replaced by {}", b.display());
    }
    Ok(ExitCode::SUCCESS)
}
