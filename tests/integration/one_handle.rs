//! One handle to a project for the window and the command line: both open a project through
//! `Workspace::open_for` (damage check, pending purge finished, the window's opening backup), and
//! both search, compute `irr --spans` and import through the same application functions.

use std::path::Path;

use accord::Store;
use accord::app::Workspace;
use accord::app::open::Purpose;
use accord::app::search::{Filters, ResultOrder, SearchOptions};
use accord::store::list_backups;

use crate::erase::erase_killed_before_the_purge;
use crate::support::{accord, damage, demo, files_holding, snapshot};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn no_passphrase() -> Result<accord::store::Passphrase, accord::app::AppError> {
    panic!("a plain project asks for no passphrase")
}

#[test]
fn the_window_refuses_a_damaged_project_with_the_command_lines_message() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    damage(&project);
    let before = snapshot(&project);
    let backups = list_backups(&project).unwrap().len();
    let cli = accord(dir.path(), &["backup", s(&project)]).failure();
    let window = Workspace::open_for(&project, Purpose::Session, no_passphrase)
        .expect_err("a damaged project is refused");
    let message = window.to_string();
    assert!(message.contains("damaged"), "{message}");
    assert!(cli.stderr.contains(&message), "{} / {message}", cli.stderr);
    #[cfg(feature = "gui")]
    {
        let Err(e) = accord::gui::Root::for_project(&project) else {
            panic!("the window opened a damaged project");
        };
        assert!(cli.stderr.contains(&e.to_string()), "{e}");
    }
    assert_eq!(
        snapshot(&project),
        before,
        "opening wrote to a damaged file"
    );
    assert_eq!(
        list_backups(&project).unwrap().len(),
        backups,
        "a backup of a damaged file was taken"
    );
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "only a debug build stops an erase before its purge"
)]
fn the_windows_open_finishes_a_pending_purge_then_backs_up() {
    let outer = tempfile::tempdir().unwrap();
    let folder = outer.path().join("project");
    std::fs::create_dir_all(&folder).unwrap();
    let project = demo(&folder);
    accord(&folder, &["backup", s(&project)]).success();
    erase_killed_before_the_purge(&folder, &project, "P01_interview");
    assert!(!files_holding(&folder, &["go eat lunch now"]).is_empty());

    let mut ws = Workspace::open_for(&project, Purpose::Session, no_passphrase).unwrap();
    let notes = ws.take_open_notes();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("finished an interrupted erase")),
        "{notes:?}"
    );
    assert!(ws.take_open_notes().is_empty(), "the notes are told once");
    drop(ws);
    let left = files_holding(&folder, &["go eat lunch now"]);
    assert!(left.is_empty(), "the interview is still on disk: {left:?}");
    let backups = list_backups(&project).unwrap();
    assert!(
        backups.iter().any(|b| b.reason.starts_with("open")),
        "the window's opening backup: {backups:?}"
    );
}

#[cfg(feature = "gui")]
#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "only a debug build stops an erase before its purge"
)]
fn the_window_root_shows_what_opening_did() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    erase_killed_before_the_purge(dir.path(), &project, "P01_interview");
    let root = accord::gui::Root::for_project(&project).unwrap();
    let app = root.app().expect("a plain project opens at once");
    let message = format!("{:?}", app.state.message);
    assert!(
        message.contains("finished an interrupted erase"),
        "{message}"
    );
    assert_eq!(
        app.workspace()
            .unwrap()
            .store()
            .setting(accord::model::PURGE_PENDING)
            .unwrap(),
        None
    );
}

#[test]
fn the_command_line_takes_no_opening_backup_and_the_window_one_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let opening = |p: &Path| {
        list_backups(p)
            .unwrap()
            .iter()
            .filter(|b| b.reason.starts_with("open"))
            .count()
    };
    drop(Workspace::open_for(&project, Purpose::Change, no_passphrase).unwrap());
    drop(Workspace::open_for(&project, Purpose::Read, no_passphrase).unwrap());
    assert_eq!(opening(&project), 0);
    drop(Workspace::open_for(&project, Purpose::Session, no_passphrase).unwrap());
    drop(Workspace::open_for(&project, Purpose::Session, no_passphrase).unwrap());
    assert_eq!(opening(&project), 1);
}

/// (transcript name, turn, spans) of each hit.
type Found = Vec<(String, u64, Vec<(usize, usize)>)>;

fn cli_hits(dir: &Path, project: &Path, args: &[&str]) -> Found {
    let mut all = vec!["search", s(project)];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--limit", "200", "--json"]);
    let run = accord(dir, &all).success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["transcript"].as_str().unwrap().to_string(),
                h["turn"].as_u64().unwrap(),
                serde_json::from_value(h["spans"].clone()).unwrap(),
            )
        })
        .collect()
}

