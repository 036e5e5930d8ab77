//! REFI-QDA files from other tools: every real file in `../shared/refi-qda/examples/` (ATLAS.ti, NVivo
//! for Mac and Windows, Taguette) imported with its counts checked against the file itself, NVivo for
//! Windows' UTF-16 positions landing on the same text, and hostile or broken archives refused.

use std::collections::BTreeMap;
use std::path::Path;

use accord::app::refi::import_new_project;
use accord::import::refi::positions::PositionUnit;
use accord::import::refi::qdc::read_qdc;
use accord::import::refi::qdpx::{QdpxImport, read_qdpx};
use accord::model::text::slice_chars;

use crate::support::{accord, example, zip_entry};

#[test]
fn nvivo_windows_positions_are_utf16_and_land_on_the_same_text() {
    let Some((path, bytes)) = example("nvivo-win-12.6_oltas0517.qdpx") else {
        return;
    };
    let import = read_qdpx(&path, &bytes).unwrap();
    let xml = String::from_utf8(zip_entry(&bytes, "project.qde")).unwrap();
    assert_eq!(
        (
            count(&xml, "<User "),
            count(&xml, "<Code "),
            count(&xml, "<TextSource "),
            count(&xml, "<Coding ")
        ),
        (2, 152, 2, 303)
    );
    assert_eq!(import.raters.len(), 2);
    assert_eq!(import.codebook.codes.len(), 152);
    assert_eq!(import.transcripts.len(), 2);
    assert_eq!(import.codings.len(), 303);
    let coded: Vec<_> = import.sources.iter().filter(|s| s.codings > 0).collect();
    assert_eq!(coded.len(), 1);
    assert_eq!(
        coded[0].detection.unit,
        PositionUnit::Utf16,
        "{}",
        coded[0].detection.reason
    );
    // Independently: the selections' UTF-16 slices of the original text (BOM off, CRLF kept), with
    // CRLF then turned into LF, must be the text under each imported coding.
    let qde = String::from_utf8(zip_entry(&bytes, "project.qde")).unwrap();
    let selections = selections(&qde);
    assert_eq!(selections.len(), 303);
    for coding in &import.codings {
        let t = &import
            .transcripts
            .iter()
            .find(|t| t.transcript.transcript_id == coding.transcript_id)
            .unwrap()
            .transcript;
        let raw = zip_entry(&bytes, &format!("Sources/{}.txt", t.transcript_id));
        let original = String::from_utf8(raw).unwrap();
        let units: Vec<u16> = original
            .trim_start_matches('\u{feff}')
            .encode_utf16()
            .collect();
        let (start, end) = selections[&coding.coding_id.to_text()];
        let expected = String::from_utf16(&units[start..end])
            .unwrap()
            .replace("\r\n", "\n");
        assert_eq!(
            slice_chars(&t.text, coding.span.start, coding.span.end),
            expected
        );
    }
    // And the whole import stores.
    let dir = tempfile::tempdir().unwrap();
    let report = import_new_project(&dir.path().join("n.accord"), import).unwrap();
    assert_eq!(
        (report.transcripts, report.codings, report.codes),
        (2, 303, 152)
    );
}

/// Coding guid -> (start, end) of its selection, read with a plain scan of the XML.
fn selections(qde: &str) -> BTreeMap<String, (usize, usize)> {
    let attr = |tag: &str, name: &str| -> usize {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..tag[at..].find('"').unwrap() + at].parse().unwrap()
    };
    let mut out = BTreeMap::new();
    for part in qde.split("<PlainTextSelection ").skip(1) {
        let tag = &part[..part.find('>').unwrap()];
        let (start, end) = (attr(tag, "startPosition"), attr(tag, "endPosition"));
        let coding = &part[part.find("<Coding guid=\"").unwrap() + 14..];
        out.insert(coding[..36].to_lowercase(), (start, end));
    }
    out
}

fn count(xml: &str, needle: &str) -> usize {
    xml.matches(needle).count()
}

