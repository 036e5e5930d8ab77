//! Zoom WebVTT and `SubRip` (SRT) transcripts. Cues carry times and, in Zoom's files, a `Name: ` prefix
//! (WebVTT voice tags `<v Name>` work too). Consecutive cues of one speaker merge into one turn whose
//! times run from the first cue's start to the last cue's end; the turn's text is the cues' text joined
//! by single spaces, rendered as `Name: words` with a blank line between turns.

use std::sync::LazyLock;

use regex::Regex;

use super::labels::{LabelOptions, TurnDraft, parse_clock};

/// One cue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// Start in ms.
    pub start_ms: u64,
    /// End in ms.
    pub end_ms: u64,
    /// Speaker, if the cue names one.
    pub speaker: Option<String>,
    /// The words.
    pub text: String,
}

static TIMING: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\s*(?P<a>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<b>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})").ok()
});
static VOICE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>").ok());
static TAG: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>").ok());
static PREFIX: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(?P<name>[\p{Lu}\d][^:\n]{0,59}?):\s+").ok());

/// Parses a WebVTT file into cues. Errors carry a line number.
pub fn parse_vtt(text: &str) -> Result<Vec<Cue>, String> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if !first.trim_start_matches('\u{feff}').starts_with("WEBVTT") {
        return Err("not a WebVTT file: the first line must be WEBVTT".into());
    }
    parse_blocks(text, true)
}

/// Parses an SRT file into cues. Errors carry a line number.
pub fn parse_srt(text: &str) -> Result<Vec<Cue>, String> {
    let cues = parse_blocks(text, false)?;
    if cues.is_empty() {
        return Err("no subtitle cues found (expected numbered blocks with 00:00:01,000 --> 00:00:02,000 times)".into());
    }
    Ok(cues)
}

fn parse_blocks(text: &str, vtt: bool) -> Result<Vec<Cue>, String> {
    let timing = TIMING.as_ref().ok_or("internal: timing pattern")?;
    let mut cues = Vec::new();
    let mut block: Vec<(usize, &str)> = Vec::new();
    let lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .chain(std::iter::once((0, "")));
    for (number, line) in lines {
        if !line.trim().is_empty() {
            block.push((number, line));
            continue;
        }
        if block.is_empty() {
            continue;
        }
        let head = block[0].1.trim();
        let skip = vtt
            && (head.starts_with("WEBVTT")
                || head.starts_with("NOTE")
                || head == "STYLE"
                || head == "REGION");
        if !skip {
            let Some(t) = block.iter().position(|(_, l)| l.contains("-->")) else {
                return Err(format!(
                    "line {}: a block without a cue timing line (00:00:01.000 --> 00:00:02.000)",
                    block[0].0
                ));
            };
            let (line_no, timing_line) = block[t];
            let caps = timing
                .captures(timing_line)
                .ok_or_else(|| format!("line {line_no}: malformed cue timing {timing_line:?}"))?;
            let start_ms =
                parse_clock(&caps["a"]).ok_or_else(|| format!("line {line_no}: bad start time"))?;
            let end_ms =
                parse_clock(&caps["b"]).ok_or_else(|| format!("line {line_no}: bad end time"))?;
            if end_ms < start_ms {
                return Err(format!("line {line_no}: cue ends before it starts"));
            }
            let payload: Vec<&str> = block[t + 1..].iter().map(|(_, l)| l.trim()).collect();
            if let Some(cue) = make_cue(start_ms, end_ms, &payload.join(" ")) {
                cues.push(cue);
            }
        }
        block.clear();
    }
    Ok(cues)
}

fn make_cue(start_ms: u64, end_ms: u64, payload: &str) -> Option<Cue> {
    let mut speaker = VOICE
        .as_ref()
        .and_then(|re| re.captures(payload))
        .map(|c| c["name"].trim().to_string());
    let plain = TAG.as_ref().map_or_else(
        || payload.to_string(),
        |re| re.replace_all(payload, "").into_owned(),
    );
    let mut words = unescape(&plain)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if speaker.is_none()
        && let Some(caps) = PREFIX.as_ref().and_then(|re| re.captures(&words))
    {
        let name = caps["name"].trim().to_string();
        if name.split_whitespace().count() <= 5 {
            let rest = words[caps[0].len()..].to_string();
            speaker = Some(name);
            words = rest;
        }
    }
    (!words.is_empty()).then_some(Cue {
        start_ms,
        end_ms,
        speaker,
        text: words,
    })
}

