//! Search speed on a generated corpus (1,000 and 10,000 transcripts of about 8,000 words, built from the
//! samples' words; `ACCORD_BENCH_TRANSCRIPTS=200,1000` changes the sizes): indexing throughput and query
//! latency (median, p99; 50 hits with snippets, plus the total) for a word, a phrase, a three-word
//! phrase, a boolean query with filters and a code filter (over the coded passages, as Accord runs
//! it), in Accord's tantivy indexes and in SQLite FTS5 tables of the same turns and passages, in the
//! same run. Run with `cargo bench --bench search`; `ACCORD_BENCH_KEEP=FOLDER` keeps the corpus and
//! its indexes there and times the queries again on the next run without rebuilding them.

// A measurement program, not library code: a failed setup may stop it at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Instant;

use accord::import::{ImportOptions, read_transcript, transcript_files};
use accord::model::Role;
use accord::search::{SearchOptions, TranscriptIndex, TurnDoc};

struct Gen(u64);

impl Gen {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn vocabulary() -> Vec<String> {
    let (files, _) =
        transcript_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/transcripts"))
            .expect("samples");
    files
        .iter()
        .filter_map(|f| read_transcript(f, &ImportOptions::default()).ok())
        .flat_map(|t| {
            t.transcript
                .text
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.ends_with(':'))
        .collect()
}

/// The turns of generated transcript `n` (about 8,000 words), and its coded passages: up to two
/// codes on each participant turn, each on a run of 10 to 60 of its words.
fn transcript(n: usize, words: &[String], rng: &mut Gen) -> (Vec<TurnDoc>, Vec<TurnDoc>) {
    let site = ["A", "B", "C", "D"][n % 4].to_string();
    let (mut turns, mut passages, mut count, mut start) = (Vec::new(), Vec::new(), 0, 0u64);
    while count < 8000 {
        let interviewer = turns.len() % 2 == 0;
        let len = if interviewer {
            8 + rng.next(23)
        } else {
            20 + rng.next(200)
        };
        let turn_words: Vec<&str> = (0..len)
            .map(|_| words[rng.next(words.len())].as_str())
            .collect();
        let text = turn_words.join(" ");
        let chars = text.chars().count() as u64;
        let turn = TurnDoc {
            transcript_id: format!("t{n}"),
            turn_index: turns.len() as u64,
            turn_start_char: start,
            speaker: if interviewer {
                "Interviewer".into()
            } else {
                format!("G{n}")
            },
            role: if interviewer {
                Role::Interviewer
            } else {
                Role::Participant
            },
            case: Some(format!("G{n}")),
            attrs: vec![("site".into(), site.clone()), ("arm".into(), "CAPP".into())],
            raters: Vec::new(),
            codes: Vec::new(),
            start_ms: None,
            text,
            coding_id: None,
        };
        let codes = if interviewer { 0 } else { rng.next(3) };
        for k in 0..codes {
            let first = rng.next(len - 10);
            let last = (first + 10 + rng.next(50)).min(len);
            let offset: usize = turn_words[..first]
                .iter()
                .map(|w| w.chars().count() + 1)
                .sum();
            passages.push(TurnDoc {
                turn_start_char: start + offset as u64,
                codes: vec![format!("c{}", rng.next(30))],
                raters: vec!["Maya".into()],
                text: turn_words[first..last].join(" "),
                coding_id: Some(format!("t{n}-{}-{k}", turns.len())),
                ..turn.clone()
            });
        }
        turns.push(turn);
        count += len;
        start += chars + 2;
    }
    (turns, passages)
}

fn stats(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let p99 = ms[((ms.len() as f64 * 0.99).ceil() as usize).min(ms.len()) - 1];
    (ms[ms.len() / 2], p99)
}

fn time(runs: usize, mut f: impl FnMut() -> usize) -> (f64, f64, usize) {
    let total = f();
    let ms = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let (median, p99) = stats(ms);
    (median, p99, total)
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    })
}

