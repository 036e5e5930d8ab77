//! The team workflow on the samples, end to end through the command line: rater files issued and
//! coded blind, merged (twice: nothing changes the second time), agreement, adjudication into the
//! consensus layer, agreement against the consensus, a proposed definition accepted, a second round,
//! the per-code history across rounds, and a second pass for intra-rater agreement. Then every
//! refusal leaves the project byte for byte as it was, and a merge killed at any moment leaves the
//! project before or after the merge, never between.

use std::path::{Path, PathBuf};

use accord::Store;
use accord::model::{CodingFilter, RaterKind};

use crate::support::{accord, root, samples, snapshot};

/// A lead project with the CAPP codebook, three sample transcripts and raters Ana and Ben.
fn lead(dir: &Path) -> PathBuf {
    let project = dir.join("lead.accord");
    let p = project.to_str().unwrap();
    accord(dir, &["new", p]).success();
    let book = root().join("codebooks/capp-phase3.toml");
    accord(dir, &["codebook", "import", p, book.to_str().unwrap()]).success();
    for name in [
        "P01_interview.txt",
        "P02_interview.vtt",
        "P04_interview.txt",
    ] {
        let file = samples().join("transcripts").join(name);
        accord(dir, &["import", p, file.to_str().unwrap()]).success();
    }
    for rater in ["Ana", "Ben"] {
        accord(dir, &["rater", "add", p, rater]).success();
    }
    project
}

fn code(dir: &Path, file: &Path, transcript: &str, code: &str, rater: &str, turns: &str) {
    accord(
        dir,
        &[
            "code",
            file.to_str().unwrap(),
            "-t",
            transcript,
            "-c",
            code,
            "-r",
            rater,
            "--turns",
            turns,
        ],
    )
    .success();
}

