//! Encryption in the window, driven through `AccessKit` (`egui_kittest`): an encrypted project asks
//! for its passphrase (a wrong one is refused and nothing opens), and File › New encrypted project…
//! makes one and works on it; an encrypted project's index is built in memory on a worker while the
//! window goes on, and a search asked for meanwhile runs when it is ready.

use accord::gui::Root;
use accord::model::RaterKind;
use accord::store::{Passphrase, Store, StoreError};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::support::{demo, steps};

#[test]
fn an_encrypted_project_opens_only_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.accord");
    let store =
        Store::create_encrypted(&path, "Secret study", &Passphrase::new("a good passphrase"))
            .unwrap();
    accord::app::Workspace::new(store)
        .apply(
            "Add rater Ana",
            accord::app::Command::Raters(accord::app::RaterCommand::Add {
                name: "Ana".into(),
                kind: RaterKind::Human,
            }),
        )
        .unwrap();
    let root = Root::for_project(&path).unwrap();
    assert!(root.app().is_none(), "locked until the passphrase is given");
    let mut h = Harness::builder()
        .with_size([1200.0, 800.0])
        .build_ui_state(|ui, root: &mut Root| root.ui_root(ui), root);
    steps(&mut h, 2);
    h.get_by_label("Passphrase").focus();
    h.get_by_label("Passphrase").type_text("not it");
    steps(&mut h, 1);
    h.get_by_label("Open").click();
    steps(&mut h, 2);
    assert!(h.state().app().is_none());
    assert!(h.query_by_label_contains("does not open").is_some());
    h.get_by_label("Passphrase").focus();
    h.get_by_label("Passphrase").type_text("a good passphrase");
    steps(&mut h, 1);
    h.get_by_label("Open").click();
    steps(&mut h, 4);
    let app = h.state().app().expect("unlocked");
    assert!(app.workspace().unwrap().store().is_encrypted());
    assert_eq!(app.project().name, "Secret study");
}

#[test]
fn file_new_encrypted_project_makes_one_and_works_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = crate::support::window(&demo(dir.path()));
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label("File").click();
    steps(&mut h, 2);
    h.get_by_label("New encrypted project…").click();
    steps(&mut h, 6);
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
    steps(&mut h, 1);
    h.get_by_label("Create").click();
    steps(&mut h, 4);
    let store = h.state().workspace().unwrap().store();
    assert!(store.is_encrypted());
    assert_eq!(store.path(), Some(target.as_path()));
    assert!(matches!(
        Store::open(&target),
        Err(StoreError::Encrypted(_))
    ));
    assert!(Store::open_encrypted(&target, &Passphrase::new("twelve chars!")).is_ok());
}

#[test]
fn de_identify_from_the_window_after_a_preview() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let list = dir.path().join("names.csv");
    std::fs::write(&list, "Lena,Coach C1\nCarol,Supervisor S1\n").unwrap();
    let mut h = crate::support::window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    h.get_by_label("File").click();
    steps(&mut h, 2);
    h.get_by_label("De-identify…").click();
    steps(&mut h, 4);
    h.get_by_label("Pseudonym list").focus();
    h.get_by_label("Pseudonym list")
        .type_text(list.to_str().unwrap());
    steps(&mut h, 1);
    h.get_by_label("Preview").click();
    steps(&mut h, 3);
    assert!(
        h.query_by_label("Coach C1").is_some(),
        "the preview shows what Lena becomes"
    );
    // Nothing changes before the confirmation and Apply.
    let p01 = |h: &Harness<'static, accord::gui::AccordApp>| {
        let store = h.state().workspace().unwrap().store();
        let id = store
            .find_transcript("P01_interview")
            .unwrap()
            .transcript_id;
        store.transcript(id).unwrap().text
    };
    assert!(p01(&h).contains("Lena"));
    h.get_by_label_contains("I understand this cannot be undone")
        .click();
    steps(&mut h, 1);
    h.get_by_label("Apply").click();
    steps(&mut h, 4);
    let text = p01(&h);
    assert!(!text.contains("Lena") && text.contains("Coach C1"));
    assert!(h.state().deidentify.is_none(), "the dialog closed");
}

