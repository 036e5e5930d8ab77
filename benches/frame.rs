//! Frame time of the window, headless: the app's `ui` run frame after frame through egui (layout,
//! painting and tessellation, no GPU), while scrolling and right after applying a coding. Two
//! transcripts: the longest sample, and a generated 50,000-word interview carrying 5,000 codings by 3
//! raters. Run with `cargo bench --bench frame`. Goal: p99 under 8 ms.

// A measurement program, not library code: a failed setup may stop it at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Instant;

use accord::app::{CodebookCommand, CodingCommand, RaterCommand, TranscriptCommand};
use accord::app::{Command, Outcome, Workspace};
use accord::gui::AccordApp;
use accord::import::{ImportOptions, read_transcript, read_transcript_bytes, transcript_files};
use accord::model::{CodingId, NewCoding, RaterKind, SourceFormat, Span, TranscriptId};
use accord::store::Store;
use egui::{Event, Key, Modifiers, Pos2, RawInput, Rect, vec2};

struct Gen(u64);

impl Gen {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn samples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/transcripts")
}

/// A 50,000-word interview from the samples' words.
fn generated_text(words: &[String], rng: &mut Gen) -> String {
    let (mut text, mut count, mut turn) = (String::new(), 0, 0);
    while count < 50_000 {
        let (who, len) = if turn % 2 == 0 {
            ("Interviewer", 8 + rng.next(25))
        } else {
            ("P99", 40 + rng.next(220))
        };
        let line: Vec<&str> = (0..len)
            .map(|_| words[rng.next(words.len())].as_str())
            .collect();
        text.push_str(who);
        text.push_str(": ");
        text.push_str(&line.join(" "));
        text.push_str("\n\n");
        count += len;
        turn += 1;
    }
    text
}

#[allow(clippy::too_many_lines)] // one project set up step by step, read top to bottom
fn build_project(dir: &Path) -> (std::path::PathBuf, TranscriptId, TranscriptId) {
    let path = dir.join("frame.accord");
    let mut ws = Workspace::new(Store::create(&path, "Frame bench").expect("create"));
    let toml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("codebooks/capp-phase3.toml"),
    )
    .expect("codebook");
    let book = accord::import::codebook_toml::parse(&toml).expect("codebook");
    ws.apply(
        "Import a codebook",
        Command::Codebook(CodebookCommand::Import {
            book,
            note: "bench".into(),
        }),
    )
    .expect("codebook");
    let (files, _) = transcript_files(&samples()).expect("samples");
    let mut longest = None;
    let mut words = Vec::new();
    for f in files {
        let t = read_transcript(&f, &ImportOptions::default()).expect("sample");
        words.extend(
            t.transcript
                .text
                .split_whitespace()
                .filter(|w| !w.ends_with(':'))
                .map(str::to_string),
        );
        if longest
            .as_ref()
            .is_none_or(|l: &accord::import::ImportedTranscript| {
                l.transcript.len_chars < t.transcript.len_chars
            })
        {
            longest = Some(t);
        }
    }
    let longest = longest.expect("a sample");
    ws.apply(
        "Import a transcript",
        Command::Transcripts(TranscriptCommand::Import(Box::new(longest.clone()))),
    )
    .expect("insert");
    let mut rng = Gen(0x2545_F491_4F6C_DD1D);
    let text = generated_text(&words, &mut rng);
    let big = read_transcript_bytes(
        Path::new("G99_interview.txt"),
        text.as_bytes(),
        SourceFormat::Txt,
        &ImportOptions::default(),
    )
    .expect("generated");
    let mut stored = big.clone();
    stored.case_name = "G99".into();
    ws.apply(
        "Import a transcript",
        Command::Transcripts(TranscriptCommand::Import(Box::new(stored))),
    )
    .expect("insert");
    let raters: Vec<_> = ["Rater A", "Rater B", "Rater C"]
        .iter()
        .map(|n| {
            match ws
                .apply(
                    "Add a rater",
                    Command::Raters(RaterCommand::Add {
                        name: (*n).to_string(),
                        kind: RaterKind::Human,
                    }),
                )
                .expect("rater")
            {
                Outcome::Rater(rater) => rater.rater_id,
                _ => unreachable!("adding a rater gives the rater"),
            }
        })
        .collect();
    let codes: Vec<_> = ws
        .store()
        .codebook()
        .expect("book")
        .codes
        .iter()
        .map(|c| c.code_id)
        .collect();
    let turns = &big.transcript.turns;
    let codings: Vec<NewCoding> = (0..5_000)
        .map(|_| {
            let turn = &turns[rng.next(turns.len())];
            let content = turn.content_span();
            let start = content.start + rng.next(content.len().saturating_sub(20).max(1));
            let end = (start + 30 + rng.next(400)).min(content.end).max(start + 1);
            NewCoding {
                coding_id: CodingId::new_random(),
                transcript_id: big.transcript.transcript_id,
                code_id: codes[rng.next(codes.len())],
                rater_id: raters[rng.next(3)],
                span: Span::new(start, end),
                memo: None,
                created_at: None,
            }
        })
        .collect();
    ws.apply(
        "Code 5000 passages",
        Command::Codings(CodingCommand::Add {
            codings,
            action: "bench".into(),
        }),
    )
    .expect("codings");
    println!(
        "project: longest sample {} ({} chars, {} turns); generated {} ({} words, {} chars, {} turns, 5,000 codings by 3 raters)",
        longest.transcript.name,
        longest.transcript.len_chars,
        longest.transcript.turns.len(),
        big.transcript.name,
        text.split_whitespace().count(),
        big.transcript.len_chars,
        turns.len()
    );
    (
        path,
        longest.transcript.transcript_id,
        big.transcript.transcript_id,
    )
}

