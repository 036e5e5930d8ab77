//! The command line: `accord <subcommand>`. Each subcommand is a thin shell over `app/` and the core
//! modules; output is for people by default and JSON with `--json`.

mod adjudicate;
mod agreement;
mod breakdown;
mod codebook;
mod codings;
mod confusion;
mod deidentify;
mod demo;
mod export;
mod heatmaps;
mod history;
mod import;
mod irr;
mod memos;
mod output;
mod plan;
mod project;
mod refi;
mod rounds;
mod search;
mod show;
mod team;
mod writing;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Code qualitative interviews and measure interrater agreement, code by code.
#[derive(Debug, Parser)]
#[command(name = "accord", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do; with none, Accord opens the demo project (building it on first run).
    #[command(subcommand)]
    pub command: Option<Commands>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Open a project in the window.
    Open(ProjectPath),
    /// Create a new, empty project file.
    New(project::NewArgs),
    /// Encrypt a plain project in place with a passphrase (its plaintext backups and search index
    /// are deleted; copies elsewhere, such as exports and rater files, stay plaintext).
    Encrypt(project::EncryptArgs),
    /// Import transcripts (.txt, .vtt, .srt, .docx): files or folders.
    Import(import::ImportArgs),
    /// Import case attributes from a CSV (such as a REDCap export), or list them.
    Attributes(import::AttributesArgs),
    /// List, show, export or write memos (on the project, transcripts, codes, codings, passages
    /// and grid cells).
    #[command(subcommand)]
    Memos(memos::MemosCommand),
    /// Import, export or show the codebook.
    #[command(subcommand)]
    Codebook(codebook::CodebookCommand),
    /// Add or list raters.
    #[command(subcommand)]
    Rater(project::RaterCommand),
    /// Apply a code to a span or to whole turns, as a rater.
    Code(codings::CodeArgs),
    /// Remove codings.
    Uncode(codings::UncodeArgs),
    /// List codings, or import and export them as CSV.
    #[command(subcommand)]
    Codings(codings::CodingsCommand),
    /// Print a transcript with its turns and codings.
    Show(show::ShowArgs),
    /// List or remove transcripts.
    #[command(subcommand)]
    Transcripts(project::TranscriptsCommand),
    /// Search every interview (words, "phrases", AND/OR/NOT, prefix*, fuzzy~1, filters); with --code
    /// and --rater, code the hits.
    Search(search::SearchArgs),
    /// Rebuild the search index from the project.
    Reindex(ProjectPath),
    /// Build the demo project from samples/ and codebooks/.
    Demo(demo::DemoArgs),
    /// Agreement statistics of a ratings matrix (--csv) or of coded spans over a text (--spans).
    Irr(irr::IrrArgs),
    /// Agreement per code on a project, worst first, with the pooled row.
    Agreement(agreement::AgreementArgs),
    /// List each place where the raters differ.
    Disagreements(agreement::DisagreementsArgs),
    /// Code co-occurrence: how many turns were coded with both codes of each pair (a cell's
    /// passages with --cell), as `code:A AND code:B` finds them.
    Cooccurrence(heatmaps::CooccurrenceArgs),
    /// Codes x cases (or x a case attribute's values): each code's codings or turns in each (a
    /// cell's passages with --cell).
    Crosstab(heatmaps::CrosstabArgs),
    /// Export excerpts, matrices, co-occurrence, the codebook, the agreement report, or REFI-QDA
    /// (.qdc, .qdpx) files.
    Export(export::ExportArgs),
    /// Create a new project from a REFI-QDA project (.qdpx) written by NVivo, ATLAS.ti, MAXQDA,
    /// QualCoder or Accord.
    ImportQdpx(refi::ImportQdpxArgs),
    /// Write a rater file: chosen transcripts, the codebook, one rater and none of the others'
    /// codings, for coding blind on another machine.
    RaterFile(team::RaterFileArgs),
    /// Merge rater files back (a union by id; refused files change nothing; a backup is kept).
    Merge(team::MergeArgs),
    /// Propose a change to a code (or a new code) for the lead to accept or reject.
    Propose(team::ProposeArgs),
    /// List, accept or reject proposed codebook changes.
    #[command(subcommand)]
    Proposals(team::ProposalsCommand),
    /// Review disagreements and settle them into the consensus layer.
    #[command(subcommand)]
    Adjudicate(adjudicate::AdjudicateCommand),
    /// Start a reliability round, or compute its agreement.
    #[command(subcommand)]
    Round(rounds::RoundCommand),
    /// Each code's agreement across rounds, codes below the threshold first.
    Rounds(rounds::RoundsArgs),
    /// How many units and transcripts each code needs double-coded for a narrow enough interval,
    /// from a pilot round, and a seeded stratified sample of transcripts to code next.
    Plan(plan::PlanArgs),
    /// Undo the last change (made in the window or here, today or earlier).
    Undo(ProjectPath),
    /// Redo the last undone change.
    Redo(ProjectPath),
    /// List the changes that can be undone or redone (and, with --audit, every change ever made).
    History(history::HistoryArgs),
    /// Take a backup of the project now (into <file>.backups/).
    Backup(ProjectPath),
    /// Put a backup back in place of the project (the project as it was is backed up first).
    Restore(history::RestoreArgs),
    /// Replace real names with pseudonyms everywhere in the project (preview first; --apply).
    Deidentify(deidentify::DeidentifyArgs),
    /// Key quotes: flag excerpts that carry the argument, list them by theme with citations.
    #[command(subcommand)]
    Quotes(writing::QuotesCommand),
    /// The summary grid: cases by codes, each cell's excerpts and written summary.
    #[command(subcommand)]
    Grid(writing::GridCommand),
    /// Write the report: by theme, each code's definition, agreement, key quotes with their
    /// provenance, memos and case summaries, and the methods (Markdown, HTML or DOCX).
    Report(writing::ReportArgs),
}

