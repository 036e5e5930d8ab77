//! Exports attacked as the December 2026 reliability report did (D1, D5, D8, D10, D15, D21): `--out`
//! naming the project or another kind of file, planted symlinks at temporary names, restrictive
//! permissions, formulas in CSV cells, an excerpt longer than an XLSX cell, control characters in a
//! memo (DOCX) and HTML in a quote (Markdown). Each runs the real `accord` binary.

use std::path::{Path, PathBuf};

use calamine::Reader as _;

use crate::support::{accord, docx_text, snapshot, zip_entry};

const TRANSCRIPT: &str = "Interviewer: =HYPERLINK(\"http://evil.example/x\",\"click\") typed.\n\n\
P50: +cmd|' /C calc'!A0 more.\n\n\
Interviewer: And then <script>alert(1)</script> appeared?\n\n\
P50: @SUM(1+1) was all.\n";

const CODEBOOK: &str = "[codebook]\nname = \"Attack\"\n\n\
[[codes]]\nname = \"=2+5\"\ncolour = \"#2F6DB5\"\nshort_definition = \"-1+2 said\"\n\n\
[[codes]]\nname = \"Plain\"\ncolour = \"#D4AC0D\"\n";

const HYPERLINK: &str = "=HYPERLINK(\"http://evil.example/x\",\"click\") typed.";

/// A small project whose names, quotes, memos and attributes are hostile: formulas, HTML and
/// control characters. Two raters code the same transcript, so agreement has rows.
fn hostile_project(dir: &Path) -> PathBuf {
    let project = dir.join("p.accord");
    let p = project.to_str().unwrap();
    accord(dir, &["new", p]).success();
    let book = dir.join("book.toml");
    std::fs::write(&book, CODEBOOK).unwrap();
    accord(dir, &["codebook", "import", p, book.to_str().unwrap()]).success();
    let transcript = dir.join("P50_interview.txt");
    std::fs::write(&transcript, TRANSCRIPT).unwrap();
    accord(dir, &["import", p, transcript.to_str().unwrap()]).success();
    let attributes = dir.join("attributes.csv");
    std::fs::write(&attributes, "record_id,=evil\nP50,@SUM(1+1)\n").unwrap();
    accord(
        dir,
        &[
            "attributes",
            p,
            attributes.to_str().unwrap(),
            "--key",
            "record_id",
            "--create-missing",
        ],
    )
    .success();
    for rater in ["Maya", "@Rater"] {
        accord(dir, &["rater", "add", p, rater]).success();
    }
    let code = |code: &str, rater: &str, quote: &str, memo: &str| {
        accord(
            dir,
            &[
                "code",
                p,
                "-t",
                "P50_interview",
                "-c",
                code,
                "-r",
                rater,
                &format!("--quote={quote}"),
                &format!("--memo={memo}"),
            ],
        )
        .success();
    };
    code(
        "=2+5",
        "Maya",
        HYPERLINK,
        "=memo\u{1} with\u{1b}[31m escapes",
    );
    code("=2+5", "@Rater", HYPERLINK, "-10 points");
    code("Plain", "Maya", "+cmd|' /C calc'!A0", "@SUM(2+2)");
    code(
        "Plain",
        "@Rater",
        "<script>alert(1)</script>",
        "<b>bold</b> & co",
    );
    project
}

/// Every export command, writing to `out` (extra arguments after).
fn export_commands(p: &str, out: &str) -> Vec<Vec<String>> {
    let cmd = |args: &[&str]| -> Vec<String> {
        args.iter()
            .map(|s| (*s).to_string())
            .chain(["--out".to_string(), out.to_string()])
            .collect()
    };
    vec![
        cmd(&["export", p, "excerpts", "--format", "csv"]),
        cmd(&["export", p, "excerpts", "--format", "xlsx"]),
        cmd(&["export", p, "excerpts", "--format", "docx"]),
        cmd(&["export", p, "excerpts", "--format", "markdown"]),
        cmd(&["export", p, "matrix", "--format", "csv"]),
        cmd(&["export", p, "cooccurrence", "--format", "csv"]),
        cmd(&["export", p, "codebook", "--format", "csv"]),
        cmd(&[
            "export",
            p,
            "agreement",
            "--format",
            "csv",
            "--replicates",
            "10",
        ]),
        cmd(&["export", p, "qdc"]),
        cmd(&["export", p, "qdpx"]),
        cmd(&["codings", "export", p]),
        cmd(&["codebook", "export", p]),
    ]
}

