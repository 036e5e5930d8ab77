//! Memos as a workspace (`accord memos list|show|export|add`): memos on passages and grid cells,
//! links inside memos resolved (a removed coding's words kept), filters and the search language on
//! memos, and every export (Markdown and CSV snapshots, DOCX read back).

use std::path::Path;

use crate::support::{accord, demo, docx_text, redact_ids};

/// Ids, short ids and times made stable for snapshots.
fn stable(text: &str) -> String {
    let text = redact_ids(text);
    let time = regex::Regex::new(r"\d{4}-\d{2}-\d{2}(T[0-9:.]+Z)?").unwrap();
    let short = regex::Regex::new(r"(memo |coding:)[0-9a-f]{8}\b").unwrap();
    short
        .replace_all(&time.replace_all(&text, "[date]"), "${1}[id]")
        .into_owned()
}

/// A coding of P01 by Maya Chen with Peerness, made here: its id.
fn a_coding(dir: &Path, project: &str) -> String {
    let out = accord(
        dir,
        &[
            "code",
            project,
            "-t",
            "P01_interview",
            "-c",
            "Peerness",
            "-r",
            "Maya Chen",
            "--span",
            "2000..2060",
            "--json",
        ],
    )
    .success();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["coding_id"].as_str().unwrap().to_string()
}

/// The demo with a passage memo (three links: a coding, a passage, nothing) and a cell memo.
fn with_memos(dir: &Path) -> (String, String) {
    let project = demo(dir);
    let p = project.to_str().unwrap().to_string();
    let coding = a_coding(dir, &p);
    let text = format!(
        "Peerness as sameness: compare [[coding:{}]] with [[P02_interview@100-140]].\n\nAnd [[P99@1-2]].",
        &coding[..8]
    );
    accord(
        dir,
        &[
            "memos",
            "add",
            &p,
            "--passage",
            "P01_interview",
            "--span",
            "1200..1342",
            "--author",
            "Maya Chen",
            "--text",
            &text,
        ],
    )
    .success()
    .stdout_has("wrote memo ");
    accord(
        dir,
        &[
            "memos",
            "add",
            &p,
            "--cell",
            "P01",
            "--code",
            "Peerness",
            "--author",
            "Jordan Ellis",
            "--text",
            "Naïve trust, then doubt; the cell's summary should say both.",
        ],
    )
    .success()
    .stdout_has("P01 × Lived experience/Peerness");
    (p, coding)
}