fn unescape(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Merges cues into turns and renders the transcript text. Cues without a speaker continue the
/// previous speaker's turn; before any speaker, each such cue is a turn of its own.
#[must_use]
pub fn render(cues: &[Cue], _opts: &LabelOptions) -> (String, Vec<TurnDraft>) {
    let mut merged: Vec<(Option<String>, String, u64, u64)> = Vec::new();
    for cue in cues {
        match (merged.last_mut(), &cue.speaker) {
            (Some(last), Some(name)) if last.0.as_ref() == Some(name) => append(last, cue),
            (Some(last), None) if last.0.is_some() => append(last, cue),
            _ => merged.push((
                cue.speaker.clone(),
                cue.text.clone(),
                cue.start_ms,
                cue.end_ms,
            )),
        }
    }
    let mut text = String::new();
    let mut len = 0usize;
    let mut turns = Vec::with_capacity(merged.len());
    for (speaker, words, start_ms, end_ms) in merged {
        if !text.is_empty() {
            text.push_str("\n\n");
            len += 2;
        }
        let start = len;
        let label = speaker
            .as_deref()
            .map(|s| format!("{s}: "))
            .unwrap_or_default();
        text.push_str(&label);
        len += label.chars().count();
        let content_start = len;
        text.push_str(&words);
        len += words.chars().count();
        turns.push(TurnDraft {
            start,
            content_start,
            end: len,
            speaker: speaker.unwrap_or_default(),
            start_ms: Some(start_ms),
            end_ms: Some(end_ms),
        });
    }
    text.push('\n');
    (text, turns)
}

fn append(last: &mut (Option<String>, String, u64, u64), cue: &Cue) {
    last.1.push(' ');
    last.1.push_str(&cue.text);
    last.3 = last.3.max(cue.end_ms);
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZOOM: &str = "WEBVTT\n\n1\n00:00:01.120 --> 00:00:04.000\nDana Whitfield: Okay, I think\n\n2\n00:00:04.000 --> 00:00:06.500\nDana Whitfield: we're recording.\n\n3\n00:00:07.000 --> 00:00:09.000\nP02: Yeah, café &amp; all.\n";

    #[test]
    fn zoom_cues_merge_into_turns_with_times() {
        let cues = parse_vtt(ZOOM).unwrap();
        assert_eq!(cues.len(), 3);
        let (text, turns) = render(&cues, &LabelOptions::default());
        assert_eq!(
            text,
            "Dana Whitfield: Okay, I think we're recording.\n\nP02: Yeah, café & all.\n"
        );
        assert_eq!(turns.len(), 2);
        assert_eq!(
            (turns[0].start_ms, turns[0].end_ms),
            (Some(1120), Some(6500))
        );
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(
            chars[turns[1].content_start..turns[1].end]
                .iter()
                .collect::<String>(),
            "Yeah, café & all."
        );
    }

    #[test]
    fn voice_tags_and_notes() {
        let vtt =
            "WEBVTT\n\nNOTE a comment\n\n00:01.000 --> 00:02.000\n<v Ann>Hello <i>there</i></v>\n";
        let cues = parse_vtt(vtt).unwrap();
        assert_eq!(cues[0].speaker.as_deref(), Some("Ann"));
        assert_eq!(cues[0].text, "Hello there");
    }

    #[test]
    fn srt_blocks_and_errors() {
        let srt = "1\n00:00:01,000 --> 00:00:02,500\nInterviewer: Hi.\n\n2\n00:00:03,000 --> 00:00:04,000\nP1: Hello\nthere.\n";
        let cues = parse_srt(srt).unwrap();
        assert_eq!(cues[1].text, "Hello there.");
        assert!(
            parse_srt("1\n00:00:01 -> 2\nx\n")
                .unwrap_err()
                .contains("line 1")
        );
        assert!(parse_vtt("hello\n").unwrap_err().contains("WEBVTT"));
        assert!(
            parse_vtt("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nx\n")
                .unwrap_err()
                .contains("line 3")
        );
    }
}
