//! Arbitrary bytes through every reader Accord has: the transcript importers, DOCX, REFI-QDA
//! projects and codebooks, the CSV and TOML tables, and the query language (parsed, compiled and
//! run on a small index). The fuzz targets (`fuzz/`) call these, and so do the tests that replay
//! every input that ever crashed one (`tests/integration/fuzzed.rs`), so both exercise exactly the
//! same code. A reader may refuse the bytes with an error; it must never panic, hang or write.

use std::path::Path;
use std::sync::OnceLock;

use crate::import::{ImportOptions, read_transcript_bytes};
use crate::model::{Role, SourceFormat};
use crate::search::{SearchOptions, TranscriptIndex, TurnDoc};

/// What a fuzz target feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Plain text, WebVTT or SRT (the first byte chooses).
    Transcript,
    /// A DOCX file.
    Docx,
    /// A REFI-QDA project or codebook (zipped or bare XML).
    Qdpx,
    /// A codings CSV, an attributes CSV, a codebook TOML or a pseudonym list (the first byte chooses).
    Tables,
    /// A search query.
    Query,
}

impl Target {
    /// Every target, with its folder name under `fuzz/regressions/`.
    pub const ALL: [(Target, &'static str); 5] = [
        (Target::Transcript, "transcript"),
        (Target::Docx, "docx"),
        (Target::Qdpx, "qdpx"),
        (Target::Tables, "tables"),
        (Target::Query, "query"),
    ];
}

/// Feeds `bytes` to the readers of a target; returns whether they were accepted.
#[must_use]
pub fn probe(target: Target, bytes: &[u8]) -> bool {
    let (first, rest) = bytes.split_first().map_or((0, bytes), |(f, r)| (*f, r));
    match target {
        Target::Transcript => {
            let format =
                [SourceFormat::Txt, SourceFormat::Vtt, SourceFormat::Srt][usize::from(first % 3)];
            read_transcript_bytes(
                Path::new("fuzz.txt"),
                rest,
                format,
                &ImportOptions::default(),
            )
            .is_ok()
        }
        Target::Docx => read_transcript_bytes(
            Path::new("fuzz.docx"),
            bytes,
            SourceFormat::Docx,
            &ImportOptions::default(),
        )
        .is_ok(),
        Target::Qdpx => {
            let project =
                crate::import::refi::qdpx::read_qdpx(Path::new("fuzz.qdpx"), bytes).is_ok();
            let codebook = crate::import::refi::qdc::read_qdc(Path::new("fuzz.qdc"), bytes).is_ok();
            project || codebook
        }
        Target::Tables => match first % 4 {
            0 => crate::import::codings_csv::parse_codings(Path::new("fuzz.csv"), rest).is_ok(),
            1 => crate::import::attributes::parse_attributes(
                Path::new("fuzz.csv"),
                rest,
                "record_id",
            )
            .is_ok(),
            2 => std::str::from_utf8(rest)
                .is_ok_and(|t| crate::import::codebook_toml::parse(t).is_ok()),
            _ => crate::import::pseudonyms::Pseudonyms::parse_csv(Path::new("fuzz.csv"), rest)
                .is_ok(),
        },
        Target::Query => std::str::from_utf8(bytes).is_ok_and(query),
    }
}

/// Parses, compiles and runs a query on a small index of three turns.
fn query(text: &str) -> bool {
    static INDEX: OnceLock<Option<TranscriptIndex>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = TranscriptIndex::create_in_ram().ok()?;
        let turn = |i: u64, speaker: &str, role, text: &str| TurnDoc {
            transcript_id: "T".into(),
            turn_index: i,
            turn_start_char: i * 100,
            speaker: speaker.into(),
            role,
            case: Some("P01".into()),
            attrs: vec![("site".into(), "B".into())],
            codes: vec!["c1".into()],
            raters: vec!["Ana".into()],
            start_ms: Some(i * 1000),
            text: text.into(),
            coding_id: None,
        };
        index
            .add_turns(&[
                turn(
                    0,
                    "Interviewer",
                    Role::Interviewer,
                    "Tell me about your role?",
                ),
                turn(
                    1,
                    "P01",
                    Role::Participant,
                    "My supervisor, Naïve café; burned out — the role.",
                ),
                turn(
                    2,
                    "P01",
                    Role::Participant,
                    "Nai\u{308}ve e-mail 1,000 times, my supervisor!",
                ),
            ])
            .ok()?;
        index.commit().ok()?;
        Some(index)
    });
    let resolver = |name: &str| (name == "c1").then(|| "c1".to_string());
    let opts = SearchOptions {
        codes: Some(&resolver),
        ..SearchOptions::default()
    };
    index
        .as_ref()
        .is_some_and(|index| index.search(text, &opts).is_ok())
}
