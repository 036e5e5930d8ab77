//! Window papercuts of issue 17: the last rater remembered per project, combo boxes labelled
//! before them, and Enter in a single-line field doing what the button beside it does.

use std::collections::HashMap;

use accord::app::Workspace;
use accord::gui::AccordApp;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};

use crate::support::{demo, steps, window};

/// eframe's settings store, in memory.
#[derive(Default)]
struct Memory(HashMap<String, String>);

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

/// A window on a project with what `memory` remembered, as eframe starts one.
fn window_remembering(project: &std::path::Path, memory: &Memory) -> Harness<'static, AccordApp> {
    let mut app = AccordApp::new(Workspace::open(project).unwrap());
    app.remember(accord::gui::remembered(Some(memory), Some(project)));
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut AccordApp| app.ui_root(ui), app);
    steps(&mut h, 3);
    h
}

#[test]
fn the_last_rater_is_remembered_per_project_outside_the_project() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (demo(one.path()), demo(two.path()));
    let before = std::fs::read(&a).unwrap();
    let mut memory = Memory::default();
    let mut h = window(&a);
    assert!(
        h.query_by_label("Who is coding?").is_some(),
        "asked the first time"
    );
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    eframe::App::save(h.state_mut(), &mut memory);
    drop(h);

    // The same project again: no question, Maya is coding, shown top right.
    let h = window_remembering(&a, &memory);
    assert!(h.query_by_label("Who is coding?").is_none());
    let rater = h.state().state.rater_id.expect("a rater is chosen");
    assert_eq!(h.state().project().rater_name(rater), "Maya Chen");
    assert!(h.query_by_label("Coding as:").is_some());
    drop(h);

    // Another project (with the same raters) is asked about: the memory is per project.
    let h = window_remembering(&b, &memory);
    assert!(h.query_by_label("Who is coding?").is_some());
    assert!(h.state().state.rater_id.is_none());
    // Nothing of this is in the project file.
    assert_eq!(
        std::fs::read(&a).unwrap().len(),
        before.len(),
        "the project file did not grow"
    );
    assert!(
        memory
            .0
            .keys()
            .all(|k| !k.contains(two.path().to_str().unwrap()))
    );
}

#[test]
fn combo_boxes_have_their_label_before_them() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label("Agreement").click();
    steps(&mut h, 2);
    for name in ["Unit", "Codes", "Transcripts"] {
        let combo = h
            .get_by_role_and_label(egui::accesskit::Role::ComboBox, name)
            .rect();
        // The label of that name on the box's line (the side panel has a "Transcripts" heading too).
        let label = h
            .get_all_by_role(egui::accesskit::Role::Label)
            .filter(|n| {
                n.value().as_deref() == Some(name)
                    || n.accesskit_node().label().as_deref() == Some(name)
            })
            .map(|n| n.rect())
            .min_by(|x, y| {
                let d = |r: egui::Rect| (r.center().y - combo.center().y).abs();
                d(*x).total_cmp(&d(*y))
            })
            .unwrap_or_else(|| panic!("a label {name}"));
        assert!(
            label.max.x <= combo.min.x && (label.center().y - combo.center().y).abs() < 12.0,
            "{name}: the label {label:?} comes before its box {combo:?} on its line"
        );
    }
}

#[test]
fn enter_in_a_field_does_what_the_button_beside_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("new.accord");
    accord::Store::create(&project, "New").unwrap();
    let mut h = window(&project);
    h.get_by_label("New rater name").focus();
    steps(&mut h, 1);
    h.get_by_label("New rater name").type_text("Sam Rivera");
    steps(&mut h, 1);
    h.key_press(egui::Key::Enter);
    steps(&mut h, 3);
    let store = h.state().workspace().unwrap().store();
    let raters = store.raters().unwrap();
    assert_eq!(raters.len(), 1, "Enter added the rater");
    assert_eq!(raters[0].name, "Sam Rivera");
    assert_eq!(h.state().state.rater_id, Some(raters[0].rater_id));
}
