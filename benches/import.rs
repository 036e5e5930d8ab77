//! Import throughput: the samples folder, and a generated folder of interview-like transcripts (100 MB
//! by default; `ACCORD_BENCH_MB` changes it). Prints MB/s for reading+parsing alone, for the whole
//! import into a project file, and for import plus the first search (the whole figure: imported and
//! searchable). The index is built alongside the import, as `accord import` and the window do; the
//! first search waits for it and indexes what it has not reached yet. Run with `cargo bench --bench import`.
//!
//! A second case times a flat codebook of 200,000 codes (`ACCORD_BENCH_CODES` changes it), as TOML
//! and as a REFI-QDA `.qdc` built in memory: parsing, then storing into a new project file (the goal:
//! under 2 s each in a release build). `cargo bench --bench import -- codebook` runs only this case,
//! `-- transcripts` only the first.

// A measurement program, not library code: a failed setup may stop it at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use accord::app::{FileOutcome, ImportWatch, Workspace, import_files};
use accord::import::{ImportOptions, read_transcript, transcript_files};
use accord::store::Store;

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |case: &str| only.is_empty() || only.iter().any(|o| case.contains(o.as_str()));
    if wants("transcripts") {
        transcripts();
    }
    if wants("codebook") {
        codebook();
    }
}

/// Times parsing and storing a flat codebook of many codes, as TOML and as `.qdc`.
fn codebook() {
    let n: usize = std::env::var("ACCORD_BENCH_CODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let mut toml = String::from("[codebook]\nname = 'flat'\n");
    let mut qdc = String::from("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>");
    for i in 0..n {
        writeln!(toml, "[[codes]]\nname = 'code {i}'").expect("write");
        write!(
            qdc,
            "<Code guid=\"{}\" name=\"code {i}\" isCodable=\"true\"/>",
            // Random, as every program writes them (ordered ones would flatter the store).
            uuid::Uuid::new_v4()
        )
        .expect("write");
    }
    qdc.push_str("</Codes></CodeBook>");
    for (what, read) in [
        (
            "TOML",
            Box::new(|| accord::import::codebook_toml::parse(&toml).expect("toml"))
                as Box<dyn Fn() -> accord::model::Codebook>,
        ),
        (
            ".qdc",
            Box::new(|| {
                accord::import::refi::qdc::read_qdc(Path::new("flat.qdc"), qdc.as_bytes())
                    .expect("qdc")
                    .codebook
            }),
        ),
    ] {
        let start = Instant::now();
        let book = read();
        let parse = start.elapsed().as_secs_f64();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut ws = Workspace::new(
            Store::create(&dir.path().join("codes.accord"), "codes").expect("project"),
        );
        let start = Instant::now();
        let command = accord::app::Command::Codebook(accord::app::CodebookCommand::Import {
            book,
            note: "bench".into(),
        });
        let accord::app::Outcome::Codebook(change) =
            ws.apply("Import a codebook", command).expect("store")
        else {
            unreachable!("importing a codebook says what changed")
        };
        let stored = start.elapsed().as_secs_f64();
        assert_eq!(change.added.len(), n);
        println!(
            "codebook {what}: {n} flat codes; parse {parse:.3} s, store {stored:.3} s, together {:.3} s",
            parse + stored
        );
    }
}

/// The samples folder and a generated folder, read and imported.
fn transcripts() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/transcripts");
    let (files, _) = transcript_files(&samples).expect("samples folder");
    println!("samples folder: {} files", files.len());
    let runs: Vec<(f64, f64)> = (0..5).map(|_| measure(&files)).collect();
    report("samples", &runs, total_bytes(&files));

    let mb: usize = std::env::var("ACCORD_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().expect("temp dir");
    let generated = generate(dir.path(), &files, mb << 20);
    println!(
        "generated folder: {} files, {:.1} MB",
        generated.len(),
        total_bytes(&generated) as f64 / 1e6
    );
    let run = measure(&generated);
    report("generated", &[run], total_bytes(&generated));
    searchable(&generated);
}

/// As `accord import` and the window import: the index is built alongside the import.
struct Alongside;

impl ImportWatch for Alongside {
    fn index_alongside(&self) -> bool {
        true
    }
}

/// The whole figure: a new project, every file imported (the index built alongside), then the first
/// search (the goal: 100 MB imported and searchable in under 15 s on a 2-core machine).
fn searchable(files: &[PathBuf]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws =
        Workspace::new(Store::create(&dir.path().join("bench.accord"), "bench").expect("project"));
    let start = Instant::now();
    let outcomes = import_files(&mut ws, files, &ImportOptions::default(), &mut Alongside);
    let import = start.elapsed().as_secs_f64();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, FileOutcome::Imported(_)))
    );
    let start = Instant::now();
    let found = ws
        .search("supervisor", &accord::search::SearchOptions::default())
        .expect("search");
    let index = start.elapsed().as_secs_f64();
    let mb = total_bytes(files) as f64 / 1e6;
    println!(
        "generated: {mb:.1} MB imported and searchable in {:.2} s = {:.1} MB/s (import {import:.2} s, first search finishing the index {index:.2} s, {} hits)",
        import + index,
        mb / (import + index),
        found.total
    );
}

