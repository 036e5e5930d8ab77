//! Project generators the benches share: the CAPP codebook, the samples' words, three raters,
//! random codings and interview-like text, all from a seeded generator (the same draws every run).

// Each bench uses what it needs of these.
#![allow(dead_code)]

use std::path::Path;

use accord::app::{
    CodebookCommand, CodingCommand, Command, Outcome, RaterCommand, TranscriptCommand, Workspace,
};
use accord::import::{ImportOptions, read_transcript, read_transcript_bytes, transcript_files};
use accord::model::{
    CodeId, CodingId, NewCoding, RaterId, RaterKind, SourceFormat, Span, TranscriptId,
};
use accord::store::Store;

pub struct Gen(pub u64);

impl Gen {
    pub fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

pub fn samples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/transcripts")
}

/// A new project with the CAPP codebook.
pub fn new_project(path: &Path, name: &str) -> Workspace {
    let mut ws = Workspace::new(Store::create(path, name).expect("create"));
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
    ws
}

/// Every sample transcript, read.
pub fn read_samples() -> Vec<accord::import::ImportedTranscript> {
    let (files, _) = transcript_files(&samples()).expect("samples");
    files
        .iter()
        .map(|f| read_transcript(f, &ImportOptions::default()).expect("sample"))
        .collect()
}

/// The samples' words (speaker labels left out), to generate text from.
pub fn sample_words(samples: &[accord::import::ImportedTranscript]) -> Vec<String> {
    samples
        .iter()
        .flat_map(|t| t.transcript.text.split_whitespace())
        .filter(|w| !w.ends_with(':'))
        .map(str::to_string)
        .collect()
}

/// Raters A, B and C, added.
pub fn add_raters(ws: &mut Workspace) -> Vec<RaterId> {
    ["Rater A", "Rater B", "Rater C"]
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
        .collect()
}

/// Every code of the project's codebook.
pub fn code_ids(ws: &Workspace) -> Vec<CodeId> {
    ws.store()
        .codebook()
        .expect("book")
        .codes
        .iter()
        .map(|c| c.code_id)
        .collect()
}

/// A coding of up to `longest` characters inside a random turn, by a random code and rater.
pub fn random_coding(
    rng: &mut Gen,
    turns: &[accord::model::Turn],
    transcript_id: TranscriptId,
    codes: &[CodeId],
    raters: &[RaterId],
    longest: usize,
) -> NewCoding {
    let turn = &turns[rng.next(turns.len())];
    let content = turn.content_span();
    let start = content.start + rng.next(content.len().saturating_sub(20).max(1));
    let end = (start + 30 + rng.next(longest))
        .min(content.end)
        .max(start + 1);
    NewCoding {
        coding_id: CodingId::new_random(),
        transcript_id,
        code_id: codes[rng.next(codes.len())],
        rater_id: raters[rng.next(raters.len())],
        span: Span::new(start, end),
        memo: None,
        created_at: None,
    }
}

/// `n` words of the samples' words, in turns: the interviewer's of 8 to 32 words, `who`'s of 40 to
/// 40 + `longest` words.
pub fn words_text(words: &[String], rng: &mut Gen, n: usize, who: &str, longest: usize) -> String {
    let (mut text, mut count, mut turn) = (String::new(), 0, 0);
    while count < n {
        let (speaker, len) = if turn % 2 == 0 {
            ("Interviewer", 8 + rng.next(25))
        } else {
            (who, 40 + rng.next(longest))
        };
        let line: Vec<&str> = (0..len)
            .map(|_| words[rng.next(words.len())].as_str())
            .collect();
        text.push_str(speaker);
        text.push_str(": ");
        text.push_str(&line.join(" "));
        text.push_str("\n\n");
        count += len;
        turn += 1;
    }
    text
}

/// A new project at `path` with the CAPP codebook, 3 raters and `transcripts` generated interviews
/// of about 1,500 words each (`L0000_interview`, ...), each with `codings_each` random codings of up
/// to 300 characters, drawn from `seed`. Returns the workspace, the transcripts and the codings.
pub fn generated_project(
    path: &Path,
    transcripts: usize,
    codings_each: usize,
    seed: u64,
) -> (Workspace, Vec<TranscriptId>, usize) {
    let mut ws = new_project(path, "Large");
    let words = sample_words(&read_samples());
    let raters = add_raters(&mut ws);
    let codes = code_ids(&ws);
    let mut rng = Gen(seed);
    let mut ids = Vec::new();
    let mut codings = Vec::new();
    for i in 0..transcripts {
        let who = format!("L{i:04}");
        let text = words_text(&words, &mut rng, 1_500, &who, 160);
        let mut t = read_transcript_bytes(
            Path::new(&format!("{who}_interview.txt")),
            text.as_bytes(),
            SourceFormat::Txt,
            &ImportOptions::default(),
        )
        .expect("generated");
        t.case_name = who;
        let turns = t.transcript.turns.clone();
        let id = t.transcript.transcript_id;
        ws.apply(
            "Import a transcript",
            Command::Transcripts(TranscriptCommand::Import(Box::new(t))),
        )
        .expect("insert");
        ids.push(id);
        for _ in 0..codings_each {
            codings.push(random_coding(&mut rng, &turns, id, &codes, &raters, 300));
        }
    }
    for chunk in codings.chunks(20_000) {
        ws.apply(
            "Code passages",
            Command::Codings(CodingCommand::Add {
                codings: chunk.to_vec(),
                action: "bench".into(),
            }),
        )
        .expect("codings");
    }
    (ws, ids, codings.len())
}
