//! Files handed to Accord as input, and what they may try: codings removed here coming back through a
//! re-merge or a codings import (restored, said so, undoable); devices, FIFOs and symlinks in place of
//! files (refused from their metadata, each on its own in a batch); huge (sparse) files refused by
//! their size before they are read; deep code hierarchies refused with a clear error and flat ones of
//! 50,000 codes read in linear time; and encryption on the way in (`import-qdpx --encrypt`) or after
//! the fact (`accord encrypt`), leaving no plaintext behind.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use accord::Store;
use accord::model::{CodingFilter, CodingId, NewCoding};
use accord::store::Passphrase;

use crate::support::{self, Run, accord, accord_with, demo, files_holding, mkfifo, root, samples};

const KEY: &str = "correct horse battery staple";

/// How long a command may run here (generous for a debug build on a loaded machine; the old code
/// hung forever, or ran for minutes).
const LIMIT: Duration = Duration::from_mins(1);

/// Runs `accord` and kills it if it has not finished within `limit` (a hang or a runaway read is a
/// failure of the test, not a stuck test run).
fn accord_within(dir: &Path, args: &[&str], limit: Duration) -> Run {
    support::accord_within(dir, args, limit).unwrap_or_else(|| {
        panic!("accord {args:?} still ran after {limit:?} (a hang or an unbounded read)")
    })
}

/// A lead project with the CAPP codebook, P01 and raters Ana and Ben.
fn lead(dir: &Path) -> PathBuf {
    let project = dir.join("p.accord");
    let p = project.to_str().unwrap();
    accord(dir, &["new", p]).success();
    let book = root().join("codebooks/capp-phase3.toml");
    accord(dir, &["codebook", "import", p, book.to_str().unwrap()]).success();
    let p01 = samples().join("transcripts/P01_interview.txt");
    accord(dir, &["import", p, p01.to_str().unwrap()]).success();
    for rater in ["Ana", "Ben"] {
        accord(dir, &["rater", "add", p, rater]).success();
    }
    project
}

/// Ana's rater file with 50 codings of P01 in it.
fn ana_with_50(dir: &Path, project: &Path) -> PathBuf {
    let file = dir.join("ana.accord");
    accord(
        dir,
        &[
            "rater-file",
            project.to_str().unwrap(),
            "--rater",
            "Ana",
            "--transcripts",
            "P01_interview",
            "--out",
            file.to_str().unwrap(),
        ],
    )
    .success();
    let store = Store::open(&file).unwrap();
    let t = store
        .find_transcript("P01_interview")
        .unwrap()
        .transcript_id;
    let code = match store.codebook().unwrap().lookup("Peerness") {
        accord::model::CodeLookup::Found(c) => c.code_id,
        other => panic!("{other:?}"),
    };
    let rater = store.find_rater("Ana").unwrap().rater_id;
    let codings: Vec<NewCoding> = (0..50)
        .map(|i| NewCoding {
            coding_id: CodingId::new_random(),
            transcript_id: t,
            code_id: code,
            rater_id: rater,
            span: accord::model::Span::new(i * 10, i * 10 + 8),
            memo: None,
            created_at: None,
        })
        .collect();
    let command = accord::app::Command::Codings(accord::app::CodingCommand::Add {
        codings,
        action: "code".into(),
    });
    let accord::app::Outcome::CodingsAdded(added) = accord::app::Workspace::new(store)
        .apply("Code 50 passages", command)
        .unwrap()
    else {
        panic!("codings added")
    };
    assert_eq!(added.len(), 50);
    file
}

/// Live codings of a rater.
fn live(project: &Path, rater: &str) -> usize {
    let store = Store::open(project).unwrap();
    let id = store.find_rater(rater).unwrap().rater_id;
    store
        .codings(&CodingFilter {
            raters: vec![id],
            ..CodingFilter::default()
        })
        .unwrap()
        .len()
}

fn code_as_ben(dir: &Path, p: &str, span: &str) {
    accord(
        dir,
        &[
            "code",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Burnout",
            "-r",
            "Ben",
            "--span",
            span,
        ],
    )
    .success();
}