#[test]
fn an_encrypted_projects_index_is_built_beside_the_window_and_a_search_waits_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.accord");
    let p = path.to_str().unwrap();
    let key = [("ACCORD_PASSPHRASE", "a good passphrase")];
    crate::support::accord_with(dir.path(), &["new", p, "--encrypt"], &key).success();
    let transcripts = crate::support::samples().join("transcripts");
    crate::support::accord_with(
        dir.path(),
        &["import", p, transcripts.to_str().unwrap()],
        &key,
    )
    .success();
    let root = Root::for_project(&path).unwrap();
    let mut h = Harness::builder()
        .with_size([1200.0, 800.0])
        .build_ui_state(|ui, root: &mut Root| root.ui_root(ui), root);
    steps(&mut h, 2);
    h.get_by_label("Passphrase").focus();
    h.get_by_label("Passphrase").type_text("a good passphrase");
    steps(&mut h, 1);
    h.get_by_label("Open").click();
    steps(&mut h, 4);
    h.get_by_label("New rater name").focus();
    h.get_by_label("New rater name").type_text("Ana");
    steps(&mut h, 1);
    h.get_by_label("Add rater").click();
    steps(&mut h, 4);
    // The first frames start building the index in memory on a worker; the window goes on drawing.
    steps(&mut h, 2);
    h.get_by_label("Search").click();
    steps(&mut h, 2);
    h.get_by_label("Search query").focus();
    h.get_by_label("Search query").type_text("supervisor");
    steps(&mut h, 1);
    h.get_by_label("Run search").click();
    let mut results = None;
    for _ in 0..600 {
        steps(&mut h, 1);
        if let Some(r) = &h.state().app().unwrap().search.results {
            results = Some(r.clone());
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let results = results
        .expect("the search ran once the index was ready")
        .expect("no error");
    assert!(results.total > 30, "{}", results.total);
    assert!(!h.state().app().unwrap().search.preparing);
    assert!(
        !accord::search::sync::index_dir(&path).exists(),
        "an encrypted project's index stays in memory"
    );
}

#[test]
fn erase_a_withdrawn_participants_transcript_from_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let mut h = crate::support::window(&project);
    h.get_by_label("Maya Chen").click();
    steps(&mut h, 8);
    // P01 is open when it is erased.
    h.get_by_label_contains("P01_interview").click();
    steps(&mut h, 3);
    let codings = |h: &Harness<'static, accord::gui::AccordApp>| {
        h.state()
            .workspace()
            .unwrap()
            .store()
            .codings(&accord::model::CodingFilter::default())
            .unwrap()
            .len()
    };
    let all = codings(&h);
    h.get_by_label("File").click();
    steps(&mut h, 2);
    h.get_by_label("Erase transcripts…").click();
    steps(&mut h, 4);
    h.get_by_label("P01_interview (case P01)").click();
    steps(&mut h, 4);
    assert!(
        h.query_by_label_contains("Would erase 1 transcript, 105 turns")
            .is_some(),
        "the preview counts what would go"
    );
    // Not before the confirmation.
    h.get_by_label("Erase for good").click();
    steps(&mut h, 2);
    assert!(
        h.state()
            .workspace()
            .unwrap()
            .store()
            .find_transcript("P01_interview")
            .is_ok()
    );
    h.get_by_label_contains("I understand this cannot be undone")
        .click();
    steps(&mut h, 1);
    h.get_by_label("Erase for good").click();
    steps(&mut h, 4);
    let store = h.state().workspace().unwrap().store();
    assert!(store.find_transcript("P01_interview").is_err());
    assert!(codings(&h) < all);
    assert!(h.state().erase.is_none(), "the dialog closed");
    assert!(h.state().open_transcript().is_none());
    let message = h.state().state.message.clone();
    assert!(
        format!("{message:?}").contains("Erased 1 transcript,"),
        "{message:?}"
    );
}