fn run(dir: &Path, args: &[String]) -> crate::support::Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    accord(dir, &args)
}

#[test]
fn out_naming_the_project_or_its_files_is_refused_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let project = hostile_project(dir.path());
    let p = project.to_str().unwrap();
    accord(dir.path(), &["backup", p]).success();
    let before = snapshot(&project);
    let wal = format!("{p}-wal");
    let shm = format!("{p}-shm");
    let in_backups = format!("{p}.backups/x.csv");
    let link = dir.path().join("link.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&project, &link).unwrap();
    // Another project under a CSV name: an SQLite file, refused even with --force.
    let other = dir.path().join("other.csv");
    std::fs::copy(&project, &other).unwrap();
    let other_bytes = std::fs::read(&other).unwrap();
    let mut targets = vec![
        (p.to_string(), "the project itself"),
        ("./p.accord".to_string(), "the project itself"),
        (wal, "-wal file"),
        (shm, "-shm file"),
        (in_backups, ".backups"),
        (other.to_str().unwrap().to_string(), "SQLite database"),
    ];
    if cfg!(unix) {
        targets.push((link.to_str().unwrap().to_string(), "the project itself"));
    }
    for (i, (out, why)) in targets.iter().enumerate() {
        let mut commands = export_commands(p, out);
        if i > 0 {
            // Every command against the project itself; a few against the rest (fast enough).
            commands = vec![
                commands.swap_remove(11),
                commands.swap_remove(10),
                commands.swap_remove(2),
                commands.swap_remove(0),
            ];
        }
        for mut args in commands {
            let plain = run(dir.path(), &args).failure();
            assert!(
                plain.stderr.contains(why) && plain.stderr.contains("refusing"),
                "{args:?}: {}",
                plain.stderr
            );
            args.push("--force".into());
            run(dir.path(), &args).failure().stderr_has(why);
        }
    }
    assert!(snapshot(&project) == before, "the project changed");
    assert_eq!(std::fs::read(&other).unwrap(), other_bytes);
    accord(dir.path(), &["transcripts", "list", p])
        .success()
        .stdout_has("P50_interview");
    if cfg!(unix) {
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    }
}

#[test]
fn an_existing_file_of_another_kind_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let project = hostile_project(dir.path());
    let p = project.to_str().unwrap();
    let notes = dir.path().join("notes.docx");
    std::fs::write(&notes, b"PK\x03\x04 a Word document someone wrote").unwrap();
    let out = notes.to_str().unwrap();
    accord(
        dir.path(),
        &["export", p, "excerpts", "--format", "csv", "--out", out],
    )
    .failure()
    .stderr_has("notes.docx")
    .stderr_has("--force");
    accord(dir.path(), &["codings", "export", p, "--out", out])
        .failure()
        .stderr_has("--force");
    assert_eq!(
        std::fs::read(&notes).unwrap(),
        b"PK\x03\x04 a Word document someone wrote"
    );
    accord(
        dir.path(),
        &[
            "export", p, "excerpts", "--format", "csv", "--out", out, "--force",
        ],
    )
    .success();
    assert!(
        std::fs::read_to_string(&notes)
            .unwrap()
            .starts_with("code,")
    );

    // A CSV export may replace a CSV file, not a binary file that merely ends in .csv.
    let csv = dir.path().join("e.csv");
    std::fs::write(&csv, "old,csv\n").unwrap();
    let c = csv.to_str().unwrap();
    accord(dir.path(), &["export", p, "excerpts", "--out", c]).success();
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("code,"));
    std::fs::write(&csv, b"\0\x01binary").unwrap();
    accord(dir.path(), &["export", p, "excerpts", "--out", c])
        .failure()
        .stderr_has("not a csv file");
    // A .accord file (perhaps an encrypted project) is never replaced.
    let encrypted = dir.path().join("study.accord");
    std::fs::write(&encrypted, [0x5a_u8; 64]).unwrap();
    accord(
        dir.path(),
        &[
            "export",
            p,
            "excerpts",
            "--format",
            "csv",
            "--force",
            "--out",
            encrypted.to_str().unwrap(),
        ],
    )
    .failure()
    .stderr_has(".accord file");
    assert_eq!(std::fs::read(&encrypted).unwrap(), [0x5a_u8; 64]);
}

