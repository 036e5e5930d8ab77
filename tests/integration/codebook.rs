//! The CAPP codebook file: complete, structured, and round-trips through a project unchanged.

use accord::app::Workspace;
use accord::import::codebook_toml;
use accord::store::Store;

use crate::support::root;

fn capp() -> accord::Codebook {
    let text = std::fs::read_to_string(root().join("codebooks/capp-phase3.toml")).unwrap();
    codebook_toml::parse(&text).unwrap()
}

#[test]
fn capp_codebook_has_every_field_and_the_themes() {
    let book = capp();
    assert!(book.codes.len() >= 25, "{} codes", book.codes.len());
    for code in &book.codes {
        for (field, value) in [
            ("short_definition", &code.short_definition),
            ("definition", &code.definition),
            ("when_to_use", &code.when_to_use),
            ("when_not_to_use", &code.when_not_to_use),
            ("example", &code.example),
        ] {
            assert!(!value.trim().is_empty(), "{}: empty {field}", code.name);
        }
    }
    let paths = book.paths();
    for path in [
        "Role stress/Role confusion",
        "Burnout/Exhaustion",
        "Burnout/Cynicism",
        "Burnout/Professional inefficacy",
        "Lived experience/Peerness",
        "Coaching experience/Module 4: SMART goals",
        "Telehealth format/Video sessions",
        "Suggestions for CAPP",
    ] {
        assert!(paths.contains_key(path), "missing {path}");
    }
}

#[test]
fn codebook_file_round_trips_through_a_project() {
    let book = capp();
    let mut ws = Workspace::new(Store::open_in_memory("t").unwrap());
    let first = import_codebook(&mut ws, &book, "first");
    assert_eq!((first.version, first.added.len()), (1, book.codes.len()));
    let exported = codebook_toml::write(&ws.store().codebook().unwrap()).unwrap();
    let again = codebook_toml::parse(&exported).unwrap();
    let mut a = book.codes.clone();
    let mut b = again.codes.clone();
    a.sort_by_key(|c| c.code_id);
    b.sort_by_key(|c| c.code_id);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (x.code_id, &x.name, x.parent_id, &x.definition, &x.example),
            (y.code_id, &y.name, y.parent_id, &y.definition, &y.example)
        );
    }
    // Importing the exported file changes nothing and makes no new version.
    let second = import_codebook(&mut ws, &again, "again");
    assert_eq!(
        (second.version, second.added.len(), second.updated.len()),
        (1, 0, 0)
    );
    // A rename keeps the id, so it updates the code and makes version 2.
    let mut renamed = again.clone();
    renamed.codes[0].name.push_str(" (renamed)");
    let third = import_codebook(&mut ws, &renamed, "rename");
    assert_eq!((third.version, third.updated.len()), (2, 1));
    assert_eq!(
        ws.store().codebook_at(1).unwrap().codes.len(),
        book.codes.len()
    );
}

/// Imports a codebook through the application's command; what changed.
fn import_codebook(
    ws: &mut Workspace,
    book: &accord::Codebook,
    note: &str,
) -> accord::model::CodebookChange {
    let command = accord::app::Command::Codebook(accord::app::CodebookCommand::Import {
        book: book.clone(),
        note: note.into(),
    });
    let accord::app::Outcome::Codebook(change) = ws.apply("Import a codebook", command).unwrap()
    else {
        panic!("a codebook change")
    };
    change
}
