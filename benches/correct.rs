//! Correction speed (issue 19): one word corrected in a generated interview of 50,000 words with
//! 5,000 codings by 3 raters. The review (the corrected text, its turns, every coding carried) and
//! the correction written as one undoable change, separately and together (goal: under 100 ms);
//! and a whole corrected file compared by the diff (words, spaces and marks). Prints median and
//! best of several runs. `cargo bench --bench correct`.

// A measurement program, not library code: a failed setup may stop it at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod shared;

use std::path::Path;
use std::time::Instant;

use accord::app::correct::{plan, replace};
use accord::app::{CodingCommand, Command, TranscriptCommand};
use accord::import::{ImportOptions, read_transcript_bytes};
use accord::model::SourceFormat;
use shared::{Gen, add_raters, code_ids, new_project, random_coding, read_samples, sample_words};

fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{label:<72} median {:>9.2} ms   best {:>9.2} ms   ({runs} runs)",
        times[runs / 2],
        times[0]
    );
    times[runs / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("correct.accord");
    let mut ws = new_project(&path, "Correct");
    let words = sample_words(&read_samples());
    let raters = add_raters(&mut ws);
    let codes = code_ids(&ws);
    let mut rng = Gen(0x00C0_44EC_7000_0001);
    let text = shared::words_text(&words, &mut rng, 50_000, "P01", 160);
    let t = read_transcript_bytes(
        Path::new("P01_long.txt"),
        text.as_bytes(),
        SourceFormat::Txt,
        &ImportOptions::default(),
    )
    .expect("generated");
    let turns = t.transcript.turns.clone();
    let id = t.transcript.transcript_id;
    ws.apply(
        "Import a transcript",
        Command::Transcripts(TranscriptCommand::Import(Box::new(t))),
    )
    .expect("insert");
    let codings: Vec<_> = (0..5_000)
        .map(|_| random_coding(&mut rng, &turns, id, &codes, &raters, 300))
        .collect();
    ws.apply(
        "Code passages",
        Command::Codings(CodingCommand::Add {
            codings,
            action: "bench".into(),
        }),
    )
    .expect("codings");
    let stored = accord::app::resolve::transcript(ws.store(), "P01_long").expect("stored");
    println!(
        "transcript: {} words, {} characters, {} turns, 5000 codings by 3 raters",
        stored.text.split_whitespace().count(),
        stored.len_chars,
        stored.turns.len()
    );
    // A phrase found once, in the middle: its first word is the one corrected.
    let chars: Vec<char> = stored.text.chars().collect();
    let mut at = chars.len() / 2;
    let phrase = loop {
        let from: String = chars[at..].iter().collect();
        let candidate: String = from
            .split(' ')
            .skip(1)
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        if !candidate.contains('\n') && stored.text.matches(&candidate).count() == 1 {
            break candidate;
        }
        at += 97;
    };
    let first = phrase.split(' ').next().unwrap_or_default().to_string();
    let fixed = phrase.replacen(&first, &format!("{first}s"), 1);
    let store = ws.store();
    time(
        "review: one word corrected (text, turns, every coding carried)",
        11,
        || replace(store, "P01_long", &phrase, &fixed).expect("review"),
    );
    let mut apply_times = Vec::new();
    let mut total_times = Vec::new();
    for _ in 0..11 {
        let start = Instant::now();
        let c = replace(ws.store(), "P01_long", &phrase, &fixed).expect("review");
        let written = Instant::now();
        ws.apply(
            "Correct",
            Command::Transcripts(TranscriptCommand::Correct(Box::new(c.to_write(None)))),
        )
        .expect("correct");
        apply_times.push(written.elapsed().as_secs_f64() * 1e3);
        total_times.push(start.elapsed().as_secs_f64() * 1e3);
        ws.undo().expect("undo");
    }
    for (label, mut times) in [
        (
            "written: the correction as one undoable change",
            apply_times,
        ),
        ("review + written (goal 100 ms)", total_times),
    ] {
        times.sort_by(f64::total_cmp);
        println!(
            "{label:<72} median {:>9.2} ms   best {:>9.2} ms   (11 runs)",
            times[5], times[0]
        );
    }
    let store = ws.store();
    let corrected = stored.text.replacen(&phrase, &fixed, 1);
    time(
        "review of a whole corrected file (a diff of words, spaces and marks)",
        11,
        || plan(store, &stored, &corrected, None).expect("review"),
    );
}
