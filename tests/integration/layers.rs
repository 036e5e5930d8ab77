//! The layer rule, checked as `../shared/tools/layers` checks it: no `crate::X` reference (outside
//! `#[cfg(test)]` modules, `tests.rs` files and comment lines) from one top-level module of `src/`
//! to another that the rule does not allow. Lower layers know nothing of higher ones:
//!
//! - model, agreement: nothing
//! - store: model
//! - import, search: model
//! - export: model, agreement
//! - app: model, agreement, store, import, search, export
//! - cli, gui: app, model, agreement and export; never store, import, search, or each other

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The modules `from` may name; `None` for a module the rule does not cover.
fn allowed(from: &str) -> Option<&'static [&'static str]> {
    Some(match from {
        "model" | "agreement" => &[],
        "store" | "import" | "search" => &["model"],
        "export" => &["model", "agreement"],
        "app" => &["model", "agreement", "store", "import", "search", "export"],
        "cli" | "gui" => &["app", "model", "agreement", "export"],
        _ => return None,
    })
}

/// The top-level modules `crate::` names on a line (`crate::` followed by `[a-z_]+`), each once.
fn named_modules(line: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        if len > 0 {
            out.insert(&after[..len]);
        }
        rest = after;
    }
    out
}

/// The back-edges in one file of module `from` (`file` names it in the lines), as the script
/// prints them; `known` says whether a name is a top-level module of `src/`.
fn back_edges_in(file: &str, from: &str, text: &str, known: &dyn Fn(&str) -> bool) -> Vec<String> {
    let Some(ok) = allowed(from) else {
        return Vec::new();
    };
    if file.ends_with("/tests.rs") {
        return Vec::new();
    }
    // Everything after the first `#[cfg(test)]` line is test code.
    let cut = text
        .lines()
        .position(|l| l.contains("#[cfg(test)]"))
        .map(|i| i + 1);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        if cut.is_some_and(|cut| lineno > cut) {
            break;
        }
        if !line.contains("crate::") || line.trim_start().starts_with("//") {
            continue;
        }
        for to in named_modules(line) {
            if to == from || !known(to) || ok.contains(&to) {
                continue;
            }
            let shown: String = line.trim_start_matches(' ').chars().take(100).collect();
            out.push(format!("{file}:{lineno}: {from} -> {to}: {shown}"));
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every back-edge in the project's `src/`.
fn back_edges(root: &Path) -> Vec<String> {
    let src = root.join("src");
    let known = |name: &str| src.join(name).is_dir() || src.join(format!("{name}.rs")).is_file();
    let mut modules: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    modules.sort();
    let mut out = Vec::new();
    for dir in modules {
        let from = dir.file_name().unwrap().to_str().unwrap().to_string();
        let mut files = Vec::new();
        rust_files(&dir, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let name = file.strip_prefix(root).unwrap().display().to_string();
            out.extend(back_edges_in(&name, &from, &text, &known));
        }
    }
    out
}

#[test]
fn no_module_names_a_higher_layer() {
    let found = back_edges(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(
        found.is_empty(),
        "{} references from a lower layer to a higher one (or between cli and gui):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_layer_check_flags_a_back_edge_and_nothing_else() {
    let known = |name: &str| {
        [
            "model",
            "agreement",
            "store",
            "import",
            "search",
            "export",
            "app",
            "cli",
            "gui",
        ]
        .contains(&name)
    };
    let text = "\
//! Uses crate::store in a comment: not a reference.
use crate::model::Span;
use crate::store::Store;
    // crate::app in a comment
fn f() { crate::app::apply(); crate::app::apply(); crate::nowhere::g(); crate::search::x(); }
#[cfg(test)]
mod tests {
    use crate::store::Store;
}
";
    let found = back_edges_in("src/search/x.rs", "search", text, &known);
    assert_eq!(
        found,
        [
            "src/search/x.rs:3: search -> store: use crate::store::Store;",
            "src/search/x.rs:5: search -> app: fn f() { crate::app::apply(); crate::app::apply(); crate::nowhere::g(); crate::search::x(); }",
        ]
    );
    // The same lines are fine where the rule allows them, and in a tests.rs file.
    assert!(back_edges_in("src/app/x.rs", "app", text, &known).is_empty());
    assert!(back_edges_in("src/search/tests.rs", "search", text, &known).is_empty());
    // The window and the command line never name each other.
    assert_eq!(
        back_edges_in("src/cli/x.rs", "cli", "crate::gui::run(path)?;\n", &known),
        ["src/cli/x.rs:1: cli -> gui: crate::gui::run(path)?;"]
    );
}
