//! From coded excerpts to the paper (issue 20): key quotes flagged and cited in the team's form, the
//! summary grid with written summaries, each as undoable changes and exported in every format.

use crate::support::{accord, demo};

/// A DOCX's `word/document.xml`.
fn document_xml(docx: &std::path::Path) -> String {
    let bytes = std::fs::read(docx).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    xml
}

fn json(run: &crate::support::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap()
}

/// The id of the first coding of `code` by Maya Chen in `transcript`, and its words.
fn coding_of(dir: &std::path::Path, p: &str, transcript: &str, code: &str) -> (String, String) {
    let list = json(&accord(
        dir,
        &["codings", "list", p, "--rater", "Maya Chen", "--json"],
    ));
    let c = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["transcript"] == transcript && c["code"].as_str().unwrap().ends_with(code))
        .unwrap();
    (
        c["coding_id"].as_str().unwrap().to_string(),
        c["quote"].as_str().unwrap().to_string(),
    )
}

#[test]
fn key_quotes_are_flagged_cited_in_the_teams_form_exported_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    // P02 is a subtitle file: its turns have times.
    let (id, quote) = coding_of(d, p, "P02_interview", "Peerness");
    accord(
        d,
        &[
            "quotes",
            "flag",
            p,
            &id[..8],
            "--label",
            "opening",
            "-r",
            "Maya Chen",
        ],
    )
    .success()
    .stdout_has("flagged coding");
    let listed = json(&accord(d, &["quotes", "list", p, "--json"]).success());
    let row = &listed[0];
    assert_eq!(row["quote"].as_str(), Some(quote.as_str()));
    assert_eq!(row["label"], "opening");
    assert_eq!(row["flagged_by"], "Maya Chen");
    // The default form: (case, role, time), the time of the turn the quote starts in.
    let citation = row["citation"].as_str().unwrap();
    assert!(
        citation.starts_with("(P02, ") && citation.ends_with(')') && citation.contains(':'),
        "{citation}"
    );
    assert_eq!(
        citation,
        format!("(P02, {}, {})", row["role"].as_str().unwrap(), {
            let ms = row["start_ms"].as_u64().unwrap();
            format!(
                "{:02}:{:02}:{:02}",
                ms / 3_600_000,
                ms / 60_000 % 60,
                ms / 1000 % 60
            )
        })
    );
    // The team's own form; a form naming an unknown part is refused, naming the parts there are.
    accord(d, &["quotes", "citation", p, "({case}, {mood})"])
        .failure()
        .stderr_has("{mood}")
        .stderr_has("{speaker}");
    accord(d, &["quotes", "citation", p, "[{transcript}, turn {turn}]"]).success();
    let listed = json(&accord(d, &["quotes", "list", p, "--json"]).success());
    let turn = listed[0]["turn"].as_u64().unwrap();
    assert_eq!(
        listed[0]["citation"].as_str().unwrap(),
        format!("[P02_interview, turn {turn}]")
    );
    // Exported by theme in every format, the DOCX read back.
    let md = accord(d, &["export", p, "quotes", "--format", "markdown"])
        .success()
        .stdout;
    insta::assert_snapshot!("key_quotes_md", md);
    assert!(md.contains("## Lived experience/Peerness"), "{md}");
    assert!(md.contains("### opening"), "{md}");
    assert!(
        md.contains(&format!("[P02_interview, turn {turn}]")),
        "{md}"
    );
    let docx = d.join("quotes.docx");
    accord(d, &["export", p, "quotes", "--out", docx.to_str().unwrap()]).success();
    let xml = crate::support::docx_text(&std::fs::read(&docx).unwrap());
    assert!(
        xml.contains("opening") && xml.contains(&format!("turn {turn}")),
        "{xml}"
    );
    let csv = accord(d, &["export", p, "quotes", "--format", "csv"])
        .success()
        .stdout;
    assert!(csv.starts_with("code,label,quote,citation,"), "{csv}");
    // A removed coding cannot be flagged; unflag and undo are exact.
    accord(d, &["quotes", "unflag", p, &id[..8]]).success();
    assert_eq!(
        json(&accord(d, &["quotes", "list", p, "--json"]).success()),
        serde_json::json!([])
    );
    accord(d, &["undo", p]).success();
    let back = json(&accord(d, &["quotes", "list", p, "--json"]).success());
    assert_eq!(back[0]["label"], "opening");
    accord(d, &["quotes", "flag", p, "0000000000"])
        .failure()
        .stderr_has("no coding has an id starting");
}