impl Commands {
    /// The project a command changes, if it changes one (its search index is brought up to date).
    fn changed_project(&self) -> Option<PathBuf> {
        match self {
            Self::Import(a) => Some(a.project.project.clone()),
            Self::Attributes(a) if a.file.is_some() => Some(a.project.project.clone()),
            Self::Code(a) => Some(a.project.project.clone()),
            Self::Uncode(a) => Some(a.project.project.clone()),
            Self::Codings(codings::CodingsCommand::Import { project, .. })
            | Self::Transcripts(
                project::TranscriptsCommand::Remove { project, .. }
                | project::TranscriptsCommand::Edit {
                    project,
                    apply: true,
                    ..
                },
            ) => Some(project.project.clone()),
            Self::Merge(a) => Some(a.project.project.clone()),
            Self::Undo(p) | Self::Redo(p) => Some(p.project.clone()),
            Self::Restore(a) if !a.list => Some(a.project.project.clone()),
            Self::Adjudicate(
                adjudicate::AdjudicateCommand::Decide { review, .. }
                | adjudicate::AdjudicateCommand::Agreements { review, .. },
            ) => Some(review.project.project.clone()),
            _ => None,
        }
    }
}

/// What is left to do once the command line has run.
#[derive(Debug)]
pub enum Next {
    /// Nothing: exit with this code.
    Done(ExitCode),
    /// Open the window on this project (only asked for when the build has the window).
    #[cfg(feature = "gui")]
    Window(PathBuf),
}

