//! `accord agreement`'s table header with more transcripts than it names: the count and the first
//! few names, every name with `--verbose` and in JSON.

use crate::support::{accord, demo};

#[test]
fn agreement_header_counts_transcripts_and_names_a_few() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let args = ["agreement", p, "--replicates", "0"];
    let json = accord(dir.path(), &[&args[..], &["--format", "json"]].concat())
        .success()
        .stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = v["transcripts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        names.len() > 5,
        "more transcripts than the header names: {names:?}"
    );

    let out = accord(dir.path(), &args).success().stdout;
    let line = out
        .lines()
        .find(|l| l.starts_with("Raters: "))
        .unwrap_or_else(|| panic!("no header line in {out}"));
    assert!(
        line.contains(&format!("Transcripts ({}): ", names.len())),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            "and {} more (--verbose lists them)",
            names.len() - 5
        )),
        "{line}"
    );
    let shown = names.iter().filter(|n| line.contains(*n)).count();
    assert_eq!(shown, 5, "the first five names only: {line}");
    assert!(line.contains(names[0]) && !line.contains(names[names.len() - 1]));

    let listed = accord(dir.path(), &[&args[..], &["--verbose"]].concat())
        .success()
        .stdout;
    let line = listed
        .lines()
        .find(|l| l.starts_with("Raters: "))
        .unwrap_or_else(|| panic!("no header line in {listed}"));
    assert!(
        line.ends_with(&format!(
            "Transcripts ({}): {}.",
            names.len(),
            names.join(", ")
        )),
        "{line}"
    );
    // The table itself is the same either way.
    let table = |text: &str| text.split_once("\ncode ").unwrap().1.to_string();
    assert_eq!(table(&out), table(&listed));
}
