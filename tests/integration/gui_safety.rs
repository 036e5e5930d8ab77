//! Encryption in the window, driven through `AccessKit` (`egui_kittest`): an encrypted project asks
//! for its passphrase (a wrong one is refused and nothing opens), and File › New encrypted project…
//! makes one and works on it.

use accord::app::Workspace;
use accord::gui::{AccordApp, Root};
use accord::model::RaterKind;
use accord::store::{Passphrase, Store, StoreError};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::support::demo;

#[test]
fn an_encrypted_project_opens_only_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.accord");
    let mut store =
        Store::create_encrypted(&path, "Secret study", &Passphrase::new("a good passphrase"))
            .unwrap();
    store.add_rater("Ana", RaterKind::Human).unwrap();
    drop(store);
    let root = Root::for_project(&path).unwrap();
    assert!(root.app().is_none(), "locked until the passphrase is given");
    let mut h = Harness::builder()
        .with_size([1200.0, 800.0])
        .build_ui_state(|ui, root: &mut Root| root.ui_root(ui), root);
    h.run_steps(2);
    h.get_by_label("Passphrase").focus();
    h.get_by_label("Passphrase").type_text("not it");
    h.run_steps(1);
    h.get_by_label("Open").click();
    h.run_steps(2);
    assert!(h.state().app().is_none());
    assert!(h.query_by_label_contains("does not open").is_some());
    h.get_by_label("Passphrase").focus();
    h.get_by_label("Passphrase").type_text("a good passphrase");
    h.run_steps(1);
    h.get_by_label("Open").click();
    h.run_steps(4);
    let app = h.state().app().expect("unlocked");
    assert!(app.workspace().store().is_encrypted());
    assert_eq!(app.project().name, "Secret study");
}

#[test]
fn file_new_encrypted_project_makes_one_and_works_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = AccordApp::new(Workspace::open(&demo(dir.path())).unwrap());
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut AccordApp| app.ui_root(ui), app);
    h.run_steps(3);
    h.get_by_label("Maya Chen").click();
    h.run_steps(8);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("New encrypted project…").click();
    h.run_steps(6);
    assert!(
        h.state().state.message.is_none(),
        "{:?}",
        h.state().state.message
    );
    let target = dir.path().join("new-study.accord");
    h.get_by_label("Project file").focus();
    h.get_by_label("Project file")
        .type_text(target.to_str().unwrap());
    h.get_by_label("New passphrase").focus();
    h.get_by_label("New passphrase").type_text("twelve chars!");
    h.get_by_label("New passphrase again").focus();
    h.get_by_label("New passphrase again")
        .type_text("twelve chars!");
    h.run_steps(1);
    h.get_by_label("Create").click();
    h.run_steps(4);
    let store = h.state().workspace().store();
    assert!(store.is_encrypted());
    assert_eq!(store.path(), Some(target.as_path()));
    assert!(matches!(
        Store::open(&target),
        Err(StoreError::Encrypted(_))
    ));
    assert!(Store::open_encrypted(&target, &Passphrase::new("twelve chars!")).is_ok());
}