fn window_hits(ws: &mut Workspace, query: &str, filters: &Filters, order: ResultOrder) -> Found {
    let names: std::collections::HashMap<String, String> = ws
        .store()
        .transcripts()
        .unwrap()
        .into_iter()
        .map(|t| (t.transcript_id.to_text(), t.name))
        .collect();
    let found = ws
        .search_filtered(
            query,
            filters,
            &SearchOptions {
                limit: 200,
                order,
                ..SearchOptions::default()
            },
        )
        .unwrap();
    found
        .results
        .hits
        .iter()
        .map(|h| {
            (
                names[&h.transcript_id].clone(),
                h.turn_index,
                h.spans.iter().map(|s| (s.start, s.end)).collect(),
            )
        })
        .collect()
}

#[test]
fn the_command_line_and_the_window_search_alike() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p01 = Store::open(&project)
        .unwrap()
        .find_transcript("P01_interview")
        .unwrap()
        .transcript_id;
    let mut ws = Workspace::open(&project).unwrap();
    // The window passes the transcript by id, the command line by name.
    let window_filters = Filters {
        role: Some("participant".into()),
        transcript: Some(p01.to_text()),
        ..Filters::default()
    };
    for query in ["work", "supervisor OR work", "\"my work\" OR lunch"] {
        let cli = cli_hits(
            dir.path(),
            &project,
            &[
                query,
                "--role",
                "participant",
                "--transcript",
                "P01_interview",
                "--order",
                "transcript",
            ],
        );
        let window = window_hits(
            &mut ws,
            query,
            &window_filters,
            ResultOrder::TranscriptOrder,
        );
        assert_eq!(cli, window, "{query}");
        assert!(cli.iter().all(|h| h.0 == "P01_interview"), "{cli:?}");
    }
    // No filters, by relevance.
    let cli = cli_hits(dir.path(), &project, &["work OR time"]);
    let window = window_hits(
        &mut ws,
        "work OR time",
        &Filters::default(),
        ResultOrder::Relevance,
    );
    assert!(!cli.is_empty());
    assert_eq!(cli, window);
    // A query that is all filters (the window's search box left empty).
    let only = window_hits(&mut ws, "", &window_filters, ResultOrder::TranscriptOrder);
    assert!(!only.is_empty());
}

#[test]
fn irr_spans_through_app_gives_the_command_lines_figures() {
    let dir = tempfile::tempdir().unwrap();
    let spans = dir.path().join("spans.csv");
    std::fs::write(
        &spans,
        "rater,code,start,end\n\
         ana,Burnout,0,40\nben,Burnout,5,42\ncy,Burnout,0,38\n\
         ana,Support,60,90\nben,Support,70,95\ncy,Support,100,120\n",
    )
    .unwrap();
    let run = accord(
        dir.path(),
        &[
            "irr",
            "--spans",
            s(&spans),
            "--length",
            "200",
            "--replicates",
            "200",
            "--json",
        ],
    )
    .success();
    let cli: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let opts = accord::agreement::StatOptions {
        bootstrap_replicates: 200,
        ..accord::agreement::StatOptions::default()
    };
    let table = accord::app::irr::read_spans(&spans, 200).unwrap();
    assert_eq!(table.raters(), ["ana", "ben", "cy"]);
    let all = table.all(&opts).unwrap();
    assert_eq!(all.len(), 2);
    for (code, c) in &all {
        let mut value = c.report.to_json();
        value["u_alpha_binary"] = c
            .u_alpha
            .value
            .map_or(serde_json::Value::Null, serde_json::Value::from);
        // Through text as the command line prints it (parsing the last digit as it was read).
        let value: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
        assert_eq!(cli[code], value, "{code}");
    }
    // A bad row is refused with the same words as before.
    std::fs::write(&spans, "rater,code,start,end\nana,X,5,500\n").unwrap();
    let e = accord::app::irr::read_spans(&spans, 200).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("spans.csv:2: span 5..500 is empty or outside 0..200"),
        "{e}"
    );
    accord(
        dir.path(),
        &["irr", "--spans", s(&spans), "--length", "200"],
    )
    .failure()
    .stderr_has(&e.to_string());
}

#[test]
fn a_file_read_for_the_window_is_stored_as_the_command_line_stores_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.accord");
    Store::create(&project, "P").unwrap();
    let file = crate::support::samples().join("transcripts/P01_interview.txt");
    let mut ws = Workspace::open(&project).unwrap();
    let opts = accord::import::ImportOptions::default();
    let first = accord::app::batch::store_file(
        accord::app::batch::read_file(&file, &opts),
        |label, command| ws.apply(label, command),
    );
    let accord::app::FileOutcome::Imported(summary) = &first else {
        panic!("{first:?}");
    };
    assert_eq!(summary.name, "P01_interview");
    assert_eq!(ws.undo_label(), Some("Import P01_interview"));
    let again = accord::app::batch::store_file(
        accord::app::batch::read_file(&file, &opts),
        |label, command| ws.apply(label, command),
    );
    drop(ws);
    let run = accord(dir.path(), &["import", s(&project), s(&file)]).success();
    let accord::app::FileOutcome::Skipped { reason, .. } = again else {
        panic!("{again:?}");
    };
    run.stdout_has(&reason);
}
