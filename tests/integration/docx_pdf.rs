//! The codebook DOCX as a word processor lays it out: converted to PDF by `LibreOffice` and read back
//! with `pdftotext`, the demo's wrapped description reads "in which", not "inwhich" (issue 17). Runs
//! where `LibreOffice` (`soffice` or `libreoffice`) and `pdftotext` are installed (CI installs them:
//! `.ci/run`); elsewhere it prints a notice and passes.

use std::path::Path;
use std::process::Command;

use crate::support::{accord, demo};

/// The first of `names` that runs (asked for its version with `flag`), if any.
fn installed(names: &[&'static str], flag: &str) -> Option<&'static str> {
    names.iter().copied().find(|name| {
        Command::new(name)
            .arg(flag)
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// The text of `docx` as `LibreOffice` prints it, or `None` (with a notice) when the tools are missing.
pub(crate) fn printed_text(docx: &Path, dir: &Path) -> Option<String> {
    let (Some(office), Some(_)) = (
        installed(&["soffice", "libreoffice"], "--version"),
        installed(&["pdftotext"], "-v"),
    ) else {
        eprintln!(
            "NOTICE: LibreOffice (soffice) or pdftotext is not installed; skipping the DOCX layout \
             test (CI installs libreoffice-writer-nogui and poppler-utils)"
        );
        return None;
    };
    // A profile of its own, so a LibreOffice already running (or another test) does not interfere.
    let profile = dir.join("lo-profile");
    let out = Command::new(office)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(docx)
        .output()
        .unwrap();
    let pdf = docx.with_extension("pdf");
    assert!(
        pdf.exists(),
        "LibreOffice made no PDF:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let txt = dir.join("cb.txt");
    let status = Command::new("pdftotext")
        .args(["-raw"])
        .arg(&pdf)
        .arg(&txt)
        .status()
        .unwrap();
    assert!(status.success(), "pdftotext failed on {}", pdf.display());
    Some(std::fs::read_to_string(&txt).unwrap())
}

#[test]
fn codebook_docx_reads_in_which_when_printed() {
    let dir = tempfile::tempdir().unwrap();
    let project = demo(dir.path());
    let docx = dir.path().join("cb.docx");
    accord(
        dir.path(),
        &[
            "export",
            project.to_str().unwrap(),
            "codebook",
            "--out",
            docx.to_str().unwrap(),
        ],
    )
    .success();
    let Some(text) = printed_text(&docx, dir.path()) else {
        return;
    };
    // pdftotext breaks lines where the page does: compare with every run of spaces as one space.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("in which"), "{text}");
    assert!(words.contains("16 weekly"), "{text}");
    for joined in ["inwhich", "16weekly", "wholeanswer"] {
        assert!(
            !words.contains(joined),
            "{joined:?} in the printed codebook:\n{text}"
        );
    }
}