#[cfg(unix)]
#[test]
fn planted_symlinks_at_temporary_names_are_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let project = hostile_project(dir.path());
    let p = project.to_str().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "the victim's own words").unwrap();
    let planted = [
        "out2.csv.tmp",
        ".out2.csv.tmp",
        "out2.tmp",
        "cb.toml.tmp",
        "codings.csv.tmp",
    ];
    for name in planted {
        std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
    }
    accord(dir.path(), &["export", p, "excerpts", "--out", "out2.csv"]).success();
    accord(dir.path(), &["codebook", "export", p, "--out", "cb.toml"]).success();
    accord(
        dir.path(),
        &["codings", "export", p, "--out", "codings.csv"],
    )
    .success();
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "the victim's own words"
    );
    for name in planted {
        let meta = dir.path().join(name).symlink_metadata().unwrap();
        assert!(meta.file_type().is_symlink(), "{name} was replaced");
    }
    for name in ["out2.csv", "cb.toml", "codings.csv"] {
        let meta = dir.path().join(name).symlink_metadata().unwrap();
        assert!(meta.file_type().is_file(), "{name} is not a plain file");
    }
    // No temporary file is left behind.
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".accord-out-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[cfg(unix)]
#[test]
fn a_0600_project_gives_0600_exports() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let project = hostile_project(dir.path());
    let p = project.to_str().unwrap();
    std::fs::set_permissions(&project, std::fs::Permissions::from_mode(0o600)).unwrap();
    for (args, out) in [
        (vec!["export", p, "excerpts", "--out", "e.csv"], "e.csv"),
        (vec!["export", p, "excerpts", "--out", "e.xlsx"], "e.xlsx"),
        (vec!["export", p, "qdpx", "--out", "e.qdpx"], "e.qdpx"),
        (vec!["codings", "export", p, "--out", "c.csv"], "c.csv"),
        (vec!["codebook", "export", p, "--out", "b.toml"], "b.toml"),
    ] {
        accord(dir.path(), &args).success();
        let mode = std::fs::metadata(dir.path().join(out))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{out}: {mode:o}");
    }
}

/// A cell a spreadsheet would run: starts with `=`, `@`, tab or CR, or `+`/`-` and is no number.
fn is_formula(cell: &str) -> bool {
    match cell.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => cell.parse::<f64>().is_err(),
        _ => false,
    }
}