fn ids(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["memos", "list"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = accord(dir, &all).success();
    let v: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    v.iter()
        .map(|m| {
            format!(
                "{} {}",
                m["kind"].as_str().unwrap(),
                m["text"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn memos_are_listed_filtered_searched_and_shown_with_their_links() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (p, coding) = with_memos(d);
    let every = ids(d, &[&p]);
    assert!(
        every.len() > 2,
        "the demo's coding memos and ours: {every:?}"
    );
    let passage = ids(d, &[&p, "--kind", "passage"]);
    assert_eq!(passage.len(), 1);
    assert!(passage[0].starts_with("passage Peerness as sameness"));
    assert_eq!(
        ids(d, &[&p, "--author", "Jordan Ellis", "--kind", "cell"]).len(),
        1
    );
    assert!(ids(d, &[&p, "--author", "Maya Chen", "--kind", "cell"]).is_empty());
    // A passage memo is about the codes coded on it; a cell memo about its code; both about P01.
    let peerness = ids(d, &[&p, "--code", "Peerness", "--case", "P01"]);
    assert!(
        peerness.iter().any(|m| m.starts_with("cell ")),
        "{peerness:?}"
    );
    assert!(ids(d, &[&p, "--case", "P02", "--kind", "cell"]).is_empty());
    assert_eq!(
        ids(
            d,
            &[&p, "--transcript", "P01_interview", "--kind", "passage"]
        )
        .len(),
        1
    );
    assert!(ids(d, &[&p, "--since", "2999-01-01"]).is_empty());
    assert_eq!(ids(d, &[&p, "--until", "2999-01-01"]).len(), every.len());
    // The search language: accents and case folded, phrases, NOT, filters.
    assert_eq!(
        ids(d, &[&p, "-q", "NAIVE"]),
        ids(d, &[&p, "--kind", "cell"])
    );
    assert_eq!(ids(d, &[&p, "-q", "\"peerness as sameness\""]).len(), 1);
    assert_eq!(
        ids(d, &[&p, "-q", "doubt kind:cell author:\"Jordan Ellis\""]).len(),
        1
    );
    assert!(ids(d, &[&p, "-q", "doubt -kind:cell"]).is_empty());
    assert_eq!(
        ids(d, &[&p, "-q", "kind:passage OR kind:cell"]).len(),
        2,
        "two memos of those kinds"
    );

    let short = &ids_json(d, &p, "passage")[..6];
    accord(d, &["memos", "show", &p, short])
        .success()
        .stdout_has("passage memo on P01_interview 1200–1342")
        .stdout_has("by Maya Chen")
        .stdout_has(&format!(
            "[[coding:{}]] P01_interview 2000–2060 (Lived experience/Peerness by Maya Chen)",
            &coding[..8]
        ))
        .stdout_has("[[P02_interview@100-140]] P02_interview 100–140: \"")
        .stdout_has("[[P99@1-2]] not found: no transcript \"P99\"");

    // A passage memo is about the codes coded on its words (by --quote too).
    let quote = accord(d, &["show", &p, "P01_interview", "--json"]).success();
    let text: serde_json::Value = serde_json::from_str(&quote.stdout).unwrap();
    let words: String = text["text"]
        .as_str()
        .unwrap()
        .chars()
        .skip(2005)
        .take(40)
        .collect();
    accord(
        d,
        &[
            "memos",
            "add",
            &p,
            "--passage",
            "P01_interview",
            "--quote",
            &words,
            "--text",
            "inside",
        ],
    )
    .success();
    assert_eq!(
        ids(
            d,
            &[
                &p, "--kind", "passage", "--code", "Peerness", "--case", "P01"
            ]
        ),
        ["passage inside"]
    );
    // Writing a memo is one undoable change.
    accord(d, &["undo", &p])
        .success()
        .stdout_has("Write a passage memo");
    assert!(ids(d, &[&p, "--kind", "passage", "--code", "Peerness"]).is_empty());
}

fn ids_json(dir: &Path, p: &str, kind: &str) -> String {
    let out = accord(dir, &["memos", "list", p, "--kind", kind, "--json"]).success();
    let v: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    v[0]["memo_id"].as_str().unwrap().to_string()
}

#[test]
fn a_link_to_a_removed_coding_says_so_and_gives_its_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (p, coding) = with_memos(d);
    let words = {
        let out = accord(
            d,
            &["memos", "show", &p, &ids_json(d, &p, "passage"), "--json"],
        )
        .success();
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(v["links"][0]["state"], "found");
        v["links"][0]["quote"].as_str().unwrap().to_string()
    };
    assert_eq!(words.chars().count(), 60);
    accord(d, &["uncode", &p, "--coding", &coding]).success();
    let out = accord(
        d,
        &["memos", "show", &p, &ids_json(d, &p, "passage"), "--json"],
    )
    .success();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["links"][0]["state"], "removed");
    assert_eq!(v["links"][0]["quote"].as_str().unwrap(), words);
    assert!(
        v["links"][0]["note"]
            .as_str()
            .unwrap()
            .starts_with("removed coding (Lived experience/Peerness by Maya Chen)")
    );
    // The memo's own text is untouched; the list says one link does not resolve.
    assert!(v["text"].as_str().unwrap().contains(&coding[..8]));
    accord(d, &["memos", "list", &p, "--kind", "passage"])
        .success()
        .stdout_has("[3 links, 2 not found or removed]");
    // Undoing the uncode brings the coding back, and the link resolves again.
    accord(d, &["undo", &p]).success();
    let out = accord(
        d,
        &["memos", "show", &p, &ids_json(d, &p, "passage"), "--json"],
    )
    .success();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["links"][0]["state"], "found");
    // A removed transcript: the memo on its passage stays and says so; the coding in it is
    // removed with its words; a link into another removed transcript names nothing.
    accord(d, &["transcripts", "remove", &p, "P02_interview"]).success();
    accord(d, &["transcripts", "remove", &p, "P01_interview"]).success();
    let out = accord(
        d,
        &["memos", "show", &p, &ids_json(d, &p, "passage"), "--json"],
    )
    .success();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        v["about"]
            .as_str()
            .unwrap()
            .starts_with("P01_interview (removed transcript) 1200–1342: \""),
        "{}",
        v["about"]
    );
    assert_eq!(v["links"][0]["state"], "removed");
    assert_eq!(v["links"][0]["quote"].as_str().unwrap(), words);
    assert_eq!(v["links"][1]["state"], "not_found");
    assert!(
        v["links"][1]["note"]
            .as_str()
            .unwrap()
            .contains("P02_interview")
    );
}

#[test]
fn bad_filters_queries_and_memos_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (p, _) = with_memos(d);
    let before = std::fs::read(&p).unwrap();
    accord(d, &["memos", "list", &p, "--kind", "grid"])
        .failure()
        .stderr_has(
            "no memo kind \"grid\"; give one of: project, case, transcript, code, coding, passage, cell",
        );
    accord(d, &["memos", "list", &p, "--author", "Nobody"])
        .failure()
        .stderr_has("Nobody");
    accord(d, &["memos", "list", &p, "--code", "No such code"])
        .failure()
        .stderr_has("no code \"No such code\"");
    accord(d, &["memos", "list", &p, "--case", "P99"])
        .failure()
        .stderr_has("no case \"P99\"; cases: P01");
    accord(d, &["memos", "list", &p, "--since", "06/12/2026"])
        .failure()
        .stderr_has("--since \"06/12/2026\": give a day as YYYY-MM-DD");
    accord(d, &["memos", "list", &p, "-q", "trust AND"])
        .failure()
        .stderr_has("column 7: dangling AND");
    accord(d, &["memos", "list", &p, "-q", "trust speaker:ana"])
        .failure()
        .stderr_has("column 7: memos cannot be filtered by speaker:");
    accord(d, &["memos", "list", &p, "-q", "code:Nope"])
        .failure()
        .stderr_has("column 6: no code \"Nope\"");
    accord(d, &["memos", "show", &p, "zzzz"])
        .failure()
        .stderr_has("no memo has an id starting with zzzz");
    accord(d, &["memos", "add", &p, "--text", "  "])
        .failure()
        .stderr_has("a memo needs some text");
    accord(
        d,
        &[
            "memos",
            "add",
            &p,
            "--passage",
            "P01_interview",
            "--span",
            "10..999999",
            "--text",
            "x",
        ],
    )
    .failure()
    .stderr_has("P01_interview");
    accord(
        d,
        &[
            "memos",
            "add",
            &p,
            "--passage",
            "P01_interview",
            "--text",
            "x",
        ],
    )
    .failure()
    .stderr_has("--span START..END or --quote TEXT");
    accord(
        d,
        &[
            "memos", "add", &p, "--cell", "P99", "--code", "Peerness", "--text", "x",
        ],
    )
    .failure()
    .stderr_has("no case \"P99\"");
    let out = d.join("memos.html");
    accord(
        d,
        &[
            "memos",
            "export",
            &p,
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .failure()
    .stderr_has("choose md, csv or docx");
    assert!(!out.exists());
    assert_eq!(std::fs::read(&p).unwrap(), before, "nothing was written");
}

#[test]
fn memo_exports_markdown_and_csv_snapshots_and_docx_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (p, _) = with_memos(d);
    let export = |format: &str, name: &str| {
        let out = d.join(name);
        accord(
            d,
            &[
                "memos",
                "export",
                &p,
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
                "-q",
                "kind:passage OR kind:cell",
            ],
        )
        .success()
        .stdout_has("wrote 2 memos to ");
        std::fs::read(out).unwrap()
    };
    let md = String::from_utf8(export("md", "memos.md")).unwrap();
    insta::assert_snapshot!("memos_md", stable(&md));
    let csv = String::from_utf8(export("csv", "memos.csv")).unwrap();
    insta::assert_snapshot!("memos_csv", stable(&csv));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][1], "passage");
    assert_eq!(&rows[1][1], "cell");
    assert!(
        rows[0][8].contains("\n\nAnd [[P99@1-2]]."),
        "CSV keeps the text as written"
    );
    let docx = docx_text(&export("docx", "memos.docx"));
    for needle in [
        "2 memos.",
        "Passage memo: P01_interview 1200–1342",
        "Cell memo: P01 × Lived experience/Peerness",
        "Maya Chen, ",
        "Naïve trust, then doubt; the cell's summary should say both.",
        "[[P02_interview@100-140]] P02_interview 100–140: \"",
        "[[P99@1-2]] not found: no transcript \"P99\"",
    ] {
        assert!(docx.contains(needle), "{needle:?} not in\n{docx}");
    }
    // The whole list: every memo of the demo, in each format.
    let all = d.join("all.md");
    let listed = ids(d, &[&p]).len();
    accord(
        d,
        &[
            "memos",
            "export",
            &p,
            "--format",
            "md",
            "--out",
            all.to_str().unwrap(),
        ],
    )
    .success()
    .stdout_has(&format!("wrote {listed} memos"));
}