fn json(run: &crate::support::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn codings_of(project: &Path, rater: &str) -> usize {
    let store = Store::open(project).unwrap();
    let id = store.find_rater(rater).unwrap().rater_id;
    store
        .codings(&CodingFilter {
            raters: vec![id],
            ..CodingFilter::default()
        })
        .unwrap()
        .len()
}

#[test]
fn the_whole_team_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = lead(d);
    let p = project.to_str().unwrap();
    // Ben already coded something in the lead's project: it must not reach Ana's file.
    code(d, &project, "P04_interview", "Burnout", "Ben", "4");
    accord(
        d,
        &[
            "round",
            "new",
            p,
            "Round 1",
            "--transcripts",
            "P01_interview,P02_interview",
            "--raters",
            "Ana,Ben",
            "--unit",
            "turn",
        ],
    )
    .success();
    let (ana, ben) = (d.join("ana.accord"), d.join("ben.accord"));
    for (rater, file) in [("Ana", &ana), ("Ben", &ben)] {
        accord(
            d,
            &[
                "rater-file",
                p,
                "--rater",
                rater,
                "--round",
                "Round 1",
                "--out",
                file.to_str().unwrap(),
            ],
        )
        .success()
        .stdout_has("2 transcripts");
    }
    // The rater file: the round's transcripts, one rater, none of the others' codings, no WAL.
    let ana_store = Store::open_read_only(&ana, None).unwrap();
    let info = ana_store.rater_file_info().unwrap().unwrap();
    assert_eq!(info.round.as_deref(), Some("Round 1"));
    assert_eq!(ana_store.transcripts().unwrap().len(), 2);
    assert_eq!(
        ana_store
            .raters()
            .unwrap()
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["Ana"]
    );
    assert!(
        ana_store
            .codings(&CodingFilter::default())
            .unwrap()
            .is_empty()
    );
    drop(ana_store);
    assert!(!d.join("ana.accord-wal").exists());
    // A second file at the same place is refused (it would overwrite a rater's work).
    accord(
        d,
        &[
            "rater-file",
            p,
            "--rater",
            "Ana",
            "--transcripts",
            "P01_interview",
            "--out",
            ana.to_str().unwrap(),
        ],
    )
    .failure()
    .stderr_has("already exists");

    // Blind coding, scripted. P01: both code Peerness but on different turns around turn 6;
    // both code Burnout on turn 8 (agreement). P02: Ana codes Stigma, Ben does not.
    code(d, &ana, "P01_interview", "Peerness", "Ana", "5-6");
    code(d, &ben, "P01_interview", "Peerness", "Ben", "6-7");
    code(d, &ana, "P01_interview", "Burnout", "Ana", "8");
    code(d, &ben, "P01_interview", "Burnout", "Ben", "8");
    code(d, &ana, "P02_interview", "Stigma", "Ana", "3");
    code(
        d,
        &ben,
        "P02_interview",
        "Coaching relationship",
        "Ben",
        "10",
    );
    // The rater may not change the codebook; they propose instead.
    let book = root().join("codebooks/capp-phase3.toml");
    accord(
        d,
        &[
            "codebook",
            "import",
            ana.to_str().unwrap(),
            book.to_str().unwrap(),
        ],
    )
    .failure()
    .stderr_has("rater file");
    let sharper = "Talk about being a peer: sharing lived experience on purpose, in the peer role.";
    accord(
        d,
        &[
            "propose",
            ana.to_str().unwrap(),
            "--code",
            "Peerness",
            "--definition",
            sharper,
            "--note",
            "we kept splitting on this",
        ],
    )
    .success();

    // Merge both; merging again changes nothing, not a byte.
    let run = accord(
        d,
        &[
            "merge",
            p,
            ana.to_str().unwrap(),
            ben.to_str().unwrap(),
            "--json",
        ],
    )
    .success();
    let merged = json(&run);
    assert_eq!(merged["files"][0]["result"]["Ok"]["codings"], 3);
    assert_eq!(merged["files"][0]["result"]["Ok"]["proposals"], 1);
    assert_eq!(merged["files"][1]["result"]["Ok"]["codings"], 3);
    assert!(
        Path::new(merged["backup"].as_str().unwrap()).exists(),
        "a backup before the merge"
    );
    let before = snapshot(&project);
    accord(
        d,
        &["merge", p, ana.to_str().unwrap(), ben.to_str().unwrap()],
    )
    .success()
    .stdout_has("nothing new");
    assert_eq!(snapshot(&project), before, "merging twice changes nothing");
    assert_eq!(
        (codings_of(&project, "Ana"), codings_of(&project, "Ben")),
        (3, 4)
    );

    // Agreement of round 1, per code.
    accord(d, &["round", "compute", p, "Round 1"]).success();
    let report = json(
        &accord(
            d,
            &[
                "agreement",
                p,
                "--transcripts",
                "P01_interview,P02_interview",
                "--unit",
                "turn",
                "--format",
                "json",
            ],
        )
        .success(),
    );
    let peerness = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"].as_str().unwrap().ends_with("Peerness"))
        .unwrap();
    assert_eq!(peerness["disagreements"], 2, "turns 5 and 7 differ");

    // Adjudication: walk the open disagreements and settle each; the agreement on Burnout too.
    let open = json(&accord(d, &["adjudicate", "list", p, "--json"]).success());
    let open = open.as_array().unwrap();
    assert_eq!(
        open.len(),
        3,
        "Peerness on P01, Stigma and Coaching relationship on P02: {open:?}"
    );
    let id_of = |code: &str| -> String {
        open.iter()
            .find(|x| x["code"].as_str().unwrap().ends_with(code))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    accord(d, &["adjudicate", "show", p, &id_of("Peerness")])
        .success()
        .stdout_has("Ana")
        .stdout_has("[");
    accord(
        d,
        &[
            "adjudicate",
            "decide",
            p,
            &id_of("Peerness"),
            "--take",
            "Ben",
            "--note",
            "turn 5 is about coaching",
        ],
    )
    .success();
    accord(
        d,
        &[
            "adjudicate",
            "decide",
            p,
            &id_of("Stigma"),
            "--union",
            "--note",
            "stigma it is",
        ],
    )
    .success();
    accord(
        d,
        &[
            "adjudicate",
            "decide",
            p,
            &id_of("Coaching relationship"),
            "--drop",
            "--note",
            "not the coach",
        ],
    )
    .success();
    accord(d, &["adjudicate", "decide", p, &id_of("Stigma"), "--drop"])
        .failure()
        .stderr_has("already settled");
    accord(d, &["adjudicate", "agreements", p])
        .success()
        .stdout_has("settled 1 agreed");
    accord(d, &["adjudicate", "list", p])
        .success()
        .stdout_has("0 still open");
    // The raters' own codings are untouched; the consensus holds the decisions.
    assert_eq!(
        (codings_of(&project, "Ana"), codings_of(&project, "Ben")),
        (3, 4)
    );
    assert_eq!(
        codings_of(&project, "Consensus"),
        3,
        "Peerness (Ben's), Stigma (union), Burnout (agreed)"
    );
    let store = Store::open(&project).unwrap();
    let consensus = store
        .raters()
        .unwrap()
        .into_iter()
        .find(|r| r.kind == RaterKind::Consensus)
        .unwrap();
    let peer = store.find_rater("Ben").unwrap();
    let consensus_spans: Vec<_> = store
        .codings(&CodingFilter {
            raters: vec![consensus.rater_id],
            ..CodingFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|c| (c.code_id, c.span))
        .collect();
    let ben_spans: Vec<_> = store
        .codings(&CodingFilter {
            raters: vec![peer.rater_id],
            ..CodingFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|c| (c.code_id, c.span))
        .collect();
    let peerness_id = accord::app::resolve::code(&store.codebook().unwrap(), "Peerness").unwrap();
    assert!(
        consensus_spans
            .iter()
            .filter(|c| c.0 == peerness_id)
            .all(|c| ben_spans.contains(c))
    );
    drop(store);

    // Each rater against the consensus.
    let against = json(
        &accord(
            d,
            &[
                "agreement",
                p,
                "--against-consensus",
                "--unit",
                "turn",
                "--format",
                "json",
            ],
        )
        .success(),
    );
    let against = against.as_array().unwrap();
    assert_eq!(against.len(), 2);
    assert_eq!(against[0]["raters"][1], "Consensus");

    // The lead accepts Ana's proposal: a new codebook version with the sharper definition.
    let proposals = json(&accord(d, &["proposals", "list", p, "--json"]).success());
    let proposal = proposals[0]["proposal_id"].as_str().unwrap().to_string();
    accord(
        d,
        &[
            "proposals",
            "accept",
            p,
            &proposal[..8],
            "--note",
            "agreed at the team meeting",
        ],
    )
    .success()
    .stdout_has("codebook version 2");

    // Round 2 on another transcript under version 2; both raters agree on Peerness this time.
    accord(
        d,
        &[
            "round",
            "new",
            p,
            "Round 2",
            "--transcripts",
            "P04_interview",
            "--raters",
            "Ana,Ben",
            "--unit",
            "turn",
        ],
    )
    .success();
    let (ana2, ben2) = (d.join("ana2.accord"), d.join("ben2.accord"));
    for (rater, file) in [("Ana", &ana2), ("Ben", &ben2)] {
        accord(
            d,
            &[
                "rater-file",
                p,
                "--rater",
                rater,
                "--round",
                "Round 2",
                "--out",
                file.to_str().unwrap(),
            ],
        )
        .success();
    }
    assert_eq!(
        Store::open_read_only(&ben2, None)
            .unwrap()
            .codings(&CodingFilter::default())
            .unwrap()
            .len(),
        1,
        "Ben's own earlier coding of P04 comes with his file"
    );
    code(d, &ana2, "P04_interview", "Peerness", "Ana", "6");
    code(d, &ben2, "P04_interview", "Peerness", "Ben", "6");
    code(d, &ana2, "P04_interview", "Burnout", "Ana", "4");
    accord(
        d,
        &["merge", p, ana2.to_str().unwrap(), ben2.to_str().unwrap()],
    )
    .success();
    accord(d, &["round", "compute", p, "Round 2"]).success();
    let history = json(&accord(d, &["rounds", p, "--json"]).success());
    assert_eq!(history["rounds"].as_array().unwrap().len(), 2);
    let codes = history["codes"].as_array().unwrap();
    let peer = codes
        .iter()
        .find(|c| c["code"].as_str().unwrap().ends_with("Peerness"))
        .unwrap();
    assert_eq!(peer["rounds"].as_array().unwrap().len(), 2);
    assert_eq!(
        peer["rounds"][1]["kappa"], 1.0,
        "round 2: the raters agree on Peerness"
    );
    assert!(peer["rounds"][0]["kappa"].as_f64().unwrap() < 0.8);
    assert_eq!(peer["below"], false);
    assert!(
        peer["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "definition" && c["after"] == sharper),
        "the definition change between the rounds' versions is shown"
    );
    // Codes below the threshold come first.
    let first_good = codes.iter().position(|c| c["below"] == false).unwrap();
    assert!(codes[..first_good].iter().all(|c| c["below"] == true));
    assert!(codes[first_good..].iter().all(|c| c["below"] == false));
    accord(d, &["rounds", p]).success().stdout_has("Round 2");

    // Intra-rater: Ana codes P01 again weeks later, blind to her first pass.
    let again = d.join("ana-again.accord");
    accord(
        d,
        &[
            "rater-file",
            p,
            "--rater",
            "Ana",
            "--second-pass",
            "--transcripts",
            "P01_interview",
            "--out",
            again.to_str().unwrap(),
        ],
    )
    .success()
    .stdout_has("Ana (pass 2)");
    let second = Store::open_read_only(&again, None).unwrap();
    assert!(
        second.codings(&CodingFilter::default()).unwrap().is_empty(),
        "blind to the first pass"
    );
    drop(second);
    code(
        d,
        &again,
        "P01_interview",
        "Peerness",
        "Ana (pass 2)",
        "5-6",
    );
    code(d, &again, "P01_interview", "Burnout", "Ana (pass 2)", "8");
    accord(d, &["merge", p, again.to_str().unwrap()]).success();
    let intra = json(
        &accord(
            d,
            &[
                "agreement",
                p,
                "--intra",
                "Ana",
                "--unit",
                "turn",
                "--format",
                "json",
            ],
        )
        .success(),
    );
    assert_eq!(intra["raters"], serde_json::json!(["Ana", "Ana (pass 2)"]));
    let burnout = intra["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"].as_str().unwrap().ends_with("Burnout"))
        .unwrap();
    assert_eq!(burnout["kappa"]["value"], 1.0);
}

/// A rater file of the lead with one coding, for the refusal tests.
fn issued(dir: &Path, project: &Path) -> PathBuf {
    let file = dir.join("ana.accord");
    accord(
        dir,
        &[
            "rater-file",
            project.to_str().unwrap(),
            "--rater",
            "Ana",
            "--transcripts",
            "P01_interview",
            "--out",
            file.to_str().unwrap(),
        ],
    )
    .success();
    code(dir, &file, "P01_interview", "Peerness", "Ana", "5");
    file
}

/// Changes a file with SQL (a damaged or tampered rater file).
fn tamper(file: &Path, sql: &str) {
    rusqlite::Connection::open(file)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

#[test]
fn refused_merges_leave_the_project_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = lead(d);
    let p = project.to_str().unwrap();
    let good = issued(d, &project);
    let before = snapshot(&project);
    let check = |file: &Path, why: &str| {
        accord(d, &["merge", p, file.to_str().unwrap()])
            .failure()
            .stdout_has(why);
        assert_eq!(snapshot(&project), before, "{why}: the project changed");
    };
    // Not an Accord project at all.
    let text = d.join("notes.accord");
    std::fs::write(&text, "Dear Ana, here are my codings...").unwrap();
    check(&text, "not an Accord project");
    // An Accord project, but not a rater file.
    let other = d.join("other.accord");
    accord(d, &["new", other.to_str().unwrap()]).success();
    check(&other, "not a rater file");
    // A rater file of another project.
    let elsewhere = lead(&{
        let sub = d.join("elsewhere");
        std::fs::create_dir_all(&sub).unwrap();
        sub
    });
    let foreign = issued(&d.join("elsewhere"), &elsewhere);
    check(&foreign, "another project");
    // A transcript whose text differs.
    let changed = d.join("changed.accord");
    std::fs::copy(&good, &changed).unwrap();
    tamper(
        &changed,
        "DROP TRIGGER transcripts_text_frozen; UPDATE transcripts SET text = text || 'x', sha256 = 'abc123';",
    );
    check(&changed, "other text");
    // A codebook version the project does not know.
    let newer = d.join("newer.accord");
    std::fs::copy(&good, &newer).unwrap();
    tamper(
        &newer,
        "INSERT INTO codebook_versions (version, created_at, note, snapshot) SELECT 99, created_at, 'x', snapshot FROM codebook_versions LIMIT 1;",
    );
    check(&newer, "codebook version 99");
    // With a good file beside a bad one, the good one is merged and the bad one reported.
    let run = accord(
        d,
        &["merge", p, text.to_str().unwrap(), good.to_str().unwrap()],
    )
    .failure();
    assert!(
        run.stdout.contains("refused") && run.stdout.contains("— 1 coding,"),
        "{}",
        run.stdout
    );
    assert_eq!(codings_of(&project, "Ana"), 1);
}

#[test]
fn a_killed_merge_leaves_the_project_before_or_after() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = lead(d);
    let file = issued(d, &project);
    // Many codings, so the merge takes long enough to be killed in the middle.
    let csv = d.join("many.csv");
    let mut out = std::fs::File::create(&csv).unwrap();
    writeln!(out, "transcript,code,rater,start,end").unwrap();
    let total = 20_000;
    for i in 0..total - 1 {
        writeln!(
            out,
            "P01_interview,Burnout,Ana,{},{}",
            i % 20_000,
            i % 20_000 + 5
        )
        .unwrap();
    }
    drop(out);
    accord(
        d,
        &[
            "codings",
            "import",
            file.to_str().unwrap(),
            csv.to_str().unwrap(),
        ],
    )
    .success();
    let pristine = d.join("pristine.accord");
    Store::open(&project).unwrap().backup_to(&pristine).unwrap();
    let work = d.join("work.accord");
    let fresh = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
        }
        std::fs::copy(&pristine, &work).unwrap();
    };
    let start = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["merge", work.to_str().unwrap(), file.to_str().unwrap()])
            .current_dir(d)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long a whole merge takes here, to spread the kills over it.
    fresh();
    let clock = std::time::Instant::now();
    assert!(start().wait().unwrap().success());
    let whole = clock.elapsed();
    let (mut before, mut after) = (0, 0);
    for round in 0..24u32 {
        fresh();
        let mut child = start();
        // From "at once" to nearly twice as long as a whole merge took (so the last rounds find it
        // finished even on a busy machine).
        std::thread::sleep(whole * round / 12);
        let _ = child.kill();
        let _ = child.wait();
        let store = Store::open(&work).unwrap();
        assert!(
            store.integrity_check().unwrap().is_empty(),
            "round {round}: damaged"
        );
        let n = codings_of(&work, "Ana");
        assert!(
            n == 0 || n == total,
            "round {round}: {n} codings, between before (0) and after ({total})"
        );
        if n == 0 { before += 1 } else { after += 1 }
    }
    assert!(
        before > 0 && after > 0,
        "kills landed both before and after the commit ({before}, {after})"
    );
}

