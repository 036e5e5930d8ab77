//! Exports of the demo project: every text export as an insta snapshot, XLSX read back with calamine
//! and DOCX unzipped and parsed, so the tests check content, not only that a file was written.

use accord::export::{
    Columns, ExcerptFilter, Format, MatrixSpec, Measure, Request, render_text, write,
};
use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};

use crate::support::{accord, demo_export, docx_text, redact_ids};

fn peerness() -> ExcerptFilter {
    let demo = demo_export();
    let code = demo.data.codebook.lookup("Peerness");
    let accord::model::CodeLookup::Found(code) = code else {
        panic!("no Peerness code")
    };
    ExcerptFilter {
        codes: vec![code.code_id],
        ..ExcerptFilter::default()
    }
}

fn text(request: &Request<'_>, format: Format) -> String {
    redact_ids(&render_text(request, format).unwrap())
}

fn bytes(request: &Request<'_>, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    write(request, format, &mut out).unwrap();
    out
}

#[test]
fn excerpt_exports_snapshot() {
    let data = &demo_export().data;
    let filter = peerness();
    let request = Request::Excerpts {
        data,
        filter: &filter,
    };
    insta::assert_snapshot!("excerpts_peerness_md", text(&request, Format::Markdown));
    insta::assert_snapshot!("excerpts_peerness_html", text(&request, Format::Html));
    insta::assert_snapshot!("excerpts_peerness_csv", text(&request, Format::Csv));
}

#[test]
fn excerpt_filters_by_rater_case_and_attribute() {
    let demo = demo_export();
    let data = &demo.data;
    let all = accord::export::excerpts::excerpts(data, &ExcerptFilter::default());
    assert_eq!(all.len(), data.codings.len());
    let maya = data.raters.iter().find(|r| r.name == "Maya Chen").unwrap();
    let by_maya = ExcerptFilter {
        raters: vec![maya.rater_id],
        ..ExcerptFilter::default()
    };
    let rows = accord::export::excerpts::excerpts(data, &by_maya);
    assert!(!rows.is_empty() && rows.len() < all.len());
    assert!(rows.iter().all(|e| e.rater == "Maya Chen"));
    let usual_care = ExcerptFilter {
        attributes: [("arm".to_string(), vec!["Control".to_string()])].into(),
        ..ExcerptFilter::default()
    };
    let arms: Vec<&str> = data
        .cases
        .iter()
        .filter_map(|c| c.attributes.get("arm").map(String::as_str))
        .collect();
    let rows = accord::export::excerpts::excerpts(data, &usual_care);
    if arms.contains(&"Control") {
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|e| e.attributes["arm"] == "Control"));
    }
    let p01 = data.cases.iter().find(|c| c.name == "P01").unwrap();
    let only_p01 = ExcerptFilter {
        cases: vec![p01.case_id],
        ..ExcerptFilter::default()
    };
    let rows = accord::export::excerpts::excerpts(data, &only_p01);
    assert!(!rows.is_empty() && rows.iter().all(|e| e.case.as_deref() == Some("P01")));
    let consensus = ExcerptFilter {
        consensus_only: true,
        ..ExcerptFilter::default()
    };
    assert!(accord::export::excerpts::excerpts(data, &consensus).is_empty());
}

#[test]
fn excerpts_xlsx_has_one_row_per_excerpt_with_attributes() {
    let data = &demo_export().data;
    let filter = ExcerptFilter::default();
    let xlsx = bytes(
        &Request::Excerpts {
            data,
            filter: &filter,
        },
        Format::Xlsx,
    );
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let range = book.worksheet_range("Excerpts").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), data.codings.len() + 1);
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    for column in [
        "code",
        "case",
        "transcript",
        "turn",
        "rater",
        "quote",
        "memo",
        "arm",
        "site",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "no {column} in {header:?}"
        );
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let first = rows[1];
    let quote = first[col("quote")].to_string();
    let transcript = data
        .transcripts
        .iter()
        .find(|t| t.name == first[col("transcript")].to_string())
        .unwrap();
    let (start, end) = (
        first[col("start")].get_float().unwrap() as usize,
        first[col("end")].get_float().unwrap() as usize,
    );
    assert_eq!(
        quote,
        accord::model::text::slice_chars(&transcript.text, start, end)
    );
    assert!(!first[col("arm")].to_string().is_empty());
}

#[test]
fn excerpts_docx_has_headings_quotes_and_citations() {
    let data = &demo_export().data;
    let filter = peerness();
    let docx = bytes(
        &Request::Excerpts {
            data,
            filter: &filter,
        },
        Format::Docx,
    );
    let text = docx_text(&docx);
    let rows = accord::export::excerpts::excerpts(data, &filter);
    assert!(
        text.contains(&format!("Lived experience/Peerness ({})", rows.len())),
        "{text}"
    );
    for e in &rows {
        let first_line = e.quote.trim().lines().next().unwrap();
        assert!(text.contains(first_line), "missing quote {first_line:?}");
        assert!(
            text.contains(&e.citation()),
            "missing citation {:?}",
            e.citation()
        );
    }
}