#[test]
fn hostile_memo_texts_stay_text_on_the_terminal_and_in_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = demo(d);
    let p = project.to_str().unwrap();
    accord(
        d,
        &[
            "memos",
            "add",
            p,
            "--text",
            "=HYPERLINK(\"http://x\")\n\u{1b}[31mred\u{1b}]0;title\u{7} [[\u{1b}[2J]]",
        ],
    )
    .success();
    let list = accord(d, &["memos", "list", p, "--kind", "project"]).success();
    assert!(!list.stdout.contains('\u{1b}'), "{}", list.stdout);
    assert!(list.stdout.contains("\\u{1b}[31mred"), "{}", list.stdout);
    let id = &ids_json(d, p, "project")[..8];
    let shown = accord(d, &["memos", "show", p, id]).success();
    assert!(!shown.stdout.contains('\u{1b}') && !shown.stdout.contains('\u{7}'));
    assert!(shown.stdout.contains("not a link Accord knows"));
    let out = d.join("memos.csv");
    accord(
        d,
        &[
            "memos",
            "export",
            p,
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
            "--kind",
            "project",
        ],
    )
    .success();
    let csv = std::fs::read_to_string(&out).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert!(
        row[8].starts_with("'=HYPERLINK"),
        "a formula is neutralised: {}",
        &row[8]
    );
    let docx = d.join("memos.docx");
    accord(
        d,
        &[
            "memos",
            "export",
            p,
            "--format",
            "docx",
            "--out",
            docx.to_str().unwrap(),
            "--kind",
            "project",
        ],
    )
    .success();
    let text = docx_text(&std::fs::read(&docx).unwrap());
    assert!(text.contains("red") && !text.contains('\u{1b}'), "{text}");
}
