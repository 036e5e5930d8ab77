//! Frame time of the window, headless: the app's `ui` run frame after frame through egui (layout,
//! painting and tessellation, no GPU), while scrolling and right after applying a coding. Two
//! transcripts: the longest sample, and a generated 50,000-word interview carrying 5,000 codings by 3
//! raters; then the demo's first frame, and a project of 2,000 transcripts and 100,000 codings
//! (opening it, switching transcripts, applying a coding). Run with `cargo bench --bench frame`.
//! Goals: p99 under 8 ms for every kind of frame; the demo's first frame under 300 ms.
//!
//! A coding is saved on a background task: "the frame that applies a coding" queues it, "the frame
//! that shows it saved" takes the stored coding into the window's snapshots, and "applied to
//! shown saved" is the time between the key press and the end of that frame.

// A measurement program, not library code: a failed setup may stop it at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod shared;
use shared::{
    Gen, add_raters, code_ids, generated_project, new_project, random_coding, read_samples,
    sample_words, words_text,
};

use std::path::Path;
use std::time::Instant;

use accord::app::open::Purpose;
use accord::app::{CodingCommand, TranscriptCommand};
use accord::app::{Command, Workspace};
use accord::gui::AccordApp;
use accord::import::{ImportOptions, read_transcript_bytes};
use accord::model::{NewCoding, SourceFormat, Span, TranscriptId};
use accord::store::Store;
use egui::{Event, Key, Modifiers, Pos2, RawInput, Rect, vec2};