#[test]
fn every_real_example_imports_with_its_counts() {
    // ATLAS.ti 23 for Windows: users and a nested codebook, no sources.
    if let Some((path, bytes)) = example("atlasti-23.2-win_target-atlas-project.qdpx") {
        let i = read_qdpx(&path, &bytes).unwrap();
        assert_eq!(
            (i.raters.len(), i.codebook.codes.len(), i.transcripts.len()),
            (2, 3, 0)
        );
        assert_eq!(
            i.codebook.path(i.codebook.codes[1].code_id),
            "Commits/2022-05-10T02:05:59Z 19e4dce"
        );
    }
    // ATLAS.ti 8 for Mac, the standard's sample project: the XML alone, so the texts are missing.
    if let Some((path, bytes)) = example("atlasti-8.4-mac_refi-standard-project.qde") {
        let xml = String::from_utf8_lossy(&bytes).into_owned();
        let i = read_qdpx(&path, &bytes).unwrap();
        assert_eq!(i.raters.len(), 3);
        assert_eq!(i.codebook.codes.len(), count(&xml, "<Code "));
        assert!(i.codebook.codes.iter().any(|c| c.colour == "#46AA00"));
        assert!(i.transcripts.is_empty());
        let missing = i
            .missing
            .iter()
            .filter(|s| s.contains("cannot be found"))
            .count();
        assert_eq!(missing, count(&xml, "<TextSource "));
        // Every selection of a text source is accounted for in the skip notes (the file's other two
        // are inside the PDF sources' text representations, which are skipped with their sources).
        let left_out: usize = i
            .skipped
            .iter()
            .chain(&i.missing)
            .filter_map(|s| s.split(" (").last()?.strip_suffix(" selections left out)"))
            .map(|n| n.parse::<usize>().unwrap())
            .sum();
        assert_eq!(count(&xml, "<PlainTextSelection "), 8);
        assert_eq!(left_out, 6);
        for kind in [
            "PictureSource",
            "PDFSource",
            "AudioSource",
            "VideoSource",
            "sets",
        ] {
            assert!(
                i.skipped.iter().any(|s| s.contains(kind)),
                "no note on {kind}: {:?}",
                i.skipped
            );
        }
    }
    // NVivo for Mac: 262 nested codes, two sources that hold only a newline.
    if let Some((path, bytes)) = example("nvivo-mac-15.0_qc-sample.qdpx") {
        let xml = String::from_utf8(zip_entry(&bytes, "project.qde")).unwrap();
        let i = read_qdpx(&path, &bytes).unwrap();
        assert_eq!((i.raters.len(), i.codebook.codes.len()), (2, 262));
        assert_eq!(
            (
                count(&xml, "<User "),
                count(&xml, "<Code "),
                count(&xml, "<TextSource ")
            ),
            (2, 262, 2)
        );
        assert_eq!((i.transcripts.len(), i.codings.len()), (0, 0));
        assert_eq!(
            i.skipped.iter().filter(|s| s.contains("empty")).count(),
            2,
            "{:?}",
            i.skipped
        );
        let dir = tempfile::tempdir().unwrap();
        import_new_project(&dir.path().join("m.accord"), i).unwrap();
    }
    // Codebooks: ATLAS.ti (colour, description, a set) and Taguette (flat, with an empty <Sets/>).
    if let Some((path, bytes)) = example("atlasti-23.4-win_codebook.qdc") {
        let q = read_qdc(&path, &bytes).unwrap();
        assert_eq!(q.codebook.codes.len(), 1);
        assert_eq!(
            (
                q.codebook.codes[0].colour.as_str(),
                q.codebook.codes[0].definition.as_str()
            ),
            ("#46AA00", "description")
        );
        assert!(q.skipped.iter().any(|s| s.contains("sets")));
    }
    if let Some((path, bytes)) = example("taguette-1.4.1_codebook.qdc") {
        let q = read_qdc(&path, &bytes).unwrap();
        let names: Vec<&str> = q.codebook.codes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["xsd:element name", "CodeBook", "Variables"]);
    }
}

fn import_of(xml: &str) -> QdpxImport {
    read_qdpx(Path::new("x.qde"), xml.as_bytes()).unwrap()
}

#[test]
fn hostile_and_broken_archives_are_refused_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", opts).unwrap();
    std::io::Write::write_all(&mut zip, b"<Project name='x'/>").unwrap();
    zip.start_file("../evil.txt", opts).unwrap();
    let evil = zip.finish().unwrap().into_inner();
    let err = read_qdpx(Path::new("evil.qdpx"), &evil)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("evil.qdpx: ") && err.contains("outside the archive"),
        "{err}"
    );
    let err = read_qdpx(Path::new("cut.qdpx"), b"PK\x03\x04 truncated")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cut.qdpx: "), "{err}");
    let err = read_qdpx(Path::new("a.qde"), b"<Project><Users>")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("a.qde: "), "{err}");
    // An import that fails leaves no project behind.
    let out = dir.path().join("new.accord");
    accord(
        dir.path(),
        &[
            "import-qdpx",
            "missing.qdpx",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .failure()
    .stderr_has("missing.qdpx");
    assert!(!out.exists());
    // Lenient reading: braces, rgb() colours, Cases: variables, inline text.
    let i = import_of(
        r#"<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="T">
 <Users><User guid="{0D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E}" name="Ana"/></Users>
 <CodeBook><Codes><Code guid="{1D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E}" name="A" isCodable="true" color="rgb(255,0,0)"/></Codes></CodeBook>
 <Variables><Variable guid="2D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" name="Cases:Age" typeOfVariable="Integer"/></Variables>
 <Cases><Case guid="3D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" name="P1"><VariableValue><VariableRef targetGUID="2D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E"/><IntegerValue>42</IntegerValue></VariableValue><SourceRef targetGUID="4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E"/></Case></Cases>
 <Sources><TextSource guid="4D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" name="Interview"><PlainTextContent>Interviewer: Hi.
P1: Hello there.</PlainTextContent>
  <PlainTextSelection guid="5D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" startPosition="21" endPosition="32"><Coding guid="6D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E" creatingUser="{0d7f3c1e-9b1a-4c55-8d0e-2f6a1b3c4d5e}"><CodeRef targetGUID="1d7f3c1e-9b1a-4c55-8d0e-2f6a1b3c4d5e"/></Coding></PlainTextSelection>
 </TextSource></Sources></Project>"#,
    );
    assert_eq!(i.codebook.codes[0].colour, "#FF0000");
    assert_eq!(
        i.attributes,
        [(
            "P1".to_string(),
            [("Age".to_string(), "42".to_string())].into()
        )]
    );
    assert_eq!(i.transcripts[0].case_name, "P1");
    assert_eq!(i.raters.len(), 1);
    let c = &i.codings[0];
    assert_eq!(c.rater_id, i.raters[0].rater_id);
    assert_eq!(
        slice_chars(&i.transcripts[0].transcript.text, c.span.start, c.span.end),
        "Hello there"
    );
}
