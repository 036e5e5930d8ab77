//! REFI-QDA out and back: the demo project through `.qdpx` into a new project (same transcripts, codes
//! and codings, same text under every coding, same case ids and memos), the exported XML validated with
//! xmllint against the schemas, and the command line's import and export.

use std::collections::BTreeMap;
use std::path::Path;

use accord::app::refi::import_new_project;
use accord::export::{Format, Request, render_text, write};
use accord::import::refi::qdpx::read_qdpx;
use accord::model::CodingFilter;
use accord::model::text::slice_chars;
use accord::store::Store;

use crate::support::{accord, demo_export, example, xmllint, zip_entry};

fn demo_qdpx() -> Vec<u8> {
    let mut out = Vec::new();
    write(
        &Request::Project {
            data: &demo_export().data,
        },
        Format::Qdpx,
        &mut out,
    )
    .unwrap();
    out
}

#[test]
fn exported_xml_validates_against_the_schemas() {
    let qdpx = demo_qdpx();
    assert_eq!(
        qdpx,
        demo_qdpx(),
        "the same project exports to the same bytes"
    );
    xmllint(&zip_entry(&qdpx, "project.qde"), "Project.xsd");
    let qdc = render_text(
        &Request::Codebook {
            book: &demo_export().data.codebook,
        },
        Format::Qdc,
    )
    .unwrap();
    xmllint(qdc.as_bytes(), "Codebook.xsd");
}

#[test]
fn demo_round_trips_through_qdpx() {
    let demo = demo_export();
    let qdpx = demo_qdpx();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.qdpx");
    std::fs::write(&file, &qdpx).unwrap();
    let import = read_qdpx(&file, &qdpx).unwrap();
    assert!(import.skipped.is_empty(), "{:?}", import.skipped);
    let path = dir.path().join("again.accord");
    let report = import_new_project(&path, import).unwrap();
    let data = &demo.data;
    assert_eq!(report.transcripts, data.transcripts.len());
    assert_eq!(report.codings, data.codings.len());
    let store = Store::open(&path).unwrap();
    let again = accord::app::export::snapshot(&store).unwrap();
    // Transcripts: same ids, names and text.
    let texts = |d: &accord::export::ProjectData| -> BTreeMap<_, _> {
        d.transcripts
            .iter()
            .map(|t| (t.transcript_id, (t.name.clone(), t.text.clone())))
            .collect()
    };
    assert_eq!(texts(data), texts(&again));
    // Codes: same ids, parents, colours and every structured field, in the same tree order.
    let codes = |d: &accord::export::ProjectData| -> Vec<_> {
        d.codebook
            .tree_order()
            .into_iter()
            .map(|(depth, c)| {
                (
                    depth,
                    accord::Code {
                        position: 0,
                        ..c.clone()
                    },
                )
            })
            .collect()
    };
    assert_eq!(codes(data), codes(&again));
    // Codings: same ids, transcript, code, rater and text under each.
    let quote = |d: &accord::export::ProjectData, c: &accord::Coding| {
        let t = d.transcript(c.transcript_id).unwrap();
        slice_chars(&t.text, c.span.start, c.span.end).to_string()
    };
    let codings = |d: &accord::export::ProjectData| -> BTreeMap<_, _> {
        d.codings
            .iter()
            .map(|c| {
                let rater = d.rater(c.rater_id).unwrap().name.clone();
                (
                    c.coding_id,
                    (c.transcript_id, c.code_id, rater, quote(d, c)),
                )
            })
            .collect()
    };
    assert_eq!(codings(data), codings(&again));
    // Memos on codings, and cases (same ids) with their attributes, come along.
    assert_eq!(data.coding_memos().len(), again.coding_memos().len());
    let attrs = |d: &accord::export::ProjectData| -> BTreeMap<_, _> {
        d.cases
            .iter()
            .map(|c| (c.name.clone(), (c.case_id, c.attributes.clone())))
            .collect()
    };
    assert_eq!(attrs(data), attrs(&again));
    // Importing the same file into the new project's codings again adds nothing (ids carry over).
    let n = store.codings(&CodingFilter::default()).unwrap().len();
    assert_eq!(n, data.codings.len());
}

#[test]
fn command_line_imports_qdpx_and_qdc() {
    let dir = tempfile::tempdir().unwrap();
    let qdpx = dir.path().join("demo.qdpx");
    std::fs::write(&qdpx, demo_qdpx()).unwrap();
    let out = dir.path().join("copy.accord");
    accord(
        dir.path(),
        &[
            "import-qdpx",
            qdpx.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .success()
    .stdout_has("12 transcripts")
    .stdout_has("positions in code points");
    accord(
        dir.path(),
        &[
            "import-qdpx",
            qdpx.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .failure()
    .stderr_has("already exists");
    let p = out.to_str().unwrap();
    accord(dir.path(), &["show", p, "P01_interview"]).success();
    let qdc = dir.path().join("book.qdc");
    accord(
        dir.path(),
        &["export", p, "qdc", "--out", qdc.to_str().unwrap()],
    )
    .success();
    let fresh = dir.path().join("fresh.accord");
    accord(dir.path(), &["new", fresh.to_str().unwrap()]).success();
    accord(
        dir.path(),
        &[
            "codebook",
            "import",
            fresh.to_str().unwrap(),
            qdc.to_str().unwrap(),
        ],
    )
    .success()
    .stdout_has("codes added");
    if let Some((path, _)) = example("taguette-1.4.1_codebook.qdc") {
        accord(
            dir.path(),
            &[
                "codebook",
                "import",
                fresh.to_str().unwrap(),
                path.to_str().unwrap(),
            ],
        )
        .success()
        .stdout_has("3 codes added");
    }
}

#[test]
fn memos_on_the_project_transcripts_and_codes_travel_as_notes() {
    use accord::model::{Memo, MemoId, MemoTarget};
    let mut data = demo_export().data.clone();
    let rater = data.raters[0].rater_id;
    let targets = [
        MemoTarget::Project,
        MemoTarget::Transcript(data.transcripts[0].transcript_id),
        MemoTarget::Code(data.codebook.codes[0].code_id),
    ];
    for (i, target) in targets.iter().enumerate() {
        data.memos.push(Memo {
            memo_id: MemoId::new_random(),
            target: *target,
            rater_id: Some(rater),
            text: format!("memo {i} & <more>"),
            created_at: "2025-01-01T00:00:00Z".into(),
        });
    }
    let mut qdpx = Vec::new();
    write(&Request::Project { data: &data }, Format::Qdpx, &mut qdpx).unwrap();
    xmllint(&zip_entry(&qdpx, "project.qde"), "Project.xsd");
    let import = read_qdpx(Path::new("m.qdpx"), &qdpx).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.accord");
    let report = import_new_project(&path, import).unwrap();
    assert_eq!(report.memos, 3);
    let again = accord::app::export::snapshot(&Store::open(&path).unwrap()).unwrap();
    for (i, target) in targets.iter().enumerate() {
        let memo = again.memos.iter().find(|m| m.target == *target).unwrap();
        assert_eq!(memo.text, format!("memo {i} & <more>"));
        assert_eq!(memo.rater_id, Some(rater));
    }
}
