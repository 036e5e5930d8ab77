//! Transcripts and their turns. A transcript's text is normalised once at import and then frozen;
//! turns are spans of that text with a speaker, a role and optional time stamps.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{CaseId, Span, TranscriptId, TurnId};

/// The role a speaker plays in an interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The person asking the questions.
    Interviewer,
    /// The person interviewed (the case).
    Participant,
    /// Anyone else, or unknown.
    Other,
}

impl Role {
    /// The lowercase name stored in the project file.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Interviewer => "interviewer",
            Self::Participant => "participant",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "interviewer" => Ok(Self::Interviewer),
            "participant" => Ok(Self::Participant),
            "other" => Ok(Self::Other),
            _ => Err(format!(
                "unknown role {s:?} (expected interviewer, participant or other)"
            )),
        }
    }
}

/// The file format a transcript came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// Plain text with speaker labels.
    Txt,
    /// WebVTT, as Zoom writes it.
    Vtt,
    /// `SubRip` subtitles.
    Srt,
    /// A Word document.
    Docx,
    /// Imported from a REFI-QDA project.
    Qdpx,
}

impl SourceFormat {
    /// The lowercase name stored in the project file.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Txt => "txt",
            Self::Vtt => "vtt",
            Self::Srt => "srt",
            Self::Docx => "docx",
            Self::Qdpx => "qdpx",
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "txt" | "text" => Ok(Self::Txt),
            "vtt" | "webvtt" => Ok(Self::Vtt),
            "srt" => Ok(Self::Srt),
            "docx" => Ok(Self::Docx),
            "qdpx" => Ok(Self::Qdpx),
            _ => Err(format!(
                "unknown format {s:?} (expected txt, vtt, srt or docx)"
            )),
        }
    }
}

/// One speaker turn of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// Stable id.
    pub turn_id: TurnId,
    /// Position in the transcript, from 0.
    pub index: usize,
    /// The whole turn, label included, in chars of the transcript text.
    pub span: Span,
    /// Where the spoken words start (after the speaker label); `span.start` when there is no label.
    pub content_start: usize,
    /// The speaker's label as written (empty when the source has none).
    pub speaker: String,
    /// Interviewer, participant or other.
    pub role: Role,
    /// Start time in milliseconds from the start of the recording, when the source gives one.
    pub start_ms: Option<u64>,
    /// End time in milliseconds, when the source gives one.
    pub end_ms: Option<u64>,
}

impl Turn {
    /// The span of the spoken words only (without the speaker label).
    #[must_use]
    pub fn content_span(&self) -> Span {
        Span::new(self.content_start.min(self.span.end), self.span.end)
    }
}

/// A transcript: frozen text and its turns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// Stable id.
    pub transcript_id: TranscriptId,
    /// Name shown to people (by default the file name without extension); unique in a project.
    pub name: String,
    /// The case (participant) this interview belongs to.
    pub case_id: Option<CaseId>,
    /// The file it was imported from (file name only).
    pub source_file: String,
    /// The format it was imported from.
    pub format: SourceFormat,
    /// The frozen, normalised text.
    pub text: String,
    /// SHA-256 of `text`, lowercase hex.
    pub sha256: String,
    /// Length of `text` in chars.
    pub len_chars: usize,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// Its turns, in order.
    pub turns: Vec<Turn>,
}

/// Reads a time stamp as people write it: `HH:MM:SS`, `MM:SS` or `SS`, with optional fractions of
/// a second (`00:12:31.500`); returns milliseconds.
///
/// # Errors
/// Anything else, in words.
pub fn parse_time_ms(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let bad = || format!("{text:?} is not a time stamp (HH:MM:SS, MM:SS or SS, e.g. 00:12:31)");
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let parts: Vec<&str> = whole.split(':').collect();
    let digits = |s: &str| !s.is_empty() && s.len() <= 9 && s.chars().all(|c| c.is_ascii_digit());
    if parts.len() > 3 || !parts.iter().all(|p| digits(p)) || !(frac.is_empty() || digits(frac)) {
        return Err(bad());
    }
    let mut ms: u64 = 0;
    for (i, part) in parts.iter().enumerate() {
        let n: u64 = part.parse().map_err(|_| bad())?;
        // Minutes and seconds after the first part are below 60.
        if i > 0 && n >= 60 {
            return Err(bad());
        }
        ms = ms * 60 + n;
    }
    ms *= 1000;
    if !frac.is_empty() {
        let three: String = frac.chars().chain("000".chars()).take(3).collect();
        ms += three.parse::<u64>().map_err(|_| bad())?;
    }
    Ok(ms)
}

/// Formats milliseconds as `HH:MM:SS`.
#[must_use]
pub fn format_time_ms(ms: u64) -> String {
    let secs = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_stamps_read_as_people_write_them() {
        assert_eq!(parse_time_ms("00:12:31"), Ok(751_000));
        assert_eq!(parse_time_ms("12:31.5"), Ok(751_500));
        assert_eq!(parse_time_ms("75"), Ok(75_000));
        assert_eq!(parse_time_ms("1:02:03.004"), Ok(3_723_004));
        assert_eq!(format_time_ms(751_000), "00:12:31");
        for bad in ["", "1:60", "a:00", "1:2:3:4", "00:12:", "-5"] {
            assert!(parse_time_ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_and_formats_round_trip_through_text() {
        for role in [Role::Interviewer, Role::Participant, Role::Other] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!("WebVTT".parse::<SourceFormat>(), Ok(SourceFormat::Vtt));
        assert!("pdf".parse::<SourceFormat>().is_err());
        assert_eq!(format_time_ms(3_723_000), "01:02:03");
    }
}

/// A transcript without its text: what lists show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TranscriptSummary {
    /// Stable id.
    pub transcript_id: TranscriptId,
    /// Name.
    pub name: String,
    /// Case id, if any.
    pub case_id: Option<CaseId>,
    /// Case name, if any.
    pub case_name: Option<String>,
    /// Format imported from.
    pub format: SourceFormat,
    /// Source file name.
    pub source_file: String,
    /// SHA-256 of the text.
    pub sha256: String,
    /// Length in chars.
    pub len_chars: usize,
    /// Number of turns.
    pub turn_count: usize,
    /// When imported.
    pub imported_at: String,
}
