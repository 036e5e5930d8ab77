//! Agreement from the command line: `irr` on published data, and `agreement`/`disagreements` on the demo.

use crate::support::{accord, demo};

const KRIPPENDORFF_2011: &str = "unit,A,B,C,D\n1,1,1,,1\n2,2,2,3,2\n3,3,3,3,3\n4,3,3,3,3\n5,2,2,2,2\n6,1,2,3,4\n7,4,4,4,4\n8,1,1,2,1\n9,2,2,2,2\n10,,5,5,5\n11,,,1,1\n12,,,3,\n";

#[test]
fn irr_csv_json_reproduces_krippendorff_2011() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ratings.csv");
    std::fs::write(&file, KRIPPENDORFF_2011).unwrap();
    let f = file.to_str().unwrap();
    for (level, want) in [
        ("nominal", 0.743),
        ("ordinal", 0.815),
        ("interval", 0.849),
        ("ratio", 0.797),
    ] {
        let out = accord(
            dir.path(),
            &[
                "irr",
                "--csv",
                f,
                "--level",
                level,
                "--json",
                "--replicates",
                "100",
            ],
        )
        .success()
        .stdout;
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let alpha = v["krippendorff_alpha"].as_f64().unwrap();
        assert!((alpha - want).abs() < 5e-4, "{level}: {alpha}");
        assert!(v["cohen_kappa"].is_null());
        assert!(v["intervals"]["gwet_ac1"].is_array() && v["notes"].is_array());
        assert_eq!(v.as_object().unwrap().len(), 13);
    }
    accord(dir.path(), &["irr", "--csv", f])
        .success()
        .stdout_has("fleiss_kappa")
        .stdout_has("0.7612");
    let declared = accord(
        dir.path(),
        &["irr", "--csv", f, "--categories", "1,2,3,4", "--json"],
    )
    .failure();
    assert!(
        declared.stderr.contains("line 11") && declared.stderr.contains("\"5\""),
        "{}",
        declared.stderr
    );
}

#[test]
fn irr_spans_gives_unitizing_and_character_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spans.csv");
    std::fs::write(
        &file,
        "rater,code,start,end\nann,peer,10,40\nbob,peer,12,40\nann,goal,50,60\nbob,goal,70,80\n",
    )
    .unwrap();
    let out = accord(
        dir.path(),
        &[
            "irr",
            "--spans",
            file.to_str().unwrap(),
            "--length",
            "100",
            "--json",
        ],
    )
    .success()
    .stdout;
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let peer = v["peer"]["u_alpha_binary"].as_f64().unwrap();
    let goal = v["goal"]["u_alpha_binary"].as_f64().unwrap();
    assert!(peer > 0.8 && goal < 0.0, "peer {peer}, goal {goal}");
    assert!((v["peer"]["percent_agreement"].as_f64().unwrap() - 0.98).abs() < 1e-9);
    accord(
        dir.path(),
        &["irr", "--spans", file.to_str().unwrap(), "--length", "30"],
    )
    .failure()
    .stderr_has("outside");
}

#[test]
fn project_agreement_is_worst_first_with_peerness_hardest() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    for unit in ["char", "turn", "sentence", "unitizing"] {
        let out = accord(
            dir.path(),
            &[
                "agreement",
                p,
                "--unit",
                unit,
                "--format",
                "json",
                "--replicates",
                "50",
            ],
        )
        .success()
        .stdout;
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let rows = v["rows"].as_array().unwrap();
        assert!(rows.len() >= 25, "{unit}: {} codes", rows.len());
        assert_eq!(
            rows[0]["code"], "Lived experience/Peerness",
            "{unit}: hardest code first"
        );
        let kappas: Vec<f64> = rows
            .iter()
            .filter_map(|r| r["kappa"]["value"].as_f64())
            .collect();
        assert!(
            kappas.windows(2).all(|w| w[0] <= w[1]),
            "{unit}: sorted worst first"
        );
        assert_eq!(
            v["transcripts"].as_array().unwrap().len(),
            6,
            "only transcripts both raters coded"
        );
        assert!(v["description"].as_str().unwrap().len() > 40);
        assert!(v["pooled"]["units"].as_u64().unwrap() > 0);
    }
    let md = accord(
        dir.path(),
        &[
            "agreement",
            p,
            "--unit",
            "turn",
            "--format",
            "markdown",
            "--replicates",
            "0",
        ],
    )
    .success()
    .stdout;
    assert!(md.contains("| Lived experience/Peerness |"), "{md}");
    let csv = accord(
        dir.path(),
        &[
            "agreement",
            p,
            "--format",
            "csv",
            "--replicates",
            "0",
            "--codes",
            "Peerness,Exhaustion",
        ],
    )
    .success()
    .stdout;
    assert_eq!(csv.lines().count(), 4, "header, two codes, pooled:\n{csv}");
    accord(
        dir.path(),
        &["agreement", p, "--unit", "segment", "--overlap", "0.5"],
    )
    .success()
    .stdout_has("MAXQDA");
    accord(
        dir.path(),
        &["agreement", p, "--overlap", "1.5", "--unit", "segment"],
    )
    .failure()
    .stderr_has("outside (0, 1]");
    accord(dir.path(), &["agreement", p, "--raters", "Maya Chen"])
        .failure()
        .stderr_has("at least two raters");
}

#[test]
fn disagreements_name_who_coded_what() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let p = project.to_str().unwrap();
    let out = accord(
        dir.path(),
        &[
            "disagreements",
            p,
            "--codes",
            "Peerness",
            "--unit",
            "turn",
            "--json",
        ],
    )
    .success()
    .stdout;
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert!(list.len() >= 10);
    for d in &list {
        assert_eq!(d["code"], "Lived experience/Peerness");
        assert_eq!(
            d["coded_by"].as_array().unwrap().len() + d["not_coded_by"].as_array().unwrap().len(),
            2
        );
        assert!(!d["text"].as_str().unwrap().is_empty());
    }
    // A third rater who has coded nothing yet is missing, not disagreeing: the transcripts drop out.
    accord(dir.path(), &["rater", "add", p, "Sam"]).success();
    accord(
        dir.path(),
        &[
            "code",
            p,
            "-t",
            "P01_interview",
            "-c",
            "Peerness",
            "-r",
            "Sam",
            "--turns",
            "4",
        ],
    )
    .success();
    let out = accord(
        dir.path(),
        &["agreement", p, "--format", "json", "--replicates", "0"],
    )
    .success()
    .stdout;
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["transcripts"], serde_json::json!(["P01_interview"]));
    assert_eq!(v["excluded"].as_array().unwrap().len(), 5);
    assert_eq!(v["rows"][0]["kappa_name"], "Fleiss' kappa");
}