/// Generates the corpus and indexes it both ways under `root`, printing the indexing figures.
fn build(
    n: usize,
    words: &[String],
    root: &Path,
) -> (TranscriptIndex, TranscriptIndex, rusqlite::Connection) {
    let index_dir = root.join("index");
    let passage_dir = root.join("passages");
    std::fs::create_dir_all(&index_dir).expect("dir");
    std::fs::create_dir_all(&passage_dir).expect("dir");
    let mut index = TranscriptIndex::create_in_dir(&index_dir).expect("index");
    let mut passages = TranscriptIndex::create_in_dir(&passage_dir).expect("index");
    let db = rusqlite::Connection::open(root.join("fts.sqlite")).expect("sqlite");
    db.execute_batch(
        "CREATE VIRTUAL TABLE turns USING fts5(text, transcript UNINDEXED, role, site, tokenize = 'unicode61 remove_diacritics 2');
         CREATE VIRTUAL TABLE passages USING fts5(text, transcript UNINDEXED, code, tokenize = 'unicode61 remove_diacritics 2');",
    )
    .expect("fts5");
    let (mut bytes, mut tantivy_s, mut fts_s) = (0usize, 0.0, 0.0);
    let mut rng = Gen(0x9E37_79B9_7F4A_7C15);
    db.execute_batch("BEGIN").expect("begin");
    for t in 0..n {
        let (turns, coded) = transcript(t, words, &mut rng);
        bytes += turns.iter().map(|d| d.text.len()).sum::<usize>();
        let start = Instant::now();
        index.add_turns(&turns).expect("add");
        passages.add_turns(&coded).expect("add");
        tantivy_s += start.elapsed().as_secs_f64();
        let start = Instant::now();
        let mut insert = db
            .prepare_cached(
                "INSERT INTO turns (text, transcript, role, site) VALUES (?1, ?2, ?3, ?4)",
            )
            .expect("prepare");
        for d in &turns {
            insert
                .execute((&d.text, &d.transcript_id, d.role.as_str(), &d.attrs[0].1))
                .expect("insert");
        }
        let mut insert = db
            .prepare_cached("INSERT INTO passages (text, transcript, code) VALUES (?1, ?2, ?3)")
            .expect("prepare");
        for d in &coded {
            insert
                .execute((&d.text, &d.transcript_id, &d.codes[0]))
                .expect("insert");
        }
        fts_s += start.elapsed().as_secs_f64();
    }
    let start = Instant::now();
    for i in [&mut index, &mut passages] {
        i.commit().expect("commit");
        i.close_writer().expect("close");
    }
    tantivy_s += start.elapsed().as_secs_f64();
    let start = Instant::now();
    db.execute_batch("COMMIT").expect("commit");
    fts_s += start.elapsed().as_secs_f64();
    let mb = bytes as f64 / 1e6;
    println!(
        "\n{n} transcripts, {mb:.0} MB of turn text, {} turns, {} coded passages",
        index.num_turns(),
        passages.num_turns()
    );
    println!(
        "indexing: Accord {:.1} MB/s ({:.1} s, index {:.0} MB); FTS5 {:.1} MB/s ({:.1} s, database {:.0} MB)",
        mb / tantivy_s,
        tantivy_s,
        (dir_size(&index_dir) + dir_size(&passage_dir)) as f64 / 1e6,
        mb / fts_s,
        fts_s,
        std::fs::metadata(root.join("fts.sqlite")).map_or(0, |m| m.len()) as f64 / 1e6
    );
    (index, passages, db)
}

/// Which index a query runs on: the turns, or the coded passages (queries that name a code).
#[derive(Clone, Copy, PartialEq, Eq)]
enum On {
    Turns,
    Passages,
}