/// Runs the command line; errors are reported once, here (see [`report`]). `window` says whether
/// a window can open (a build with the window, on a display): `accord` alone then asks for it.
#[must_use]
pub fn run(cli: Cli, window: bool) -> Next {
    let changed = cli.command.as_ref().and_then(Commands::changed_project);
    let result = match cli.command {
        None => demo::open_default(window),
        Some(command) => run_command(command),
    };
    let result = result.inspect(|_| {
        // Only a project with an index on disk has one to bring up to date (an encrypted project
        // keeps its index in memory), so nothing asks for a passphrase twice. The change is saved
        // by now: anything that goes wrong with the index is a warning, never a failure (running
        // the command again would make the change twice).
        if let Some(path) = changed.filter(|p| crate::app::search::has_index_on_disk(p)) {
            match open_workspace(&path, crate::app::open::Purpose::Upkeep) {
                Ok(ws) => search::after_change(ws.store()),
                Err(e) => eprintln!(
                    "warning: {e:#}; the change is saved, and the search index will catch up at the next search"
                ),
            }
        }
    });
    match result {
        Ok(next) => next,
        Err(e) => Next::Done(report(e)),
    }
}

/// Reports an error of the command line (or of the window it asked for) once, naming the project
/// it arose in; returns the failing exit code.
#[must_use]
pub fn report(e: anyhow::Error) -> ExitCode {
    eprintln!("error: {}", said_once(&naming_the_project(e)));
    ExitCode::FAILURE
}

fn run_command(command: Commands) -> anyhow::Result<Next> {
    let code = match command {
        Commands::Open(args) => return demo::open_in_window(&args.project),
        Commands::New(args) => project::new(&args),
        Commands::Encrypt(args) => project::encrypt(&args),
        Commands::Import(args) => import::import(&args),
        Commands::Attributes(args) => import::attributes(&args),
        Commands::Codebook(cmd) => codebook::run(&cmd),
        Commands::Memos(cmd) => memos::run(&cmd),
        Commands::Rater(cmd) => project::rater(&cmd),
        Commands::Code(args) => codings::code(&args),
        Commands::Uncode(args) => codings::uncode(&args),
        Commands::Codings(cmd) => codings::run(&cmd),
        Commands::Show(args) => show::show(&args),
        Commands::Transcripts(cmd) => project::transcripts(&cmd),
        Commands::Search(args) => search::search(&args),
        Commands::Reindex(args) => search::reindex(&args),
        Commands::Demo(args) => demo::demo(&args),
        Commands::Irr(args) => irr::irr(&args),
        Commands::Agreement(args) => agreement::agreement(&args),
        Commands::Disagreements(args) => agreement::list_disagreements(&args),
        Commands::Cooccurrence(args) => heatmaps::run_cooccurrence(&args),
        Commands::Crosstab(args) => heatmaps::run_crosstab(&args),
        Commands::Export(args) => export::export(&args),
        Commands::ImportQdpx(args) => refi::import_qdpx(&args),
        Commands::RaterFile(args) => team::rater_file(&args),
        Commands::Merge(args) => team::merge(&args),
        Commands::Propose(args) => team::propose(&args),
        Commands::Proposals(cmd) => team::proposals(&cmd),
        Commands::Adjudicate(cmd) => adjudicate::adjudicate(&cmd),
        Commands::Round(cmd) => rounds::round(&cmd),
        Commands::Rounds(args) => rounds::rounds(&args),
        Commands::Plan(args) => plan::run(&args),
        Commands::Undo(args) => history::undo_redo(&args, false),
        Commands::Redo(args) => history::undo_redo(&args, true),
        Commands::History(args) => history::history(&args),
        Commands::Backup(args) => history::backup(&args),
        Commands::Restore(args) => history::restore(&args),
        Commands::Deidentify(args) => deidentify::deidentify(&args),
        Commands::Quotes(cmd) => writing::quotes(&cmd),
        Commands::Grid(cmd) => writing::grid(&cmd),
        Commands::Report(args) => writing::report(&args),
    }?;
    Ok(Next::Done(code))
}