fn cells(csv_text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

#[test]
fn csv_exports_neutralise_formulas_unless_raw_csv() {
    let dir = tempfile::tempdir().unwrap();
    let project = hostile_project(dir.path());
    let p = project.to_str().unwrap();
    let exports: [&[&str]; 7] = [
        &["export", p, "excerpts", "--format", "csv"],
        &["export", p, "matrix", "--format", "csv", "--by", "=evil"],
        &["export", p, "matrix", "--format", "csv"],
        &["export", p, "cooccurrence", "--format", "csv"],
        &["export", p, "codebook", "--format", "csv"],
        &[
            "export",
            p,
            "agreement",
            "--format",
            "csv",
            "--replicates",
            "10",
        ],
        &["codings", "export", p],
    ];
    for (i, args) in exports.iter().enumerate() {
        let out = format!("x{i}.csv");
        let mut args: Vec<&str> = args.to_vec();
        args.extend(["--out", &out]);
        accord(dir.path(), &args).success();
        let text = std::fs::read_to_string(dir.path().join(&out)).unwrap();
        let all = cells(&text);
        let bad: Vec<&String> = all.iter().filter(|c| is_formula(c)).collect();
        assert!(bad.is_empty(), "{args:?}: {bad:?}\n{text}");
        assert!(
            all.iter().any(|c| c.starts_with("'=2+5")
                || c.contains("/'=2+5")
                || c == "'=evil"
                || c == "'@SUM(1+1)"),
            "{args:?}: nothing was neutralised\n{text}"
        );
        args.push("--raw-csv");
        accord(dir.path(), &args).success();
        let raw = std::fs::read_to_string(dir.path().join(&out)).unwrap();
        assert!(
            cells(&raw).iter().any(|c| is_formula(c)),
            "{args:?}: --raw-csv still changed the cells\n{raw}"
        );
    }
    // Accord's own numbers are never touched: a negative kappa stays a number.
    let agreement = std::fs::read_to_string(dir.path().join("x5.csv")).unwrap();
    assert!(
        !agreement.contains("'-0") && !agreement.contains("'0"),
        "{agreement}"
    );

    // (@Rater's codings only: a memo with control characters, like Maya's, is refused by the
    // importer as binary, which is the importer's own rule.)
    accord(
        dir.path(),
        &["codings", "export", p, "-r", "@Rater", "--out", "x6.csv"],
    )
    .success();
    // The codings CSV still goes back in: the importer removes the `'` it added (the quote is
    // checked against the text at its span, so a changed quote would be refused).
    let codings = std::fs::read_to_string(dir.path().join("x6.csv")).unwrap();
    assert!(
        codings.contains(&format!("\"'{}", HYPERLINK.replace('"', "\"\""))),
        "{codings}"
    );
    let rows = accord::import::codings_csv::parse_codings(Path::new("x6.csv"), codings.as_bytes())
        .unwrap();
    assert!(rows.iter().any(|r| r.quote.as_deref() == Some(HYPERLINK)));
    assert!(rows.iter().any(|r| r.memo.as_deref() == Some("-10 points")));
    accord(dir.path(), &["codings", "import", p, "x6.csv"])
        .success()
        .stdout_has("0 codings added, 2 already present");
}

#[test]
fn an_excerpt_longer_than_an_xlsx_cell_is_cut_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.accord");
    let p = project.to_str().unwrap();
    accord(dir.path(), &["new", p]).success();
    let book = dir.path().join("book.toml");
    std::fs::write(&book, CODEBOOK).unwrap();
    accord(
        dir.path(),
        &["codebook", "import", p, book.to_str().unwrap()],
    )
    .success();
    let words = "the coaching helped me see my own work differently. ".repeat(1000);
    let long = dir.path().join("Long_interview.txt");
    std::fs::write(&long, format!("Participant: {words}\n")).unwrap();
    accord(dir.path(), &["import", p, long.to_str().unwrap()]).success();
    accord(dir.path(), &["rater", "add", p, "Maya"]).success();
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "Long_interview",
            "-c",
            "Plain",
            "-r",
            "Maya",
            "--turns",
            "1",
        ],
    )
    .success();
    let run = accord(dir.path(), &["export", p, "excerpts", "--out", "all.xlsx"])
        .success()
        .stderr_has("warning")
        .stderr_has("Long_interview")
        .stderr_has("Plain")
        .stderr_has("Maya");
    assert!(run.stderr.contains("chars "), "{}", run.stderr);
    let bytes = std::fs::read(dir.path().join("all.xlsx")).unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Excerpts").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    let quote = header.iter().position(|h| h == "quote").unwrap();
    let cell = sheet.rows().nth(1).unwrap()[quote].to_string();
    assert_eq!(cell.chars().count(), 32_767);
    assert!(
        cell.ends_with("… [truncated; see the DOCX/CSV export]"),
        "{}",
        cell.chars().rev().take(60).collect::<String>()
    );
    // The CSV keeps the whole text.
    accord(dir.path(), &["export", p, "excerpts", "--out", "all.csv"]).success();
    let csv = std::fs::read_to_string(dir.path().join("all.csv")).unwrap();
    assert!(csv.contains(words.trim()));
}

/// Characters XML 1.0 cannot hold, written raw or as character references.
fn xml_forbidden(xml: &str) -> Vec<String> {
    let mut found: Vec<String> = xml
        .chars()
        .filter(|&c| c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| format!("{c:?}"))
        .collect();
    let refs = regex::Regex::new(r"&#(x[0-9a-fA-F]+|[0-9]+);").unwrap();
    for m in refs.captures_iter(xml) {
        let n = &m[1];
        let value = match n.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
            None => n.parse().unwrap(),
        };
        if value < 0x20 && !matches!(value, 9 | 10 | 13) {
            found.push(m[0].to_string());
        }
    }
    found
}

#[test]
fn control_characters_leave_docx_and_refi_qda_xml_valid() {
    let dir = tempfile::tempdir().unwrap();
    let project = hostile_project(dir.path());
    let p = project.to_str().unwrap();
    accord(dir.path(), &["rater", "add", p, "Ctl\u{2}Rater"]).success();
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P50_interview",
            "-c",
            "Plain",
            "-r",
            "Ctl\u{2}Rater",
            "--quote",
            "@SUM(1+1)",
            "--memo",
            "bell\u{7} and \u{1b}[2J clear",
        ],
    )
    .success();
    accord(dir.path(), &["export", p, "excerpts", "--out", "e.docx"]).success();
    let docx = std::fs::read(dir.path().join("e.docx")).unwrap();
    let xml = String::from_utf8(zip_entry(&docx, "word/document.xml")).unwrap();
    assert!(xml_forbidden(&xml).is_empty(), "{:?}", xml_forbidden(&xml));
    // It parses to the end, and the memo's words are there.
    let text = docx_text(&docx);
    assert!(text.contains("with[31m escapes"), "{text}");
    assert!(text.contains("bell and [2J clear"), "{text}");
    assert!(text.contains("CtlRater"), "{text}");
    accord(dir.path(), &["export", p, "qdpx", "--out", "e.qdpx"]).success();
    let qdpx = std::fs::read(dir.path().join("e.qdpx")).unwrap();
    let qde = String::from_utf8(zip_entry(&qdpx, "project.qde")).unwrap();
    assert!(xml_forbidden(&qde).is_empty(), "{:?}", xml_forbidden(&qde));
}