#[test]
fn a_remerge_after_an_undone_merge_restores_the_raters_work_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = lead(d);
    let p = project.to_str().unwrap();
    let ana = ana_with_50(d, &project);
    let a = ana.to_str().unwrap();
    accord(d, &["merge", p, a])
        .success()
        .stdout_has("50 codings");
    assert_eq!(live(&project, "Ana"), 50);
    accord(d, &["undo", p]).success();
    assert_eq!(live(&project, "Ana"), 0);
    // Any other change clears the redo stack: only the file can bring Ana's work back now.
    code_as_ben(d, p, "50..90");
    let run = accord(d, &["merge", p, a]).success();
    assert!(
        run.stdout.contains("Ana — 50 codings restored"),
        "{}",
        run.stdout
    );
    assert_eq!(live(&project, "Ana"), 50);
    // One undoable step: undo takes them away again, redo brings them back.
    accord(d, &["undo", p]).success();
    assert_eq!(live(&project, "Ana"), 0);
    accord(d, &["redo", p]).success();
    assert_eq!(live(&project, "Ana"), 50);
    // Merging once more: nothing new.
    accord(d, &["merge", p, a])
        .success()
        .stdout_has("nothing new (50 codings already here)");
    assert_eq!(live(&project, "Ben"), 1);
}