fn build_project(dir: &Path) -> (std::path::PathBuf, TranscriptId, TranscriptId) {
    let path = dir.join("frame.accord");
    let mut ws = new_project(&path, "Frame bench");
    let samples = read_samples();
    let words = sample_words(&samples);
    let mut longest: Option<&accord::import::ImportedTranscript> = None;
    for t in &samples {
        if longest.is_none_or(|l| l.transcript.len_chars < t.transcript.len_chars) {
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
    let text = words_text(&words, &mut rng, 50_000, "P99", 220);
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
    let raters = add_raters(&mut ws);
    let codes = code_ids(&ws);
    let turns = &big.transcript.turns;
    let codings: Vec<NewCoding> = (0..5_000)
        .map(|_| {
            random_coding(
                &mut rng,
                turns,
                big.transcript.transcript_id,
                &codes,
                &raters,
                400,
            )
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

fn open(path: &Path, transcript: TranscriptId) -> (Driver, f64, f64) {
    let mut app = AccordApp::new(Workspace::open(path).expect("open"));
    let store = Store::open(path).expect("open");
    app.state.rater_id = Some(store.find_rater("Rater A").expect("rater").rater_id);
    drop(store);
    let mut d = Driver {
        ctx: egui::Context::default(),
        app,
        time: 0.0,
    };
    // The window is up (fonts installed, the project read); then the transcript is opened.
    for _ in 0..3 {
        d.frame(Vec::new());
    }
    let (first, shown, _) = d.show(transcript);
    (d, first, shown.unwrap_or(first))
}

fn scenario(name: &str, path: &Path, transcript: TranscriptId) {
    let (mut d, first, second) = open(path, transcript);
    println!(
        "{name}: the frame that opens the transcript {first:.1} ms, the frame that shows it (the turns in view laid out) {second:.1} ms"
    );
    for _ in 0..30 {
        d.frame(wheel());
    }
    report(
        &format!("{name}: scrolling"),
        (0..600).map(|_| d.frame(wheel())).collect(),
    );
    let (mut apply, mut shown, mut latency, mut after) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..40 {
        let start = 200 + i * 37;
        d.app.state.selection = Some(Span::new(start, start + 60));
        let (a, s, l) = d.apply(Key::Num1);
        apply.push(a);
        shown.extend(s);
        latency.push(l);
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
    if !shown.is_empty() {
        report(&format!("{name}: the frame that shows it saved"), shown);
        report(
            &format!("{name}: applied to shown saved (latency)"),
            latency,
        );
    }
    report(
        &format!("{name}: frames after applying ({codings} codings)"),
        after,
    );
}

impl Driver {
    /// Runs frames until the window's snapshots are read; returns the time of the frame that
    /// took them in.
    fn until_read(&mut self) -> Option<f64> {
        let mut last = None;
        for _ in 0..100_000 {
            if !busy(&self.app) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
            last = Some(self.frame(Vec::new()));
        }
        last
    }

    /// Opens a transcript; returns the time of the frame that asks for it, of the frame that shows
    /// it (when it is read on a background task), and from asking to the end of that frame.
    fn show(&mut self, transcript: TranscriptId) -> (f64, Option<f64>, f64) {
        let t0 = Instant::now();
        self.app.state.transcript_id = Some(transcript);
        self.app.state.selection = None;
        let asking = self.frame(Vec::new());
        let shown = |app: &AccordApp| {
            app.open_transcript()
                .is_some_and(|o| o.transcript.transcript_id == transcript)
        };
        let mut showing = None;
        for _ in 0..100_000 {
            if shown(&self.app) && !busy(&self.app) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
            let ms = self.frame(Vec::new());
            if shown(&self.app) {
                showing = Some(ms);
            }
        }
        (asking, showing, t0.elapsed().as_secs_f64() * 1e3)
    }

    /// Presses a code's key; returns the frame's time, the time of the frame that took the saved
    /// coding in (when saving is a background task), and the time from the key to that frame's end.
    fn apply(&mut self, k: Key) -> (f64, Option<f64>, f64) {
        let t0 = Instant::now();
        let applying = self.frame(key(k));
        let mut shown = None;
        for _ in 0..100_000 {
            if !busy(&self.app) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
            let ms = self.frame(Vec::new());
            if !busy(&self.app) {
                shown = Some(ms);
            }
        }
        (applying, shown, t0.elapsed().as_secs_f64() * 1e3)
    }
}

/// Whether the window still has a task running (a save).
fn busy(app: &AccordApp) -> bool {
    app.busy()
}

/// The demo, as `accord demo` builds it: opened as the window opens a project, then its first frame.
fn demo_first_frame(dir: &Path) {
    let path = dir.join("demo.accord");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    accord::app::demo::build_demo(
        &path,
        &accord::app::demo::DemoSources {
            samples: root.join("samples"),
            codebook: root.join("codebooks/capp-phase3.toml"),
        },
    )
    .expect("demo");
    let mut opened = Vec::new();
    let mut first = Vec::new();
    for _ in 0..10 {
        let t0 = Instant::now();
        let ws = Workspace::open_for(&path, Purpose::Session, || {
            Err(accord::app::AppError::Invalid("not encrypted".into()))
        })
        .expect("open");
        let mut d = Driver {
            ctx: egui::Context::default(),
            app: AccordApp::new(ws),
            time: 0.0,
        };
        let frame = d.frame(Vec::new());
        first.push(frame);
        d.until_read();
        opened.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    report("demo: first frame (fonts installed)", first);
    report("demo: opening to the project shown", opened);
}

/// A project of 2,000 transcripts (about 1,500 words each) and 100,000 codings by 3 raters.
fn build_large(dir: &Path) -> (std::path::PathBuf, Vec<TranscriptId>) {
    let t0 = Instant::now();
    let path = dir.join("large.accord");
    let (_ws, ids, codings) = generated_project(&path, 2_000, 50, 0x9E37_79B9_7F4A_7C15);
    println!(
        "project: 2,000 transcripts, {} codings by 3 raters, {:.0} MB, built in {:.1} s",
        codings,
        std::fs::metadata(&path).map_or(0.0, |m| m.len() as f64 / 1e6),
        t0.elapsed().as_secs_f64()
    );
    (path, ids)
}

fn large(dir: &Path) {
    let (path, ids) = build_large(dir);
    let (mut opened, mut firsts, mut taking) = (Vec::new(), Vec::new(), Vec::new());
    let mut d = None;
    for _ in 0..10 {
        let t0 = Instant::now();
        let ws = Workspace::open_for(&path, Purpose::Session, || {
            Err(accord::app::AppError::Invalid("not encrypted".into()))
        })
        .expect("open");
        let mut app = AccordApp::new(ws);
        app.state.rater_id = Some(
            Store::open(&path)
                .expect("open")
                .find_rater("Rater A")
                .expect("rater")
                .rater_id,
        );
        let mut driver = Driver {
            ctx: egui::Context::default(),
            app,
            time: 0.0,
        };
        firsts.push(driver.frame(Vec::new()));
        taking.extend(driver.until_read());
        opened.push(t0.elapsed().as_secs_f64() * 1e3);
        driver.show(ids[0]);
        d = Some(driver);
    }
    report("2,000 transcripts: opening to the project shown", opened);
    report("2,000 transcripts: the first frame", firsts);
    report(
        "2,000 transcripts: the frame that shows the project",
        taking,
    );
    let mut d = d.expect("opened");
    let mut rng = Gen(0x0123_4567_89AB_CDEF);
    let (mut switching, mut shown, mut latency) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..100 {
        let (a, s, l) = d.show(ids[rng.next(ids.len())]);
        switching.push(a);
        shown.extend(s);
        latency.push(l);
        d.frame(wheel());
    }
    report("2,000 transcripts: the frame that opens another", switching);
    if !shown.is_empty() {
        report("2,000 transcripts: the frame that shows it", shown);
        report("2,000 transcripts: opened to shown (latency)", latency);
    }
    let (mut apply, mut shown, mut latency) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..40 {
        let start = 100 + i * 23;
        d.app.state.selection = Some(Span::new(start, start + 50));
        let (a, s, l) = d.apply(Key::Num1);
        apply.push(a);
        shown.extend(s);
        latency.push(l);
        d.frame(wheel());
    }
    report("2,000 transcripts: the frame that applies a coding", apply);
    if !shown.is_empty() {
        report("2,000 transcripts: the frame that shows it saved", shown);
        report(
            "2,000 transcripts: applied to shown saved (latency)",
            latency,
        );
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, longest, big) = build_project(dir.path());
    scenario("longest sample", &path, longest);
    scenario("generated 50,000 words", &path, big);
    demo_first_frame(dir.path());
    if std::env::var_os("ACCORD_BENCH_QUICK").is_none() {
        large(dir.path());
    }
}