/// (seconds to read and parse every file, seconds to import them all into a new project file)
fn measure(files: &[PathBuf]) -> (f64, f64) {
    let opts = ImportOptions::default();
    let start = Instant::now();
    for f in files {
        read_transcript(f, &opts).expect("parse");
    }
    let parse = start.elapsed().as_secs_f64();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ws =
        Workspace::new(Store::create(&dir.path().join("bench.accord"), "bench").expect("project"));
    let start = Instant::now();
    let outcomes = import_files(&mut ws, files, &opts, &mut accord::app::Quietly);
    let import = start.elapsed().as_secs_f64();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, FileOutcome::Imported(_))),
        "every file imports"
    );
    (parse, import)
}

fn report(what: &str, runs: &[(f64, f64)], bytes: u64) {
    let mut parse: Vec<f64> = runs.iter().map(|r| r.0).collect();
    let mut import: Vec<f64> = runs.iter().map(|r| r.1).collect();
    parse.sort_by(f64::total_cmp);
    import.sort_by(f64::total_cmp);
    let mb = bytes as f64 / 1e6;
    let (p, i) = (parse[parse.len() / 2], import[import.len() / 2]);
    println!(
        "{what}: {mb:.2} MB; read+parse {p:.3} s = {:.1} MB/s; full import (parse, hash, store) {i:.3} s = {:.1} MB/s (median of {})",
        mb / p,
        mb / i,
        runs.len()
    );
}

fn total_bytes(files: &[PathBuf]) -> u64 {
    files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum()
}

/// Writes interview-like text transcripts of about 8,000 words each, built from the samples' own
/// words (a small xorshift generator keeps it deterministic), until `bytes` are written.
fn generate(dir: &Path, samples: &[PathBuf], bytes: usize) -> Vec<PathBuf> {
    let opts = ImportOptions::default();
    let words: Vec<String> = samples
        .iter()
        .filter_map(|f| read_transcript(f, &opts).ok())
        .flat_map(|t| {
            t.transcript
                .text
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.ends_with(':'))
        .collect();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let (mut written, mut files) = (0, Vec::new());
    while written < bytes {
        let case = files.len() + 1;
        let mut text = String::with_capacity(60_000);
        let mut count = 0;
        while count < 8000 {
            let interviewer = text.is_empty() || next(2) == 0;
            text.push_str(if interviewer { "Interviewer:" } else { "P:" });
            let len = if interviewer {
                8 + next(25)
            } else {
                20 + next(200)
            };
            for _ in 0..len {
                text.push(' ');
                text.push_str(&words[next(words.len())]);
            }
            text.push_str("\n\n");
            count += len;
        }
        let text = text.replace("\nP:", &format!("\nG{case}:"));
        let path = dir.join(format!("G{case}_generated.txt"));
        std::fs::write(&path, &text).expect("write");
        written += text.len();
        files.push(path);
    }
    files
}
