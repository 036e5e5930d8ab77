//! Code groups in the window (issue 18, item 2): Codebook > Groups… lists the codebook's groups of
//! mutually exclusive codes; a new group is made by ticking its codes (a code in another group
//! cannot be ticked) and saved as one undoable change, a new codebook version. At the unitizing
//! unit the Agreement view shows each group's uα, |uα and cuα and Cuα, the numbers of
//! `accord agreement --unit unitizing --groups`.

use egui_kittest::kittest::Queryable;

use crate::code_groups::grouped_project;
use crate::support::{accord, steps, window};

#[test]
fn groups_are_declared_in_the_window_and_measured_in_the_agreement_view() {
    let dir = tempfile::tempdir().unwrap();
    let p = grouped_project(dir.path());
    let project = std::path::PathBuf::from(&p);
    let mut h = window(&project);
    h.get_by_label("Ana").click();
    steps(&mut h, 8);

    h.get_by_label("Groups…").click();
    steps(&mut h, 2);
    assert!(
        h.query_by_label("Clarity").is_some(),
        "the declared group is listed"
    );
    h.get_by_label("New group").click();
    steps(&mut h, 2);
    // Clear and Unclear are Clarity's: shown, not tickable; Tired and Angry are free.
    assert_eq!(h.query_all_by_label("(Clarity)").count(), 2);
    h.get_by_label("Tired").click();
    steps(&mut h, 1);
    // One code is not yet a group: nothing to save but the reason.
    assert!(h.query_by_label_contains("needs at least two").is_some());
    h.get_by_label("Angry").click();
    steps(&mut h, 1);
    h.get_by_label("Save groups").click();
    steps(&mut h, 10);
    let listed = accord(dir.path(), &["codebook", "groups", &p])
        .success()
        .stdout;
    assert!(listed.contains("Group 2: Tired; Angry"), "{listed}");

    h.get_by_label("Agreement").click();
    steps(&mut h, 2);
    h.get_by_label("Unit").click();
    steps(&mut h, 2);
    h.get_by_label("unitizing alpha (as ATLAS.ti)").click();
    steps(&mut h, 2);
    h.get_by_label("Compute agreement").click();
    steps(&mut h, 2);
    let result = h
        .state()
        .agreement
        .result
        .clone()
        .expect("computed")
        .expect("no error");
    let groups = result
        .groups
        .expect("at the unitizing unit")
        .expect("computed");
    let cli: serde_json::Value = serde_json::from_str(
        &accord(
            dir.path(),
            &[
                "agreement",
                &p,
                "--unit",
                "unitizing",
                "--groups",
                "--format",
                "json",
                "--replicates",
                "0",
            ],
        )
        .success()
        .stdout,
    )
    .unwrap();
    // The same figures (the raters in whichever order each chose: the alphas do not depend on it).
    let window = serde_json::to_value(&groups).unwrap();
    for key in ["groups", "cu_alpha_all", "transcripts"] {
        assert_eq!(
            window[key], cli["groups"][key],
            "window and command line give the same {key}"
        );
    }
    let sorted = |v: &serde_json::Value| {
        let mut names: Vec<String> = serde_json::from_value(v.clone()).unwrap();
        names.sort();
        names
    };
    assert_eq!(sorted(&window["raters"]), sorted(&cli["groups"]["raters"]));
    assert_eq!(groups.groups.len(), 2);
    assert!(h.query_by_label("Cuα (all groups)").is_some());
    assert!(h.query_by_label("Code groups").is_some());
}