#[test]
fn the_summary_grid_holds_cases_by_codes_with_versioned_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    let grid = |extra: &[&str]| {
        let mut args = vec![
            "grid",
            "show",
            p,
            "--codes",
            "Own recovery,Peerness",
            "--json",
        ];
        args.extend_from_slice(extra);
        json(&accord(d, &args).success())
    };
    // Every case a row, every chosen code a column; a cell counts the case's excerpts on it.
    let all = grid(&[]);
    assert_eq!(all["codes"].as_array().unwrap().len(), 2);
    assert_eq!(all["rows"].as_array().unwrap().len(), 12);
    let listed = json(&accord(d, &["codings", "list", p, "--json"]).success());
    let naive = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["transcript"] == "P04_interview"
                && c["code"].as_str().unwrap().ends_with("Own recovery")
        })
        .count();
    let p04 = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["case"] == "P04")
        .unwrap();
    assert_eq!(p04["cells"][0]["excerpts"].as_array().unwrap().len(), naive);
    assert!(naive > 0);
    // Filtered by attribute, and by rater.
    let site_a = grid(&["--where", "site=A"]);
    assert!(
        site_a["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["attributes"]["site"] == "A")
    );
    let maya = grid(&["--raters", "Maya Chen"]);
    assert!(maya["rows"].as_array().unwrap().iter().all(|r| {
        r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["excerpts"].as_array().unwrap())
            .all(|e| e["rater"] == "Maya Chen")
    }));
    // A summary cites the case's excerpts on the code; another case's is refused, nothing written.
    let (own, _) = coding_of(d, p, "P04_interview", "Own recovery");
    let (other, _) = coding_of(d, p, "P02_interview", "Own recovery");
    let write = |text: &str, cite: &str| {
        accord(
            d,
            &[
                "grid",
                "summary",
                p,
                "--case",
                "P04",
                "--code",
                "Own recovery",
                "--text",
                text,
                "--cite",
                cite,
                "-r",
                "Maya Chen",
            ],
        )
    };
    write("Recovery as her credential.", &other[..8])
        .failure()
        .stderr_has("is not an excerpt of this case on this code");
    write("Recovery as her credential.", &own[..8]).success();
    write("Recovery as her credential, and a burden.", &own[..8]).success();
    let cell = |g: &serde_json::Value| {
        g["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["case"] == "P04")
            .unwrap()["cells"][0]["summary"]
            .clone()
    };
    let now = cell(&grid(&[]));
    assert_eq!(now["version"], 2);
    assert_eq!(now["text"], "Recovery as her credential, and a burden.");
    assert_eq!(now["cites"][0].as_str(), Some(own.as_str()));
    // Undo takes the newest version back; the one before is the cell's again.
    accord(d, &["undo", p]).success();
    let back = cell(&grid(&[]));
    assert_eq!(
        (back["version"].as_i64(), back["text"].as_str()),
        (Some(1), Some("Recovery as her credential."))
    );
    // Exported with the case attributes: a table of summaries, then each case's excerpts.
    let md = accord(
        d,
        &[
            "export",
            p,
            "grid",
            "--codes",
            "Own recovery,Peerness",
            "--format",
            "markdown",
        ],
    )
    .success()
    .stdout;
    insta::assert_snapshot!("summary_grid_md", md);
    assert!(md.contains("| P04 | Recovery as her credential. |"), "{md}");
    assert!(
        md.contains("**Summary (by Maya Chen, version 1):** Recovery as her credential."),
        "{md}"
    );
    let csv = accord(
        d,
        &[
            "export",
            p,
            "grid",
            "--codes",
            "Own recovery",
            "--format",
            "csv",
        ],
    )
    .success()
    .stdout;
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("case,age_group,arm,"), "{header}");
    assert!(
        header.ends_with("Lived experience/Own recovery: quotes"),
        "{header}"
    );
    let docx = d.join("grid.docx");
    accord(
        d,
        &[
            "export",
            p,
            "grid",
            "--codes",
            "Own recovery",
            "--out",
            docx.to_str().unwrap(),
        ],
    )
    .success();
    let xml = crate::support::docx_text(&std::fs::read(&docx).unwrap());
    assert!(xml.contains("Recovery as her credential."), "{xml}");
    assert!(
        document_xml(&docx).contains("<w:tbl>"),
        "the grid is a real table"
    );
    // A grid over codes nobody used says so, naming them.
    let book = d.join("more.toml");
    std::fs::write(
        &book,
        "[codebook]\nname = \"CAPP\"\n\n[[codes]]\nname = \"Unused\"\n",
    )
    .unwrap();
    accord(d, &["codebook", "import", p, book.to_str().unwrap()]).success();
    accord(d, &["grid", "show", p, "--codes", "Unused"])
        .failure()
        .stderr_has("no case has an excerpt coded Unused: the grid would hold nothing");
    accord(d, &["grid", "show", p, "--codes", "Unused,Peerness"])
        .success()
        .stderr_has("no case has an excerpt coded Unused");
}