/// Times each query both ways on the corpus of `n` transcripts.
// The timing reads best as one script, queries and both engines side by side.
#[allow(clippy::too_many_lines)]
fn run(n: usize, words: &[String]) {
    // ACCORD_BENCH_KEEP=FOLDER keeps the built corpus there (and reuses it on the next run).
    let kept = std::env::var_os("ACCORD_BENCH_KEEP").map(|d| Path::new(&d).join(n.to_string()));
    let temp = tempfile::tempdir().expect("temp dir");
    let root = kept.unwrap_or_else(|| temp.path().to_path_buf());
    let index_dir = root.join("index");
    let passage_dir = root.join("passages");
    let db_path = root.join("fts.sqlite");
    let (index, passages, db) = if index_dir.join("meta.json").exists() && db_path.exists() {
        println!("\n{n} transcripts (kept in {})", root.display());
        (
            TranscriptIndex::open_in_dir(&index_dir).expect("index"),
            TranscriptIndex::open_in_dir(&passage_dir).expect("index"),
            rusqlite::Connection::open(&db_path).expect("sqlite"),
        )
    } else {
        build(n, words, &root)
    };
    println!(
        "segments: {} (turns), {} (passages)",
        index.num_segments(),
        passages.num_segments()
    );
    let queries = [
        ("word", "supervisor", "supervisor", On::Turns),
        (
            "phrase",
            "\"my supervisor\"",
            "\"my supervisor\"",
            On::Turns,
        ),
        (
            "3-word phrase",
            "\"i think my\"",
            "\"i think my\"",
            On::Turns,
        ),
        (
            "boolean + filters",
            "(burnout OR tired) NOT coach role:participant site:B",
            "((burnout OR tired) NOT coach) AND role:participant AND site:B",
            On::Turns,
        ),
        (
            "code filter",
            "code:c7 supervisor",
            "code:c7 AND supervisor",
            On::Passages,
        ),
    ];
    let resolver = |name: &str| Some(name.to_string());
    println!(
        "{:<20} {:>16} {:>16} {:>10} {:>16}",
        "query (50 hits + snippets)",
        "Accord med/p99",
        "FTS5 med/p99",
        "FTS5/Accord",
        "totals A / F"
    );
    for (label, ours, theirs, on) in queries {
        let opts = SearchOptions {
            limit: 50,
            codes: Some(&resolver),
            ..SearchOptions::default()
        };
        let (target, table) = match on {
            On::Turns => (&index, "turns"),
            On::Passages => (&passages, "passages"),
        };
        let (a_med, a_p99, a_total) = time(31, || {
            let r = target.search(ours, &opts).expect("search");
            std::hint::black_box(&r.hits);
            r.total
        });
        let mut count = db
            .prepare(&format!(
                "SELECT count(*) FROM {table} WHERE {table} MATCH ?1"
            ))
            .expect("count");
        let mut top = db
            .prepare(&format!("SELECT transcript, snippet({table}, 0, '[', ']', '…', 12) FROM {table} WHERE {table} MATCH ?1 ORDER BY rank LIMIT 50"))
            .expect("top");
        let (f_med, f_p99, f_total) = time(31, || {
            let total: i64 = count.query_row([theirs], |r| r.get(0)).expect("count");
            let rows: Vec<(String, String)> = top
                .query_map([theirs], |r| Ok((r.get(0)?, r.get(1)?)))
                .expect("query")
                .filter_map(Result::ok)
                .collect();
            std::hint::black_box(rows);
            total as usize
        });
        println!(
            "{label:<20} {:>7.2} / {:>6.2} {:>7.2} / {:>6.2} {:>10.1} {:>8} / {}",
            a_med,
            a_p99,
            f_med,
            f_p99,
            f_med / a_med,
            a_total,
            f_total
        );
    }
}

fn main() {
    let words = vocabulary();
    let sizes: Vec<usize> = std::env::var("ACCORD_BENCH_TRANSCRIPTS").ok().map_or_else(
        || vec![1_000, 10_000],
        |v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
    );
    for n in sizes {
        run(n, &words);
    }
}
