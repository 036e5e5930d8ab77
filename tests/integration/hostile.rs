//! Hostile and broken files: each gets a clear error naming the file and the problem, nothing hangs
//! or crashes, nothing is written outside where the user asked, and nothing already stored changes.
//! (Zip entries with `../` or absolute names, a truncated DOCX, non-Accord project files and damaged
//! indexes are covered beside their features: `refi_examples.rs`, `malformed.rs`, `store.rs`, `search.rs`.)

use std::io::Write as _;
use std::path::Path;

use accord::import::refi::qdpx::read_qdpx;
use accord::import::{ImportOptions, read_transcript};

use crate::support::{accord, snapshot};

fn zip_of(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[track_caller]
fn import_error(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let err = read_transcript(&path, &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains(name), "the error names the file: {err}");
    err
}

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>"#;

#[test]
fn zip_bombs_entities_and_path_tricks_in_docx_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A zip bomb: a small file that would expand past the ratio limit.
    let xml = format!(
        "<w:document><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>",
        " ".repeat(30_000_000)
    );
    let bomb = zip_of(
        &[("word/document.xml", xml.as_bytes())],
        zip::CompressionMethod::Deflated,
    );
    assert!(
        bomb.len() < 100_000,
        "the bomb is small ({} bytes)",
        bomb.len()
    );
    assert!(import_error(d, "P20.docx", &bomb).contains("zip bomb"));
    // Entity expansion ("billion laughs"): refused, never expanded.
    let laughs = format!(
        "{BILLION_LAUGHS}<w:document><w:body><w:p><w:r><w:t>Interviewer: &lol9;</w:t></w:r></w:p></w:body></w:document>"
    );
    let docx = zip_of(
        &[("word/document.xml", laughs.as_bytes())],
        zip::CompressionMethod::Deflated,
    );
    assert!(import_error(d, "P21.docx", &docx).contains("declares its own entities"));
    // Entries that point outside the archive are never written anywhere: Accord reads the one part
    // it needs from memory.
    let body = "<w:document><w:body><w:p><w:r><w:t>Interviewer: Hello.</w:t></w:r></w:p><w:p><w:r><w:t>P22: Hi.</w:t></w:r></w:p></w:body></w:document>";
    let tricky = zip_of(
        &[
            ("word/document.xml", body.as_bytes()),
            ("../../escaped.txt", b"x"),
            ("/tmp/absolute.txt", b"x"),
        ],
        zip::CompressionMethod::Stored,
    );
    let path = d.join("P22.docx");
    std::fs::write(&path, tricky).unwrap();
    let t = read_transcript(&path, &ImportOptions::default()).unwrap();
    assert_eq!(t.transcript.turns.len(), 2);
    assert!(!d.join("../escaped.txt").exists() && !Path::new("/tmp/absolute.txt").exists());
}

#[test]
fn a_qdpx_zip_bomb_is_refused() {
    let project = br#"<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>"#;
    let zeros = vec![b'0'; 40_000_000];
    let bomb = zip_of(
        &[("project.qde", &project[..]), ("sources/x.txt", &zeros)],
        zip::CompressionMethod::Deflated,
    );
    assert!(bomb.len() < 200_000, "{} bytes", bomb.len());
    let err = read_qdpx(Path::new("bomb.qdpx"), &bomb)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("bomb.qdpx: ") && err.contains("zip bomb"),
        "{err}"
    );
}