/// The report: by theme, each code's definition and agreement (the figures `accord agreement`
/// gives), its key quotes with citation and provenance (unanimous, adjudicated, one rater's), its
/// case summaries and memos, and the methods; Markdown, HTML and a DOCX that `LibreOffice` opens.
#[test]
fn the_report_carries_each_quotes_reliability_and_the_methods() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    // Settled passages become consensus codings, adjudicated.
    accord(d, &["adjudicate", "agreements", p, "--overlap", "50"]).success();
    let listed = json(&accord(d, &["codings", "list", p, "--json"]).success());
    let codings = listed.as_array().unwrap();
    let overlaps = |a: &serde_json::Value, b: &serde_json::Value| {
        a["transcript"] == b["transcript"]
            && a["code"] == b["code"]
            && a["start"].as_u64() < b["end"].as_u64()
            && b["start"].as_u64() < a["end"].as_u64()
    };
    // A coding both raters coded, one only Maya coded, and a consensus coding.
    let maya: Vec<_> = codings
        .iter()
        .filter(|c| c["rater"] == "Maya Chen")
        .collect();
    let jordan: Vec<_> = codings
        .iter()
        .filter(|c| c["rater"] == "Jordan Ellis")
        .collect();
    let both = *maya
        .iter()
        .find(|m| jordan.iter().any(|j| overlaps(m, j)))
        .unwrap();
    let alone = *maya
        .iter()
        .find(|m| !jordan.iter().any(|j| overlaps(m, j)))
        .unwrap();
    let consensus = codings
        .iter()
        .find(|c| c["rater"] != "Maya Chen" && c["rater"] != "Jordan Ellis")
        .expect("a consensus coding");
    for (c, label) in [(both, "both"), (alone, "alone"), (consensus, "settled")] {
        accord(
            d,
            &[
                "quotes",
                "flag",
                p,
                c["coding_id"].as_str().unwrap(),
                "--label",
                label,
            ],
        )
        .success();
    }
    let md = accord(d, &["report", p, "--replicates", "100"])
        .success()
        .stdout;
    let section = |label: &str| -> String {
        let at = md.find(&format!("#### {label}\n")).unwrap();
        md[at..]
            .split("\n## ")
            .next()
            .unwrap()
            .chars()
            .take(2000)
            .collect()
    };
    assert!(
        section("both").contains("**Provenance:** Unanimous: Maya Chen and Jordan Ellis coded it."),
        "{}",
        section("both")
    );
    assert!(
        section("alone").contains("**Provenance:** Coded by one rater (Maya Chen)."),
        "{}",
        section("alone")
    );
    assert!(
        section("settled").contains("**Provenance:** Adjudicated into"),
        "{}",
        section("settled")
    );
    // Every code's figures are `accord agreement`'s (same unit, same bootstrap).
    let agreement = json(
        &accord(
            d,
            &["agreement", p, "--format", "json", "--replicates", "100"],
        )
        .success(),
    );
    let rows = agreement["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let code = row["code"].as_str().unwrap();
        let at = md
            .find(&format!("\n## {code}\n"))
            .unwrap_or_else(|| panic!("no section for {code}"));
        let part = md[at..]
            .split("\n## ")
            .nth(1)
            .map_or(&md[at..], |_| &md[at..]);
        let kappa = row["kappa"]["value"].as_f64().unwrap();
        let (lo, hi) = (
            row["kappa"]["interval"][0].as_f64().unwrap(),
            row["kappa"]["interval"][1].as_f64().unwrap(),
        );
        let expected = format!("= {kappa:.3} [{lo:.2}, {hi:.2}]");
        assert!(
            part[..part.len().min(3000)].contains(&expected),
            "{code}: {expected}"
        );
    }
    // The methods name the unit, the interval method and seed, and the codes below the threshold.
    let methods = &md[md.find("## Appendix: methods").unwrap()..];
    assert!(methods.contains("at the char level"), "{methods}");
    assert!(
        methods.contains("(100 replicates, seed 20240611)"),
        "{methods}"
    );
    assert!(
        methods.contains("Codes whose interval reaches below 0.80: "),
        "{methods}"
    );
    assert!(
        methods.contains("its definition has not been revised"),
        "{methods}"
    );
    // HTML and DOCX; LibreOffice opens the DOCX (where it is installed) and lays out pages.
    let html = accord(d, &["report", p, "--format", "html", "--replicates", "100"])
        .success()
        .stdout;
    assert!(html.contains("<h2>Appendix: methods</h2>"), "{html}");
    let docx = d.join("report.docx");
    accord(
        d,
        &[
            "report",
            p,
            "--out",
            docx.to_str().unwrap(),
            "--replicates",
            "100",
        ],
    )
    .success();
    let text = crate::support::docx_text(&std::fs::read(&docx).unwrap());
    assert!(
        text.contains("Appendix: methods") && text.contains("Provenance: "),
        "{text}"
    );
    if let Some(printed) = crate::docx_pdf::printed_text(&docx, d) {
        let pages = printed.matches('\u{c}').count();
        assert!(pages >= 2, "{pages} pages");
        assert!(printed.contains("Appendix: methods"));
    }
    // The report never goes over the project.
    accord(d, &["report", p, "--out", p])
        .failure()
        .stderr_has("project");
}