#[test]
fn a_codings_reimport_restores_removed_codings_and_undo_removes_them_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = lead(d);
    let p = project.to_str().unwrap();
    let ana = ana_with_50(d, &project);
    accord(d, &["merge", p, ana.to_str().unwrap()]).success();
    let csv = d.join("ana.csv");
    accord(
        d,
        &[
            "codings",
            "export",
            p,
            "--rater",
            "Ana",
            "--out",
            csv.to_str().unwrap(),
        ],
    )
    .success();
    // Removed on purpose, then something else changed.
    accord(
        d,
        &[
            "uncode",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Peerness",
            "-r",
            "Ana",
        ],
    )
    .success()
    .stdout_has("removed 50");
    code_as_ben(d, p, "50..90");
    assert_eq!(live(&project, "Ana"), 0);
    let run = accord(d, &["codings", "import", p, csv.to_str().unwrap()]).success();
    assert!(
        run.stdout.contains(
            "0 codings added, 50 restored (they had been undone or removed), 0 already present"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(live(&project, "Ana"), 50);
    accord(d, &["undo", p]).success();
    assert_eq!(live(&project, "Ana"), 0);
    // A second import of what is live changes nothing.
    accord(d, &["redo", p]).success();
    accord(d, &["codings", "import", p, csv.to_str().unwrap()])
        .success()
        .stdout_has("0 codings added, 50 already present");
}

#[cfg(unix)]
#[test]
fn a_device_or_fifo_in_an_import_folder_fails_alone_and_the_batch_carries_on() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("p.accord");
    let p = project.to_str().unwrap();
    accord(d, &["new", p]).success();
    let folder = d.join("unpacked");
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    std::fs::copy(
        samples().join("transcripts/P01_interview.txt"),
        folder.join("P01_interview.txt"),
    )
    .unwrap();
    symlink("/dev/zero", folder.join("zero.txt")).unwrap();
    mkfifo(&folder.join("fifo.txt"));
    // A link back up the tree is walked once, not forever.
    symlink("..", folder.join("sub/up")).unwrap();
    let run = accord_within(d, &["import", p, folder.to_str().unwrap()], LIMIT);
    assert!(!run.ok, "two files failed");
    assert!(
        run.stderr
            .contains("zero.txt: not a regular file (a device)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("fifo.txt: not a regular file (a FIFO"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("1 imported") && run.stdout.contains("2 failed"),
        "{}",
        run.stdout
    );
    let names: Vec<String> = Store::open(&project)
        .unwrap()
        .transcripts()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["P01_interview"]);
    // Named directly, too.
    accord_within(
        d,
        &["import", p, folder.join("fifo.txt").to_str().unwrap()],
        LIMIT,
    )
    .failure()
    .stderr_has("not a regular file");
}

#[cfg(unix)]
#[test]
fn codebooks_tables_and_lists_that_are_devices_or_fifos_are_refused() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = lead(d);
    let p = project.to_str().unwrap();
    symlink("/dev/zero", d.join("zero.toml")).unwrap();
    mkfifo(&d.join("fifo.qdc"));
    symlink("/dev/zero", d.join("zero.csv")).unwrap();
    mkfifo(&d.join("fifo.csv"));
    symlink("/dev/zero", d.join("zero.qdpx")).unwrap();
    for args in [
        vec!["codebook", "import", p, "zero.toml"],
        vec!["codebook", "import", p, "fifo.qdc"],
        vec!["codings", "import", p, "zero.csv"],
        vec!["attributes", p, "fifo.csv"],
        vec!["import", p, "--pseudonyms", "zero.csv", "nothing.txt"],
        vec!["deidentify", p, "--list", "fifo.csv"],
        vec!["import-qdpx", "zero.qdpx", "--out", "new.accord"],
    ] {
        let run = accord_within(d, &args, LIMIT).failure();
        assert!(
            run.stderr.contains("not a regular file"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert!(!d.join("new.accord").exists());
}

#[test]
fn three_gigabyte_sparse_inputs_are_refused_by_their_size_unread() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = lead(d);
    let p = project.to_str().unwrap();
    for name in ["huge.toml", "huge.qdc", "huge.qdpx", "huge.csv", "huge.qde"] {
        std::fs::File::create(d.join(name))
            .unwrap()
            .set_len(3 << 30)
            .unwrap();
    }
    for (args, says) in [
        (
            vec!["codebook", "import", p, "huge.toml"],
            "a codebook may be at most 16 MB",
        ),
        (
            vec!["codebook", "import", p, "huge.qdc"],
            "a codebook may be at most 16 MB",
        ),
        (
            vec!["import-qdpx", "huge.qdpx", "--out", "n.accord"],
            "a REFI-QDA project may be at most 2048 MB",
        ),
        (
            vec!["import-qdpx", "huge.qde", "--out", "n.accord"],
            "a REFI-QDA project may be at most 2048 MB",
        ),
        (
            vec!["codings", "import", p, "huge.csv"],
            "a codings file may be at most 64 MB",
        ),
        (
            vec!["attributes", p, "huge.csv"],
            "an attributes file may be at most 64 MB",
        ),
        (
            vec!["import", p, "--pseudonyms", "huge.csv", "x.txt"],
            "a pseudonym list may be at most 64 MB",
        ),
    ] {
        let run = accord_within(d, &args, LIMIT).failure();
        assert!(
            run.stderr.contains("3072 MB") && run.stderr.contains(says),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert!(!d.join("n.accord").exists());
}

#[test]
fn a_toml_syntax_error_quotes_little_of_a_huge_line() {
    let line = "x".repeat(5 << 20);
    let text = format!("[codebook]\nname = 'b'\n[[codes]]\nname = 'A' {line}\n");
    let err = accord::import::codebook_toml::parse(&text).unwrap_err();
    assert!(err.len() < 1000, "{} chars: {}", err.len(), &err[..300]);
    assert!(err.contains("line 4"), "{err}");
}

/// A TOML codebook of one chain `levels` deep.
fn chain_toml(levels: usize) -> String {
    let mut text = String::from("[codebook]\nname = 'deep'\n");
    for i in 0..levels {
        writeln!(text, "[[codes]]\nname = 'c{i}'").unwrap();
        if i > 0 {
            writeln!(text, "parent = 'c{}'", i - 1).unwrap();
        }
    }
    text
}

/// A `.qdc` of one chain `levels` deep (nested `<Code>` elements).
fn chain_qdc(levels: usize) -> String {
    let mut text = String::from("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>");
    for i in 0..levels {
        write!(
            text,
            "<Code guid=\"{i:08x}-0000-4000-8000-000000000000\" name=\"c{i}\" isCodable=\"true\">"
        )
        .unwrap();
    }
    text.push_str(&"</Code>".repeat(levels));
    text.push_str("</Codes></CodeBook>");
    text
}

#[test]
fn a_deep_code_hierarchy_is_refused_with_the_file_and_the_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = lead(d);
    let p = project.to_str().unwrap();
    let before = Store::open(&project).unwrap().codebook_version().unwrap();
    std::fs::write(d.join("deep.toml"), chain_toml(100)).unwrap();
    std::fs::write(d.join("deep.qdc"), chain_qdc(100)).unwrap();
    // 64 levels are fine.
    std::fs::write(d.join("ok.toml"), chain_toml(64)).unwrap();
    let run = accord_within(d, &["codebook", "import", p, "deep.toml"], LIMIT).failure();
    assert!(
        run.stderr.contains("deep.toml")
            && run.stderr.contains("\"c64\"")
            && run.stderr.contains("65 levels deep")
            && run.stderr.contains("at most 64 levels"),
        "{}",
        run.stderr
    );
    let run = accord_within(d, &["codebook", "import", p, "deep.qdc"], LIMIT).failure();
    assert!(
        run.stderr.contains("deep.qdc")
            && run.stderr.contains("\"c64\"")
            && run.stderr.contains("at most 64 levels"),
        "{}",
        run.stderr
    );
    assert_eq!(
        Store::open(&project).unwrap().codebook_version().unwrap(),
        before,
        "nothing stored"
    );
    accord_within(d, &["codebook", "import", p, "ok.toml"], LIMIT).success();
    // The same cap in a REFI-QDA project.
    let qde = format!(
        "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"x\"><CodeBook>{}</CodeBook></Project>",
        chain_qdc(100)
            .trim_start_matches("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">")
            .trim_end_matches("</CodeBook>")
    );
    std::fs::write(d.join("deep.qde"), qde).unwrap();
    let run = accord_within(d, &["import-qdpx", "deep.qde", "--out", "n.accord"], LIMIT).failure();
    assert!(
        run.stderr.contains("deep.qde") && run.stderr.contains("at most 64 levels"),
        "{}",
        run.stderr
    );
    assert!(!d.join("n.accord").exists());
}

#[test]
fn a_20000_level_chain_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("p.accord");
    let p = project.to_str().unwrap();
    accord(d, &["new", p]).success();
    std::fs::write(d.join("deep.toml"), chain_toml(20_000)).unwrap();
    std::fs::write(d.join("deep.qdc"), chain_qdc(20_000)).unwrap();
    // Minutes before; a bounded wait here (generous for a debug build on a loaded machine).
    for file in ["deep.toml", "deep.qdc"] {
        accord_within(d, &["codebook", "import", p, file], LIMIT)
            .failure()
            .stderr_has("at most 64 levels");
    }
}

#[test]
fn fifty_thousand_flat_codes_are_read_and_stored() {
    let n = 50_000;
    let mut text = String::from("[codebook]\nname = 'flat'\n");
    for i in 0..n {
        writeln!(text, "[[codes]]\nname = 'code {i}'").unwrap();
    }
    let book = accord::import::codebook_toml::parse(&text).unwrap();
    assert_eq!(book.codes.len(), n);
    let mut ws = accord::app::Workspace::new(Store::open_in_memory("flat").unwrap());
    let change = import_codebook(&mut ws, &book, "flat");
    assert_eq!(change.added.len(), n);
    assert_eq!(ws.store().codebook().unwrap().codes.len(), n);
    assert_eq!(
        book.tree_order().len(),
        n,
        "every code in tree order, computed in one pass"
    );
    let mut qdc = String::from("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>");
    for i in 0..n {
        write!(
            qdc,
            "<Code guid=\"{i:08x}-0000-4000-8000-000000000000\" name=\"code {i}\" isCodable=\"true\"/>"
        )
        .unwrap();
    }
    qdc.push_str("</Codes></CodeBook>");
    let read = accord::import::refi::qdc::read_qdc(Path::new("flat.qdc"), qdc.as_bytes()).unwrap();
    assert_eq!(read.codebook.codes.len(), n);
    assert!(matches!(
        read.codebook.lookup("code 49999"),
        accord::model::CodeLookup::Found(_)
    ));
}

/// Long words of the samples that must not be found in any file of an encrypted project's folder
/// (short ones turn up in ciphertext by chance).
const WORDS: [&str; 5] = [
    "orphan paperwork",
    "Riverbend",
    "paperwork",
    "supervisor",
    "Interviewer",
];

/// Transcripts and codings of a project, as (names, live coding ids).
fn contents(store: &Store) -> (Vec<String>, Vec<CodingId>) {
    let mut names: Vec<String> = store
        .transcripts()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    let mut ids: Vec<CodingId> = store
        .codings(&CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| c.coding_id)
        .collect();
    ids.sort();
    (names, ids)
}

#[test]
fn import_qdpx_encrypt_builds_the_project_encrypted_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plain = demo(d);
    let qdpx = d.join("demo.qdpx");
    accord(
        d,
        &[
            "export",
            plain.to_str().unwrap(),
            "qdpx",
            "--out",
            qdpx.to_str().unwrap(),
        ],
    )
    .success();
    let out_dir = d.join("secret");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join("from-nvivo.accord");
    accord_with(
        d,
        &[
            "import-qdpx",
            qdpx.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--encrypt",
        ],
        &[("ACCORD_PASSPHRASE", KEY)],
    )
    .success()
    .stdout_has("(encrypted)");
    let found = files_holding(&out_dir, &WORDS);
    assert!(found.is_empty(), "plaintext on disk: {found:?}");
    assert!(matches!(
        Store::open(&out),
        Err(accord::store::StoreError::Encrypted(_))
    ));
    let store = Store::open_encrypted(&out, &Passphrase::new(KEY)).unwrap();
    let imported = contents(&store);
    let (names, ids) = contents(&Store::open(&plain).unwrap());
    assert_eq!(imported.0, names);
    assert_eq!(imported.1.len(), ids.len());
    assert!(store.integrity_check().unwrap().is_empty());
    // Too short a passphrase: refused before anything is written.
    let weak = out_dir.join("weak.accord");
    accord_with(
        d,
        &[
            "import-qdpx",
            qdpx.to_str().unwrap(),
            "--out",
            weak.to_str().unwrap(),
            "--encrypt",
        ],
        &[("ACCORD_PASSPHRASE", "short")],
    )
    .failure()
    .stderr_has("at least 8");
    assert!(!weak.exists());
}

#[test]
fn accord_encrypt_turns_a_plain_project_into_an_encrypted_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("study");
    std::fs::create_dir_all(&d).unwrap();
    let project = demo(&d);
    let p = project.to_str().unwrap();
    // Plaintext beside it: backups and a search index on disk.
    accord(&d, &["backup", p]).success();
    accord(&d, &["search", p, "\"orphan paperwork\""])
        .success()
        .stdout_has("orphan paperwork");
    assert!(accord::search::sync::index_dir(&project).exists());
    let before = contents(&Store::open(&project).unwrap());
    let run = accord_with(&d, &["encrypt", p], &[("ACCORD_PASSPHRASE", KEY)]).success();
    assert!(
        run.stdout.contains("Encrypted")
            && run.stdout.contains("encrypted backup")
            && run.stdout.contains("index on disk was deleted")
            && run.stdout.contains("still plaintext"),
        "{}",
        run.stdout
    );
    let found = files_holding(&d, &WORDS);
    assert!(found.is_empty(), "plaintext on disk: {found:?}");
    assert!(!accord::search::sync::index_dir(&project).exists());
    assert_eq!(accord::store::list_backups(&project).unwrap().len(), 1);
    assert!(matches!(
        Store::open(&project),
        Err(accord::store::StoreError::Encrypted(_))
    ));
    let store = Store::open_encrypted(&project, &Passphrase::new(KEY)).unwrap();
    assert_eq!(contents(&store), before);
    assert!(store.integrity_check().unwrap().is_empty());
    drop(store);
    // It works as any encrypted project: search (in memory), a change.
    let run_k = |args: &[&str]| accord_with(&d, args, &[("ACCORD_PASSPHRASE", KEY)]);
    run_k(&["search", p, "\"orphan paperwork\""])
        .success()
        .stdout_has("orphan paperwork");
    run_k(&["rater", "add", p, "Zed"]).success();
    assert!(!accord::search::sync::index_dir(&project).exists());
    // Again: refused, nothing changed.
    run_k(&["encrypt", p])
        .failure()
        .stderr_has("already encrypted");
    let found = files_holding(&d, &WORDS);
    assert!(found.is_empty(), "plaintext on disk: {found:?}");
}

/// Imports a codebook through the application's command; what changed.
fn import_codebook(
    ws: &mut accord::app::Workspace,
    book: &accord::Codebook,
    note: &str,
) -> accord::model::CodebookChange {
    let command = accord::app::Command::Codebook(accord::app::CodebookCommand::Import {
        book: book.clone(),
        note: note.into(),
    });
    let accord::app::Outcome::Codebook(change) = ws.apply("Import a codebook", command).unwrap()
    else {
        panic!("a codebook change")
    };
    change
}
