//! Real REFI-QDA files and variants built from them (issue 17): an NVivo for Mac coding left alone in
//! its source, an archive kept unpacked (a bare `project.qde` beside its `sources/` folder), sources
//! without a `name`, damaged UTF-8, and the messages an import gives about what it left out or
//! guessed.

use std::io::{Cursor, Read as _, Write as _};
use std::path::Path;

use accord::app::files::read_qdpx as read_qdpx_file;
use accord::import::refi::positions::{Evidence, PositionUnit};
use accord::import::refi::qdc::read_qdc;
use accord::import::refi::qdpx::{QdpxImport, read_qdpx};
use accord::model::text::slice_chars;

use crate::support::{accord, example};

/// Every entry of an archive, in order.
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().to_string(), data)
        })
        .collect()
}

/// An archive of the given entries.
fn archive(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        if name.ends_with('/') {
            zip.add_directory(name.as_str(), opts).unwrap();
        } else {
            zip.start_file(name.as_str(), opts).unwrap();
            zip.write_all(data).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

/// The archive with its `project.qde` rewritten by `edit`.
fn with_qde(bytes: &[u8], edit: impl Fn(&str) -> String) -> Vec<u8> {
    let changed: Vec<(String, Vec<u8>)> = entries(bytes)
        .into_iter()
        .map(|(name, data)| {
            if name == "project.qde" {
                let xml = String::from_utf8(data).unwrap();
                (name, edit(&xml).into_bytes())
            } else {
                (name, data)
            }
        })
        .collect();
    archive(&changed)
}

/// The text under each coding.
fn quotes(import: &QdpxImport) -> Vec<String> {
    import
        .codings
        .iter()
        .map(|c| {
            let t = &import
                .transcripts
                .iter()
                .find(|t| t.transcript.transcript_id == c.transcript_id)
                .unwrap()
                .transcript;
            slice_chars(&t.text, c.span.start, c.span.end).to_string()
        })
        .collect()
}

#[test]
fn an_nvivo_for_mac_coding_alone_in_its_source_is_read_in_utf16_units() {
    let Some((path, bytes)) = example("nvivo-mac-12.7_oltas.qdpx") else {
        return;
    };
    // Only the selection 759d2e69... is left in its source: its ends fit both units.
    let alone = with_qde(&bytes, |xml| {
        let first = xml.find("<PlainTextSelection ").unwrap();
        let close = "</PlainTextSelection>";
        let last = xml.rfind(close).unwrap() + close.len();
        let at = xml.find(r#"guid="759d2e69"#).unwrap();
        let start = xml[..at].rfind("<PlainTextSelection ").unwrap();
        let end = start + xml[start..].find(close).unwrap() + close.len();
        format!("{}{}{}", &xml[..first], &xml[start..end], &xml[last..])
    });
    let import = read_qdpx(&path, &alone).unwrap();
    assert_eq!(import.codings.len(), 1);
    assert_eq!(quotes(&import), ["tudatos hal äl reklám, hatalmas árulás"]);
    let source = import.sources.iter().find(|s| s.codings == 1).unwrap();
    assert_eq!(source.detection.unit, PositionUnit::Utf16);
    // Nothing else in the file settles the unit: the report says the evidence is even, per source.
    assert_eq!(source.detection.evidence, Evidence::Even);
    assert!(
        import
            .warnings
            .iter()
            .any(|w| w.contains("videos_10_selected") && w.contains("equally")),
        "{:?}",
        import.warnings
    );
    // The whole file: every coding decisive, no warning.
    let whole = read_qdpx(&path, &bytes).unwrap();
    assert_eq!(whole.codings.len(), 297);
    assert!(whole.warnings.is_empty(), "{:?}", whole.warnings);
}

/// An inline source: its name, its text, and its selections as (start, end).
type Inline<'a> = (&'a str, &'a str, &'a [(usize, usize)]);

/// A project with inline sources.
fn inline_project(origin: &str, texts: &[Inline<'_>]) -> String {
    use std::fmt::Write as _;
    let mut sources = String::new();
    for (i, (name, text, selections)) in texts.iter().enumerate() {
        let mut sels = String::new();
        for (j, (s, e)) in selections.iter().enumerate() {
            write!(
                sels,
                r#"<PlainTextSelection guid="5D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C{i:02X}{j:02X}" startPosition="{s}" endPosition="{e}"><Coding guid="6D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C{i:02X}{j:02X}" creatingUser="0D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E"><CodeRef targetGUID="1D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E"/></Coding></PlainTextSelection>"#
            )
            .unwrap();
        }
        write!(
            sources,
            r#"<TextSource guid="4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D{i:02X}" name="{name}"><PlainTextContent>{text}</PlainTextContent>{sels}</TextSource>"#
        )
        .unwrap();
    }
    format!(
        r#"<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="{origin}">
<Users><User guid="0D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" name="Ana"/></Users>
<CodeBook><Codes><Code guid="1D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" name="A" isCodable="true"/></Codes></CodeBook>
<Sources>{sources}</Sources></Project>"#
    )
}

#[test]
fn a_source_that_cannot_tell_its_unit_takes_the_one_its_file_settles() {
    // "one" is chars 3..6 but UTF-16 units 5..8 after two emoji: in A, the words cut cleanly in
    // UTF-16 units only. In B the selection 0..2 ("😀😀" in code points, "😀" in UTF-16 units) cuts
    // cleanly either way.
    let a = "😀😀 one two three four";
    let b = "😀😀 seven eight";
    let a_sels: &[(usize, usize)] = &[(5, 8), (9, 12), (13, 18)];
    let b_sels: &[(usize, usize)] = &[(0, 2)];
    let xml = inline_project("Other tool 1.0", &[("A", a, a_sels), ("B", b, b_sels)]);
    let import = read_qdpx(Path::new("p.qde"), xml.as_bytes()).unwrap();
    let b_report = import.sources.iter().find(|s| s.name == "B").unwrap();
    assert_eq!(b_report.detection.unit, PositionUnit::Utf16);
    assert_eq!(b_report.detection.evidence, Evidence::FromFile);
    assert!(import.warnings.is_empty(), "{:?}", import.warnings);
    assert_eq!(quotes(&import), ["one", "two", "three", "😀"]);
    // Alone, B is even: read in the standard's unit, and the report says so.
    let xml = inline_project("Other tool 1.0", &[("B", b, b_sels)]);
    let import = read_qdpx(Path::new("p.qde"), xml.as_bytes()).unwrap();
    assert_eq!(import.sources[0].detection.evidence, Evidence::Even);
    assert_eq!(import.sources[0].detection.unit, PositionUnit::CodePoints);
    assert_eq!(quotes(&import), ["😀😀"]);
    assert!(
        import.warnings.iter().any(|w| w.contains("\"B\"")),
        "{:?}",
        import.warnings
    );
}

/// Unpacks an archive into a folder.
fn unpack(bytes: &[u8], dir: &Path) {
    for (name, data) in entries(bytes) {
        let path = dir.join(&name);
        if name.ends_with('/') {
            std::fs::create_dir_all(&path).unwrap();
            continue;
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

#[test]
fn an_unpacked_archive_imports_as_the_archive_does() {
    for file in ["nvivo-mac-12.7_oltas.qdpx", "qc-1.3.2_demo.qdpx"] {
        let Some((path, bytes)) = example(file) else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        unpack(&bytes, &d.join("unpacked"));
        let qde = d.join("unpacked").join("project.qde");
        let packed = read_qdpx(&path, &bytes).unwrap();
        let bare = read_qdpx_file(&qde).unwrap();
        assert!(!packed.transcripts.is_empty() && !packed.codings.is_empty());
        let texts = |i: &QdpxImport| -> Vec<(String, String)> {
            i.transcripts
                .iter()
                .map(|t| (t.transcript.name.clone(), t.transcript.text.clone()))
                .collect()
        };
        assert_eq!(texts(&bare), texts(&packed), "{file}");
        assert_eq!(bare.codings, packed.codings, "{file}");
        assert!(bare.missing.is_empty(), "{:?}", bare.missing);
        let q = qde.to_str().unwrap();
        let n = packed.codings.len().to_string();
        accord(d, &["import-qdpx", q, "--out", "whole.accord"])
            .success()
            .stdout_has(&format!("{} transcripts", packed.transcripts.len()))
            .stdout_has(&format!("{n} codings"));
    }
    // One source file gone: refused, naming it, unless allowed; then the rest is imported.
    let Some((_, bytes)) = example("nvivo-mac-12.7_oltas.qdpx") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    unpack(&bytes, d);
    let gone = "0a47de65-c207-4521-8a66-9a6d9ffa5f8d.txt";
    std::fs::remove_file(d.join("sources").join(gone)).unwrap();
    accord(d, &["import-qdpx", "project.qde", "--out", "a.accord"])
        .failure()
        .stderr_has(gone)
        .stderr_has("videos_selection")
        .stderr_has("--allow-missing-sources");
    assert!(!d.join("a.accord").exists());
    accord(
        d,
        &[
            "import-qdpx",
            "project.qde",
            "--out",
            "a.accord",
            "--allow-missing-sources",
        ],
    )
    .success()
    .stdout_has("1 transcripts")
    .stdout_has("297 codings")
    .stdout_has(gone);
}

#[test]
fn a_source_without_a_name_is_named_from_its_text_file() {
    let Some((path, bytes)) = example("qc-1.3.2_demo.qdpx") else {
        return;
    };
    let import = read_qdpx(&path, &bytes).unwrap();
    let mut names: Vec<&str> = import
        .transcripts
        .iter()
        .map(|t| t.transcript.name.as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["admin-1", "board_2017"]);
    // internal://, folders and extension off; the GUID only when there is no path either.
    let xml = r#"<Project xmlns="urn:QDA-XML:project:1.0" name="p">
<Sources><TextSource guid="4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D01" plainTextPath="internal://sub/P07 interview.txt"/>
<TextSource guid="4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D02"><PlainTextContent>Second text.</PlainTextContent></TextSource></Sources></Project>"#;
    let zipped = archive(&[
        ("project.qde".into(), xml.as_bytes().to_vec()),
        ("sources/P07 interview.txt".into(), b"First text.".to_vec()),
    ]);
    let import = read_qdpx(Path::new("n.qdpx"), &zipped).unwrap();
    let names: Vec<&str> = import
        .transcripts
        .iter()
        .map(|t| t.transcript.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["P07 interview", "4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D02"]
    );
}

#[test]
fn damaged_utf8_in_a_source_is_refused_whether_the_rest_is_ascii_or_not() {
    let xml = r#"<Project xmlns="urn:QDA-XML:project:1.0" name="p">
<Sources><TextSource guid="4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D01" name="Ascii" plainTextPath="internal://a.txt"/>
<TextSource guid="4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D02" name="Accented" plainTextPath="internal://b.txt"/>
<TextSource guid="4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D03" name="Good" plainTextPath="internal://c.txt"/></Sources></Project>"#;
    let mut accented = "Déjà vu, then a bad byte: ".as_bytes().to_vec();
    accented.extend([0xFF, b'!']);
    let zipped = archive(&[
        ("project.qde".into(), xml.as_bytes().to_vec()),
        (
            "sources/a.txt".into(),
            b"Caf\xE9 talk, plain ASCII else.".to_vec(),
        ),
        ("sources/b.txt".into(), accented),
        (
            "sources/c.txt".into(),
            "Fine text, déjà vu.".as_bytes().to_vec(),
        ),
    ]);
    let import = read_qdpx(Path::new("u.qdpx"), &zipped).unwrap();
    let names: Vec<&str> = import
        .transcripts
        .iter()
        .map(|t| t.transcript.name.as_str())
        .collect();
    assert_eq!(names, ["Good"]);
    for (name, byte) in [("Ascii", "byte 3"), ("Accented", "byte 28")] {
        assert!(
            import
                .skipped
                .iter()
                .any(|s| s.contains(&format!("\"{name}\""))
                    && s.contains("invalid UTF-8")
                    && s.contains(byte)),
            "{name}: {:?}",
            import.skipped
        );
    }
}

#[test]
fn import_messages_name_what_they_left_out_or_guessed() {
    let sel = |n: u8, attrs: &str, user: &str| {
        format!(
            r#"<PlainTextSelection guid="5D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D{n:02X}" {attrs}><Coding guid="6D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D{n:02X}" creatingUser="{user}"><CodeRef targetGUID="1D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E"/></Coding></PlainTextSelection>"#
        )
    };
    let ana = "0D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E";
    let stranger = "feedface-9B1A-4C55-8D0E-2F6A1B3C4D5E";
    let xml = format!(
        r#"<Project xmlns="urn:QDA-XML:project:1.0" name="p">
<Users><User guid="{ana}" name="Ana"/></Users>
<CodeBook><Codes><Code guid="1D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" name="A" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" name="Interview"><PlainTextContent>Interviewer: Hi.
P1: Hello there.</PlainTextContent>{}{}{}{}</TextSource></Sources><Sets/></Project>"#,
        sel(1, r#"startPosition="21" endPosition="32""#, ana),
        sel(
            2,
            r#"startPosition="99999999999999999999" endPosition="32""#,
            ana
        ),
        sel(3, r#"startPosition="21" endPosition="99999""#, ana),
        sel(4, r#"startPosition="4" endPosition="10""#, stranger),
    );
    let import = read_qdpx(Path::new("m.qde"), xml.as_bytes()).unwrap();
    assert_eq!(import.codings.len(), 2);
    let skipped = import.skipped.join("\n");
    // An overflowing position: said so, with the value and the coding.
    assert!(
        skipped.contains("overflows")
            && skipped.contains("99999999999999999999")
            && skipped.contains("6D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D02"),
        "{skipped}"
    );
    assert!(!skipped.contains("no start or end"), "{skipped}");
    // A coding past the end: its GUID and positions.
    assert!(
        skipped.contains("6D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D03 (21-99999)"),
        "{skipped}"
    );
    // An empty <Sets/> leaves nothing out.
    assert!(!skipped.to_lowercase().contains("sets"), "{skipped}");
    // A user missing from <Users>: a rater made up for them, and said so.
    assert!(import.raters.iter().any(|r| r.name == "User feedface"));
    assert!(
        import
            .warnings
            .iter()
            .any(|w| w.contains(stranger) && w.contains("User feedface")),
        "{:?}",
        import.warnings
    );
    // Taguette's codebook: its empty <Sets/> is not reported either.
    if let Some((path, bytes)) = example("taguette-1.4.1_codebook.qdc") {
        let q = read_qdc(&path, &bytes).unwrap();
        assert!(q.skipped.is_empty(), "{:?}", q.skipped);
    }
}

#[test]
fn command_line_messages_point_the_way() {
    let Some((path, _)) = example("qc-1.3.2_demo.qdpx") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let qdpx = path.to_str().unwrap();
    accord(d, &["new", "p.accord"]).success();
    // A project given to `codebook import`: pointed to import-qdpx.
    accord(d, &["codebook", "import", "p.accord", qdpx])
        .failure()
        .stderr_has("accord import-qdpx");
    // --out into a folder that does not exist: the folder named, no internal file.
    let run = accord(d, &["import-qdpx", qdpx, "--out", "nowhere/new.accord"])
        .failure()
        .stderr_has("nowhere")
        .stderr_has("does not exist");
    assert!(
        !run.stderr.contains("partial") && !run.stderr.contains(".accord-new"),
        "{}",
        run.stderr
    );
    assert!(!d.join("nowhere").exists());
}