/// The grid as a workbook: a row per case with its attributes, then each code's summary, count and
/// quotes; and memos on a case, listed with the case's kind and erased with the case.
#[test]
fn the_grid_reads_back_from_xlsx_and_a_case_has_memos() {
    use calamine::{Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    accord(
        d,
        &[
            "grid",
            "summary",
            p,
            "--case",
            "P04",
            "--code",
            "Peerness",
            "--text",
            "Peer first.",
        ],
    )
    .success();
    let xlsx = d.join("grid.xlsx");
    accord(
        d,
        &[
            "export",
            p,
            "grid",
            "--codes",
            "Peerness",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    )
    .success();
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let range = book.worksheet_range("Summary grid").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 13, "a header and 12 cases");
    let header = &rows[0];
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let p04 = rows.iter().find(|r| r[0] == "P04").unwrap();
    assert_eq!(p04[at("Lived experience/Peerness: summary")], "Peer first.");
    let grid: serde_json::Value = serde_json::from_str(
        &accord(d, &["grid", "show", p, "--codes", "Peerness", "--json"])
            .success()
            .stdout,
    )
    .unwrap();
    let count = grid["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["case"] == "P04")
        .unwrap()["cells"][0]["count"]
        .as_u64()
        .unwrap();
    assert_eq!(
        p04[at("Lived experience/Peerness: excerpts")],
        count.to_string()
    );
    let p04_json = grid["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["case"] == "P04")
        .unwrap();
    assert_eq!(
        p04[at("site")],
        p04_json["attributes"]["site"].as_str().unwrap()
    );
    // A memo on a case.
    accord(
        d,
        &[
            "memos",
            "add",
            p,
            "--case",
            "P01",
            "--text",
            "Withdrew from the follow-up.",
        ],
    )
    .success();
    let listed = accord(d, &["memos", "list", p, "--kind", "case", "--json"]).success();
    let memos: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(memos.as_array().unwrap().len(), 1, "{memos}");
    accord(d, &["memos", "add", p, "--case", "P99", "--text", "x"])
        .failure()
        .stderr_has("P99");
    // Erasing the case's only transcript takes the case and its memo away.
    accord(d, &["transcripts", "erase", p, "P01_interview", "--yes"]).success();
    let after = accord(d, &["memos", "list", p, "--kind", "case", "--json"]).success();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&after.stdout).unwrap(),
        serde_json::json!([])
    );
}