#[test]
fn markdown_exports_keep_html_inert() {
    let dir = tempfile::tempdir().unwrap();
    let project = hostile_project(dir.path());
    let p = project.to_str().unwrap();
    let md = accord(
        dir.path(),
        &["export", p, "excerpts", "--format", "markdown"],
    )
    .success()
    .stdout;
    assert!(!md.contains("<script>") && !md.contains("<b>"), "{md}");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(md.contains("&lt;b&gt;bold&lt;/b&gt; &amp; co"), "{md}");
}

#[test]
fn demo_force_replaces_only_a_demo_and_rater_files_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let project = hostile_project(dir.path());
    let p = project.to_str().unwrap();
    let before = snapshot(&project);
    accord(dir.path(), &["demo", "--out", p, "--force"])
        .failure()
        .stderr_has("not the demo project");
    assert!(snapshot(&project) == before, "the project changed");

    // A rater file is built in a private folder with a random name, which is gone afterwards.
    accord(
        dir.path(),
        &[
            "rater-file",
            p,
            "--rater",
            "Maya",
            "--transcripts",
            "P50_interview",
            "--out",
            "ana.accord",
        ],
    )
    .success();
    accord(dir.path(), &["transcripts", "list", "ana.accord"])
        .success()
        .stdout_has("P50_interview");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".accord-") || n.contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A write that fails part way (the file size limit stands in for a full disk): the old export is
/// left as it was and no temporary file remains.
#[cfg(unix)]
#[test]
fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("q.accord");
    let p = project.to_str().unwrap();
    accord(dir.path(), &["new", p]).success();
    let book = dir.path().join("book.toml");
    std::fs::write(&book, CODEBOOK).unwrap();
    accord(
        dir.path(),
        &["codebook", "import", p, book.to_str().unwrap()],
    )
    .success();
    let long = dir.path().join("Long_interview.txt");
    let words = "word ".repeat(60_000);
    std::fs::write(
        &long,
        format!("Interviewer: hello.\n\nParticipant: {words}\n"),
    )
    .unwrap();
    accord(dir.path(), &["import", p, long.to_str().unwrap()]).success();
    accord(dir.path(), &["rater", "add", p, "Maya"]).success();
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "Long_interview",
            "-c",
            "Plain",
            "-r",
            "Maya",
            "--turns",
            "2",
        ],
    )
    .success();
    std::fs::write(dir.path().join("e.csv"), "the old export\n").unwrap();
    // 128 KiB: room for SQLite's shared-memory file, not for the 300 KB export.
    let out = std::process::Command::new("bash")
        .args(["-c", "trap '' XFSZ; ulimit -f 128; exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_accord"))
        .args(["export", p, "excerpts", "--out", "e.csv"])
        .current_dir(dir.path())
        .output();
    let Ok(out) = out else {
        eprintln!("NOTICE: no bash; skipping the failed-write test");
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("e.csv: cannot write"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("e.csv")).unwrap(),
        "the old export\n"
    );
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp") || n.starts_with(".accord-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The window's "Save export" goes through the same writer: the project is refused there too.
#[cfg(feature = "gui")]
#[test]
fn the_window_refuses_to_save_an_export_over_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let project = hostile_project(dir.path());
    let before = snapshot(&project);
    let mut h = crate::support::window(&project);
    let err = h.state_mut().save_export(&project).unwrap_err();
    assert!(err.contains("the project itself"), "{err}");
    drop(h);
    assert!(snapshot(&project) == before, "the project changed");
    let mut h = crate::support::window(&project);
    let out = dir.path().join("saved.md");
    h.state_mut().save_export(&out).unwrap();
    assert!(out.exists());
}
