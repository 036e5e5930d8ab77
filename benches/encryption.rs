//! What encryption at rest costs: a plain and an encrypted project (SQLCipher) of the same N
//! transcripts (the samples, varied; `ACCORD_BENCH_TRANSCRIPTS=100,500` by default), compared on
//! importing, coding one passage (each a durable transaction), and opening the project ready to
//! search: the plain project finds its index on disk; the encrypted one builds its index in memory,
//! which is the price of leaving no transcript text readable beside it. Run with
//! `cargo bench --bench encryption`.

// A measurement program, not library code: a failed setup may stop it at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Instant;

use accord::Store;
use accord::app::Workspace;
use accord::import::{ImportOptions, read_transcript, read_transcript_bytes, transcript_files};
use accord::model::{CodingId, NewCoding, RaterKind, SourceFormat, Span};
use accord::search::{ProjectIndex, SearchOptions};
use accord::store::Passphrase;

fn samples() -> Vec<String> {
    let (files, _) =
        transcript_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/transcripts"))
            .expect("samples");
    files
        .iter()
        .filter_map(|f| read_transcript(f, &ImportOptions::default()).ok())
        .map(|t| t.transcript.text)
        .collect()
}

fn median(mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[ms.len() / 2]
}

/// Imports `n` varied sample transcripts; returns the seconds it took.
fn fill(ws: &mut Workspace, texts: &[String], n: usize) -> f64 {
    let book = accord::import::codebook_toml::parse(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("codebooks/capp-phase3.toml"),
        )
        .expect("codebook"),
    )
    .expect("codebook");
    ws.apply(
        "Import a codebook",
        accord::app::Command::Codebook(accord::app::CodebookCommand::Import {
            book,
            note: "bench".into(),
        }),
    )
    .expect("codebook");
    ws.apply(
        "Add rater Ana",
        accord::app::Command::Raters(accord::app::RaterCommand::Add {
            name: "Ana".into(),
            kind: RaterKind::Human,
        }),
    )
    .expect("rater");
    let start = Instant::now();
    for i in 0..n {
        let text = format!(
            "{}\n\nInterviewer: Thank you, number {i}.\n",
            texts[i % texts.len()]
        );
        let name = format!("T{i:05}.txt");
        let t = read_transcript_bytes(
            Path::new(&name),
            text.as_bytes(),
            SourceFormat::Txt,
            &ImportOptions::default(),
        )
        .expect("read");
        ws.apply(
            "Import a transcript",
            accord::app::Command::Transcripts(accord::app::TranscriptCommand::Import(Box::new(t))),
        )
        .expect("insert");
    }
    start.elapsed().as_secs_f64()
}

/// Median milliseconds to code one passage (one durable transaction each), over 41 codings.
fn coding(ws: &mut Workspace) -> f64 {
    let store = ws.store();
    let t = store.transcripts().expect("list")[0].transcript_id;
    let code = store.codebook().expect("book").codes[3].code_id;
    let rater = store.raters().expect("raters")[0].rater_id;
    let ms = (0..41)
        .map(|i| {
            let c = NewCoding {
                coding_id: CodingId::new_random(),
                transcript_id: t,
                code_id: code,
                rater_id: rater,
                span: Span::new(i * 10, i * 10 + 40),
                memo: None,
                created_at: None,
            };
            let start = Instant::now();
            ws.apply(
                "Code 1 passage",
                accord::app::Command::Codings(accord::app::CodingCommand::Add {
                    codings: vec![c],
                    action: "code".into(),
                }),
            )
            .expect("code");
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    median(ms)
}

/// Seconds to open a project and have it ready to search, and a phrase query's median ms.
fn open_ready(open: impl Fn() -> Store) -> (f64, f64) {
    let start = Instant::now();
    let store = open();
    let (index, _) = ProjectIndex::open(&store).expect("index");
    let ready = start.elapsed().as_secs_f64();
    let book = store.codebook().expect("book");
    let ms = (0..31)
        .map(|_| {
            let start = Instant::now();
            let r = index
                .search("\"my supervisor\"", &book, &SearchOptions::default())
                .expect("search");
            std::hint::black_box(r.total);
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    (ready, median(ms))
}

fn main() {
    let texts = samples();
    let sizes: Vec<usize> = std::env::var("ACCORD_BENCH_TRANSCRIPTS").ok().map_or_else(
        || vec![100, 500],
        |v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
    );
    let key = Passphrase::new("a bench passphrase");
    for n in sizes {
        let dir = tempfile::tempdir().expect("dir");
        let plain = dir.path().join("plain.accord");
        let secret = dir.path().join("secret.accord");
        let mut p = Workspace::new(Store::create(&plain, "plain").expect("create"));
        let mut s =
            Workspace::new(Store::create_encrypted(&secret, "secret", &key).expect("create"));
        let import_plain = fill(&mut p, &texts, n);
        let import_secret = fill(&mut s, &texts, n);
        let mb = texts.iter().map(String::len).sum::<usize>() as f64 * n as f64
            / texts.len() as f64
            / 1e6;
        let (code_plain, code_secret) = (coding(&mut p), coding(&mut s));
        drop((p, s));
        // The plain project's index is built once on disk; opening then only checks it.
        ProjectIndex::open(&Store::open(&plain).expect("open")).expect("index");
        let (ready_plain, query_plain) = open_ready(|| Store::open(&plain).expect("open"));
        let (ready_secret, query_secret) =
            open_ready(|| Store::open_encrypted(&secret, &key).expect("open"));
        println!("\n{n} transcripts ({mb:.1} MB of text)");
        println!(
            "import:        plain {:.2} s, encrypted {:.2} s ({:.2}x)",
            import_plain,
            import_secret,
            import_secret / import_plain
        );
        println!(
            "code 1 passage: plain {code_plain:.2} ms, encrypted {code_secret:.2} ms (median)"
        );
        println!(
            "open, ready to search: plain {ready_plain:.2} s (index on disk), encrypted {ready_secret:.2} s (index built in memory)"
        );
        println!(
            "phrase query:  plain {query_plain:.2} ms, encrypted {query_secret:.2} ms (median)"
        );
        println!(
            "files: plain {:.1} MB, encrypted {:.1} MB",
            std::fs::metadata(&plain).map_or(0, |m| m.len()) as f64 / 1e6,
            std::fs::metadata(&secret).map_or(0, |m| m.len()) as f64 / 1e6
        );
    }
}