struct Driver {
    ctx: egui::Context,
    app: AccordApp,
    time: f64,
}

impl Driver {
    fn frame(&mut self, events: Vec<Event>) -> f64 {
        self.time += 1.0 / 60.0;
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1400.0, 900.0))),
            time: Some(self.time),
            events,
            ..RawInput::default()
        };
        let start = Instant::now();
        let out = self.ctx.run_ui(input, |ui| self.app.ui_root(ui));
        let prims = self.ctx.tessellate(out.shapes, out.pixels_per_point);
        std::hint::black_box(prims);
        start.elapsed().as_secs_f64() * 1e3
    }
}

fn wheel() -> Vec<Event> {
    vec![
        Event::PointerMoved(Pos2::new(700.0, 450.0)),
        Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: vec2(0.0, -90.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: Modifiers::NONE,
        },
    ]
}

fn key(key: Key) -> Vec<Event> {
    [true, false]
        .into_iter()
        .map(|pressed| Event::Key {
            key,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers: Modifiers::NONE,
        })
        .collect()
}

fn report(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    println!(
        "{label:<46} n={:>4}  median {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms",
        ms.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

fn open(path: &Path, transcript: TranscriptId) -> (Driver, f64) {
    let mut app = AccordApp::new(Workspace::open(path).expect("open"));
    let store = Store::open(path).expect("open");
    app.state.rater_id = Some(store.find_rater("Rater A").expect("rater").rater_id);
    app.state.transcript_id = Some(transcript);
    let mut d = Driver {
        ctx: egui::Context::default(),
        app,
        time: 0.0,
    };
    d.frame(Vec::new());
    let first = d.frame(Vec::new());
    (d, first)
}

fn scenario(name: &str, path: &Path, transcript: TranscriptId) {
    let (mut d, first) = open(path, transcript);
    println!("{name}: first frame with the transcript measured and laid out {first:.1} ms");
    for _ in 0..30 {
        d.frame(wheel());
    }
    report(
        &format!("{name}: scrolling"),
        (0..600).map(|_| d.frame(wheel())).collect(),
    );
    let (mut apply, mut after) = (Vec::new(), Vec::new());
    for i in 0..40 {
        let start = 200 + i * 37;
        d.app.state.selection = Some(Span::new(start, start + 60));
        apply.push(d.frame(key(Key::Num1)));
        for k in 0..10 {
            let ms = d.frame(wheel());
            if ms > 10.0 && std::env::var_os("ACCORD_BENCH_TRACE").is_some() {
                println!("  slow frame {k} after apply {i}: {ms:.1} ms");
            }
            after.push(ms);
        }
    }
    let codings = d.app.open_transcript().map_or(0, |o| o.codings.len());
    report(&format!("{name}: the frame that applies a coding"), apply);
    report(
        &format!("{name}: frames after applying ({codings} codings)"),
        after,
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, longest, big) = build_project(dir.path());
    scenario("longest sample", &path, longest);
    scenario("generated 50,000 words", &path, big);
}