/// An error and its causes on one line, each said once: a cause whose text the message already
/// holds (an error that prints its source and also returns it) is not repeated.
fn said_once(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

/// The project this command opened last, to name it in an error that arose deep inside a read
/// (a damaged value) where the store could not name it.
static OPENED: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

fn naming_the_project(mut e: anyhow::Error) -> anyhow::Error {
    if let Some(path) = OPENED.lock().ok().and_then(|p| p.clone()) {
        crate::app::open::name_the_project(&mut *e, &path);
    }
    e
}

/// An open project, as the command line holds it: the same handle the window holds, so every
/// change goes through [`crate::app::Workspace::apply`] and lands in the project's one history.
type Project = crate::app::Workspace;

/// Opens a project file to change it, with the file named in any error; an encrypted project
/// asks for its passphrase (see [`passphrase`]). A damaged file is refused here (SQLite's quick
/// check), before anything is written to it or copied from it into a backup.
pub(crate) fn open(path: &std::path::Path) -> anyhow::Result<Project> {
    open_workspace(path, crate::app::open::Purpose::Change)
}

/// Opens a project file to read it: where nothing can be written beside it (a read-only folder,
/// a full disk) it is opened read-only, with a note.
pub(crate) fn open_to_read(path: &std::path::Path) -> anyhow::Result<Project> {
    open_workspace(path, crate::app::open::Purpose::Read)
}

/// Opens a project file for `purpose` the one way the window opens it too
/// ([`crate::app::Workspace::open_for`]), with the file named in any error and what opening had to
/// say on standard error; an encrypted project asks for its passphrase (see [`passphrase`]).
pub(crate) fn open_workspace(
    path: &std::path::Path,
    purpose: crate::app::open::Purpose,
) -> anyhow::Result<crate::app::Workspace> {
    if let Ok(mut opened) = OPENED.lock() {
        *opened = Some(path.to_path_buf());
    }
    let mut ws = crate::app::Workspace::open_for(path, purpose, || passphrase(path, false))?;
    for note in ws.take_open_notes() {
        eprintln!("{note}");
    }
    Ok(ws)
}

/// The passphrase of a project that is encrypted, asked for; `None` for a plain project.
pub(crate) fn passphrase_if_encrypted(
    path: &std::path::Path,
) -> anyhow::Result<Option<crate::app::Passphrase>> {
    match crate::app::open::is_encrypted(path) {
        Ok(true) => Ok(Some(passphrase(path, false)?)),
        _ => Ok(None),
    }
}

/// A passphrase: from `ACCORD_PASSPHRASE` (scripts), or asked for on the terminal without echo.
/// It is never stored. `new` asks twice and wants a long enough one.
pub(crate) fn passphrase(
    path: &std::path::Path,
    new: bool,
) -> anyhow::Result<crate::app::Passphrase> {
    use std::io::IsTerminal as _;
    let text = if let Ok(text) = std::env::var("ACCORD_PASSPHRASE") {
        text
    } else {
        anyhow::ensure!(
            std::io::stdin().is_terminal(),
            "{}: the project is encrypted; give its passphrase in ACCORD_PASSPHRASE or run accord in a terminal to be asked",
            path.display()
        );
        let text = rpassword::prompt_password(format!("Passphrase for {}: ", path.display()))?;
        if new {
            let again = rpassword::prompt_password("The same passphrase again: ")?;
            anyhow::ensure!(
                text == again,
                "the two passphrases differ; nothing was created"
            );
        }
        text
    };
    Ok(if new {
        crate::app::Passphrase::for_new_project(text)?
    } else {
        crate::app::Passphrase::new(text)
    })
}

/// The project argument most subcommands take first.
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectPath {
    /// The project file (`*.accord`).
    pub project: PathBuf,
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_error_chain_is_said_once() {
        let io = std::io::Error::other("disk on fire");
        let e = anyhow::Error::new(crate::import::ImportError::Io {
            path: "a.txt".into(),
            source: io,
        });
        assert_eq!(
            super::said_once(&e),
            "a.txt: cannot read the file: disk on fire"
        );
        let e = anyhow::Error::msg("inner").context("outer");
        assert_eq!(super::said_once(&e), "outer: inner");
    }
}