#[test]
fn matrix_and_cooccurrence_snapshots() {
    let data = &demo_export().data;
    let filter = ExcerptFilter::default();
    let by_case = MatrixSpec::default();
    insta::assert_snapshot!(
        "matrix_cases_codings_csv",
        text(
            &Request::Matrix {
                data,
                filter: &filter,
                spec: &by_case
            },
            Format::Csv
        )
    );
    let by_arm = MatrixSpec {
        columns: Columns::Attribute("arm".into()),
        measure: Measure::Presence,
    };
    insta::assert_snapshot!(
        "matrix_arm_presence_csv",
        text(
            &Request::Matrix {
                data,
                filter: &filter,
                spec: &by_arm
            },
            Format::Csv
        )
    );
    let turns = MatrixSpec {
        measure: Measure::Turns,
        ..MatrixSpec::default()
    };
    insta::assert_snapshot!(
        "matrix_cases_turns_csv",
        text(
            &Request::Matrix {
                data,
                filter: &filter,
                spec: &turns
            },
            Format::Csv
        )
    );
    insta::assert_snapshot!(
        "cooccurrence_csv",
        text(
            &Request::Cooccurrence {
                data,
                filter: &filter
            },
            Format::Csv
        )
    );
}

#[test]
fn matrix_counts_add_up_and_read_back_from_xlsx() {
    let data = &demo_export().data;
    let filter = ExcerptFilter::default();
    let spec = MatrixSpec::default();
    let request = Request::Matrix {
        data,
        filter: &filter,
        spec: &spec,
    };
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes(&request, Format::Xlsx))).unwrap();
    let range = book.worksheet_range("Codes x cases").unwrap();
    let total: f64 = range
        .rows()
        .skip(1)
        .flat_map(|r| r[2..r.len() - 1].iter())
        .filter_map(DataType::get_float)
        .sum();
    assert_eq!(total as usize, data.codings.len());
    let co = Request::Cooccurrence {
        data,
        filter: &filter,
    };
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes(&co, Format::Xlsx))).unwrap();
    let range = book.worksheet_range("Co-occurrence").unwrap();
    let n = range.height() - 1;
    for i in 0..n {
        for j in 0..n {
            // Symmetric, and no pair co-occurs in more turns than either code touches.
            let cell = |r: usize, c: usize| {
                range
                    .get((r + 1, c + 1))
                    .and_then(DataType::get_float)
                    .unwrap() as u64
            };
            assert_eq!(cell(i, j), cell(j, i));
            assert!(cell(i, j) <= cell(i, i));
        }
    }
}

#[test]
fn codebook_exports() {
    let book = &demo_export().data.codebook;
    let request = Request::Codebook { book };
    insta::assert_snapshot!(
        "codebook_md",
        render_text(&request, Format::Markdown).unwrap()
    );
    insta::assert_snapshot!("codebook_csv", render_text(&request, Format::Csv).unwrap());
    insta::assert_snapshot!("codebook_qdc", render_text(&request, Format::Qdc).unwrap());
    let text = docx_text(&bytes(&request, Format::Docx));
    for code in &book.codes {
        assert!(
            text.contains(&book.path(code.code_id)),
            "no heading for {}",
            code.name
        );
        for value in [
            &code.definition,
            &code.when_to_use,
            &code.when_not_to_use,
            &code.example,
        ] {
            for paragraph in accord::export::prose::paragraphs(value) {
                assert!(
                    text.contains(&paragraph),
                    "{}: {paragraph:?} missing",
                    code.name
                );
            }
        }
    }
}

#[test]
fn agreement_exports() {
    let report = &demo_export().agreement;
    let request = Request::Agreement { report };
    let md = render_text(&request, Format::Markdown).unwrap();
    assert!(
        md.contains("Formulas") && md.contains("disagreements"),
        "{md}"
    );
    insta::assert_snapshot!("agreement_turn_md", md);
    let html = render_text(&request, Format::Html).unwrap();
    assert!(
        html.contains("<svg") && html.contains("<rect"),
        "no bar chart"
    );
    insta::assert_snapshot!("agreement_turn_html", html);
    insta::assert_snapshot!(
        "agreement_turn_csv",
        render_text(&request, Format::Csv).unwrap()
    );
}

#[test]
fn command_line_exports_every_kind() {
    let demo = demo_export();
    let dir = tempfile::tempdir().unwrap();
    let p = demo.path.to_str().unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    for (what, file) in [
        ("excerpts", "e.docx"),
        ("excerpts", "e.xlsx"),
        ("matrix", "m.xlsx"),
        ("cooccurrence", "c.csv"),
        ("codebook", "b.docx"),
        ("agreement", "a.html"),
        ("qdc", "b.qdc"),
        ("qdpx", "p.qdpx"),
    ] {
        let path = out(file);
        accord(
            dir.path(),
            &["export", p, what, "--out", &path, "--replicates", "0"],
        )
        .success();
        assert!(
            std::fs::metadata(&path).unwrap().len() > 100,
            "{what} {file}"
        );
    }
    accord(
        dir.path(),
        &[
            "export", p, "excerpts", "--codes", "Peerness", "--where", "arm=CAPP",
        ],
    )
    .success()
    .stdout_has("## Lived experience/Peerness");
    accord(
        dir.path(),
        &[
            "export",
            p,
            "matrix",
            "--by",
            "site",
            "--measure",
            "presence",
        ],
    )
    .success()
    .stdout_has("code,code_id,A,B,C,D,total");
    accord(dir.path(), &["export", p, "matrix", "--by", "nonesuch"])
        .failure()
        .stderr_has("no case has that attribute");
    accord(dir.path(), &["export", p, "codebook", "--format", "html"])
        .failure()
        .stderr_has("cannot be exported as html");
    accord(dir.path(), &["export", p, "excerpts", "--format", "xlsx"])
        .failure()
        .stderr_has("give --out");
}