#[test]
fn entity_expansion_and_bad_positions_in_refi_files() {
    let dir = tempfile::tempdir().unwrap();
    let laughs = format!("{BILLION_LAUGHS}<Project name='&lol9;'/>");
    let err = read_qdpx(Path::new("lol.qde"), laughs.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("lol.qde: ") && err.contains("declares its own entities"),
        "{err}"
    );
    let qdpx = zip_of(
        &[("project.qde", laughs.as_bytes())],
        zip::CompressionMethod::Deflated,
    );
    let err = read_qdpx(Path::new("lol.qdpx"), &qdpx)
        .unwrap_err()
        .to_string();
    assert!(err.contains("declares its own entities"), "{err}");
    let qdc = dir.path().join("lol.qdc");
    std::fs::write(&qdc, format!("{BILLION_LAUGHS}<CodeBook/>")).unwrap();
    let project = dir.path().join("p.accord");
    accord(dir.path(), &["new", project.to_str().unwrap()]).success();
    let before = snapshot(&project);
    accord(
        dir.path(),
        &[
            "codebook",
            "import",
            project.to_str().unwrap(),
            qdc.to_str().unwrap(),
        ],
    )
    .failure()
    .stderr_has("lol.qdc");
    assert_eq!(snapshot(&project), before, "nothing stored changed");

    // Positions past the end, negative, reversed and missing: each coding is left out with why, the
    // good one is kept.
    let selection = |guid: u8, start: &str, end: &str| {
        format!(
            r#"<PlainTextSelection guid="5D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D{guid:02X}" {start} {end}><Coding guid="6D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D{guid:02X}"><CodeRef targetGUID="1D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E"/></Coding></PlainTextSelection>"#
        )
    };
    let xml = format!(
        r#"<Project xmlns="urn:QDA-XML:project:1.0" name="p">
 <CodeBook><Codes><Code guid="1D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" name="A" isCodable="true"/></Codes></CodeBook>
 <Sources><TextSource guid="4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" name="Interview"><PlainTextContent>Interviewer: Hi.
P1: Hello there.</PlainTextContent>{}{}{}{}{}</TextSource></Sources></Project>"#,
        selection(1, r#"startPosition="21""#, r#"endPosition="32""#),
        selection(2, r#"startPosition="21""#, r#"endPosition="99999""#),
        selection(3, r#"startPosition="-4""#, r#"endPosition="10""#),
        selection(4, r#"startPosition="20""#, r#"endPosition="5""#),
        selection(5, r#"startPosition="2""#, ""),
    );
    let import = read_qdpx(Path::new("bad.qde"), xml.as_bytes()).unwrap();
    assert_eq!(import.codings.len(), 1, "only the good coding");
    let skipped = import.skipped.join("\n");
    for why in [
        "past the end",
        "negative position",
        "end before they start",
        "no start or end",
    ] {
        assert!(skipped.contains(why), "{why}: {skipped}");
    }
}

#[test]
fn huge_one_line_and_damaged_utf8_files_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 200 MB on one line: refused from its size, before it is read (a sparse file here).
    let huge = d.join("P30.txt");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let started = std::time::Instant::now();
    let err = read_transcript(&huge, &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("P30.txt") && err.contains("200 MB") && err.contains("at most 64 MB"),
        "{err}"
    );
    assert!(
        started.elapsed().as_secs() < 5,
        "refused without reading it"
    );
    // A long single line under the limit (2 MB, no labels) is read, as one turn.
    let line = "word ".repeat(400_000);
    let long = d.join("P31.txt");
    std::fs::write(&long, format!("Interviewer: {line}\n")).unwrap();
    let t = read_transcript(&long, &ImportOptions::default()).unwrap();
    assert_eq!(t.transcript.turns.len(), 1);
    // Invalid UTF-8 in the middle of a UTF-8 file: refused, with where.
    let mut bytes = "Interviewer: Was it naïve?\n\nP32: Yes, "
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(&[0xC3, 0x28, 0xA0]);
    bytes.extend_from_slice(b" and then more.\n");
    let err = import_error(d, "P32.txt", &bytes);
    assert!(
        err.contains("invalid UTF-8") && err.contains("line 3"),
        "{err}"
    );
    // Importing a batch with these goes on to the good file and stores nothing of the bad ones.
    let project = d.join("p.accord");
    let p = project.to_str().unwrap();
    accord(d, &["new", p]).success();
    let good = d.join("P33.txt");
    std::fs::write(&good, "Interviewer: Hello?\n\nP33: Hello.\n").unwrap();
    let run = accord(
        d,
        &[
            "import",
            p,
            huge.to_str().unwrap(),
            d.join("P32.txt").to_str().unwrap(),
            good.to_str().unwrap(),
        ],
    );
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("P30.txt") && all.contains("P32.txt"), "{all}");
    let store = accord::Store::open(&project).unwrap();
    let names: Vec<String> = store
        .transcripts()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["P33"]);
}

#[test]
fn project_files_that_are_not_ours_or_too_new_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = d.join("notes.accord");
    std::fs::write(&text, "Some notes, not a project.").unwrap();
    accord(d, &["transcripts", "list", text.to_str().unwrap()])
        .failure()
        .stderr_has("not an Accord project");
    assert_eq!(std::fs::read(&text).unwrap(), b"Some notes, not a project.");
    let newer = d.join("newer.accord");
    accord(d, &["new", newer.to_str().unwrap()]).success();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let before = snapshot(&newer);
    accord(d, &["transcripts", "list", newer.to_str().unwrap()])
        .failure()
        .stderr_has("newer version of Accord");
    assert_eq!(snapshot(&newer), before);
}