#[test]
fn near_agreements_are_settled_at_once_by_overlap_or_drift_and_undone_as_one_change() {
    let dir = tempfile::tempdir().unwrap();
    let project = crate::support::demo(dir.path());
    let p = project.to_str().unwrap();
    let settled = |project: &Path| -> usize {
        json(
            &accord(
                project.parent().unwrap(),
                &[
                    "adjudicate",
                    "list",
                    project.to_str().unwrap(),
                    "--all",
                    "--json",
                ],
            )
            .success(),
        )
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| !x["settled"].is_null())
        .count()
    };
    accord(
        dir.path(),
        &[
            "adjudicate",
            "agreements",
            p,
            "--within",
            "5",
            "--overlap",
            "50",
        ],
    )
    .failure();
    let run = accord(
        dir.path(),
        &["adjudicate", "agreements", p, "--overlap", "50"],
    )
    .success();
    let near: usize = run
        .stdout
        .split(" and ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        run.stdout.contains("settled 10 agreed passages")
            && run
                .stdout
                .contains("with at least 50% of the text in common"),
        "{}",
        run.stdout
    );
    assert!(near > 0, "the demo has passages half shared");
    assert_eq!(settled(&project), 10 + near);
    // The near ones became the union of the raters' codings: consensus covers every character
    // either rater coded there.
    let store = Store::open(&project).unwrap();
    let all =
        accord::app::adjudicate::passages(&store, &accord::app::adjudicate::Review::default())
            .unwrap();
    let union_chars: usize = all
        .iter()
        .filter(|x| x.settled.is_some())
        .map(|x| {
            let spans: Vec<_> = x.raters.iter().flat_map(|r| r.2.clone()).collect();
            accord::model::union_spans(&spans)
                .iter()
                .map(|s| s.end - s.start)
                .sum::<usize>()
        })
        .sum();
    let consensus = store.find_rater("Consensus").unwrap().rater_id;
    let consensus_chars: usize = store
        .codings(&CodingFilter {
            raters: vec![consensus],
            ..CodingFilter::default()
        })
        .unwrap()
        .iter()
        .map(|c| c.span.end - c.span.start)
        .sum();
    assert_eq!(consensus_chars, union_chars);
    drop(store);
    accord(dir.path(), &["undo", p]).success();
    assert_eq!(settled(&project), 0, "one change, one undo");
    // Drift of at most 20 characters at each end, as the intersection.
    let run = accord(
        dir.path(),
        &[
            "adjudicate",
            "agreements",
            p,
            "--within",
            "20",
            "--near",
            "intersection",
        ],
    )
    .success();
    assert!(
        run.stdout.contains("within 20 characters at each end"),
        "{}",
        run.stdout
    );
}
