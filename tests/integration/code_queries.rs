//! Code queries and the code heatmaps on a small project built here, every count worked out by
//! hand: `code:A AND code:B`, `NOT`, `NEAR/N`, by role and by rater in `accord search`; a query
//! with an unknown code refused by name.
//!
//! The project (turns numbered from 1 as `accord show` does; odd turns the interviewer's):
//!
//! ```text
//! P01 (case P01)        R1                 R2
//!   #2 busy and unclear   Alpha, Beta
//!   #4 supervisor unclear Alpha              Beta
//!   #5 (interviewer)                         Gamma
//!   #6 coaching helped    Gamma
//! P02 (case P02)
//!   #2 a bit tired        Alpha
//!   #5 (interviewer)      Beta
//! ```
//!
//! Turns coded, by anyone: Alpha {P01#2, P01#4, P02#2}, Beta {P01#2, P01#4, P02#5},
//! Gamma {P01#5, P01#6}. By R1 alone: Alpha the same, Beta {P01#2, P02#5}, Gamma {P01#6}.

use std::path::{Path, PathBuf};

use crate::support::accord;

const BOOK: &str = "[codebook]\nname = \"Test\"\n\n[[codes]]\nname = \"Alpha\"\n\n\
                    [[codes]]\nname = \"Beta\"\n\n[[codes]]\nname = \"Gamma\"\n";

const P01: &str = "Interviewer: How was the first week?\nAna: It was busy and unclear.\n\
                   Interviewer: Tell me about your supervisor.\n\
                   Ana: My supervisor was kind but unclear.\nInterviewer: And the coaching?\n\
                   Ana: Coaching helped me a lot.\n";

const P02: &str = "Interviewer: How are you?\nBen: Fine, thanks, a bit tired.\n\
                   Interviewer: What changed?\nBen: The schedule changed.\n\
                   Interviewer: Anything else?\nBen: My supervisor left.\n";

/// The project of the module's comment, built through the command line.
pub fn small_project(dir: &Path) -> PathBuf {
    std::fs::write(dir.join("book.toml"), BOOK).unwrap();
    std::fs::write(dir.join("P01_interview.txt"), P01).unwrap();
    std::fs::write(dir.join("P02_interview.txt"), P02).unwrap();
    accord(dir, &["new", "p.accord"]).success();
    accord(dir, &["codebook", "import", "p.accord", "book.toml"]).success();
    for case in ["P01", "P02"] {
        let file = format!("{case}_interview.txt");
        accord(
            dir,
            &[
                "import",
                "p.accord",
                &file,
                "--case",
                case,
                "--interviewer",
                "Interviewer",
            ],
        )
        .success();
    }
    for rater in ["R1", "R2"] {
        accord(dir, &["rater", "add", "p.accord", rater]).success();
    }
    for (transcript, code, rater, turn) in [
        ("P01_interview", "Alpha", "R1", "2"),
        ("P01_interview", "Beta", "R1", "2"),
        ("P01_interview", "Alpha", "R1", "4"),
        ("P01_interview", "Gamma", "R1", "6"),
        ("P01_interview", "Beta", "R2", "4"),
        ("P01_interview", "Gamma", "R2", "5"),
        ("P02_interview", "Alpha", "R1", "2"),
        ("P02_interview", "Beta", "R1", "5"),
    ] {
        accord(
            dir,
            &[
                "code",
                "p.accord",
                "-t",
                transcript,
                "-c",
                code,
                "-r",
                rater,
                "--turns",
                turn,
            ],
        )
        .success();
    }
    dir.join("p.accord")
}

/// The turns (`P01#2`) a query finds, in transcript order.
fn found(dir: &Path, query: &str) -> Vec<String> {
    let run = accord(
        dir,
        &["search", "p.accord", query, "--json", "--order", "transcript"],
    )
    .success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let hits = json["hits"].as_array().unwrap();
    assert_eq!(json["total"].as_u64().unwrap() as usize, hits.len(), "{query}");
    hits.iter()
        .map(|h| {
            format!(
                "{}#{}",
                &h["transcript"].as_str().unwrap()[..3],
                h["turn"].as_u64().unwrap() + 1
            )
        })
        .collect()
}

#[test]
fn code_queries_combine_codes_per_turn() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    small_project(dir);
    let q = |query: &str| found(dir, query);
    // Both codes in the same turn, by anyone: P01#2 (both R1's), P01#4 (Alpha R1's, Beta R2's).
    assert_eq!(q("code:Alpha AND code:Beta"), ["P01#2", "P01#4"]);
    assert_eq!(q("code:Alpha code:Beta"), ["P01#2", "P01#4"]);
    // By R1's codings only: P01#4's Beta is R2's.
    assert_eq!(q("code:Alpha code:Beta rater:R1"), ["P01#2"]);
    // Two raters named: the codings of either.
    assert_eq!(
        q("code:Alpha code:Beta rater:R1 rater:R2"),
        ["P01#2", "P01#4"]
    );
    // Alpha without Beta: only P02#2.
    assert_eq!(q("code:Alpha NOT code:Beta"), ["P02#2"]);
    assert_eq!(q("code:Alpha -code:Beta"), ["P02#2"]);
    // Within N turns: Gamma is on P01#5 and #6; Beta on P01#2, #4 and P02#5.
    assert_eq!(q("code:Alpha NEAR/1 code:Gamma"), ["P01#4"]);
    assert!(q("code:Alpha NEAR/1 code:Gamma rater:R1").is_empty());
    assert_eq!(q("code:Alpha NEAR/2 code:Gamma rater:R1"), ["P01#4"]);
    assert_eq!(q("code:Alpha NEAR/0 code:Beta"), ["P01#2", "P01#4"]);
    assert_eq!(q("code:Alpha NEAR/2 code:Beta"), ["P01#2", "P01#4"]);
    assert_eq!(
        q("code:Alpha NEAR/3 code:Beta"),
        ["P01#2", "P01#4", "P02#2"]
    );
    // By speaker role, with words, and with OR inside.
    assert_eq!(q("code:Beta code:Gamma"), Vec::<String>::new());
    assert_eq!(
        q("code:Gamma NOT code:Alpha role:interviewer"),
        ["P01#5"]
    );
    assert_eq!(q("code:Alpha AND code:Beta supervisor"), ["P01#4"]);
    assert_eq!(
        q("(code:Beta OR code:Gamma) NOT code:Alpha"),
        ["P01#5", "P01#6", "P02#5"]
    );
    // One code beside a role keeps its meaning: Alpha's coded passages in participants' turns.
    assert_eq!(q("code:Alpha role:participant"), ["P01#2", "P01#4", "P02#2"]);
    assert_eq!(q("code:Gamma role:interviewer"), ["P01#5"]);
    // And one code beside words: the words inside the coded passage.
    assert_eq!(q("code:Alpha unclear"), ["P01#2", "P01#4"]);
}

#[test]
fn a_code_query_naming_an_unknown_code_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let project = small_project(dir);
    let before = std::fs::read(&project).unwrap();
    accord(dir, &["search", "p.accord", "code:Alpha AND code:Nope"])
        .failure()
        .stderr_has("unknown code 'Nope'");
    accord(dir, &["search", "p.accord", "code:Alpha NEAR/x code:Beta"])
        .failure()
        .stderr_has("number of turns after 'NEAR/'");
    accord(
        dir,
        &["search", "p.accord", "code:Alpha AND (code:Beta OR rater:R1)"],
    )
    .failure()
    .stderr_has("rater: says whose codings count");
    assert_eq!(std::fs::read(&project).unwrap(), before, "nothing written");
}
