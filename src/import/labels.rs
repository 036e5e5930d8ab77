//! Speaker labels in plain text: `Interviewer:`, `P07:`, `[Name]`, `Name (00:01:02):`,
//! `[00:01:02] Name:` and a custom pattern. Splits a text into turns and gives each speaker a role.
//!
//! A candidate label counts as a speaker only when it is a known role word (Interviewer, P07,
//! Participant, Speaker 2, ...), was named by the user, or labels at least two lines: so a sentence
//! such as "Honestly: it was hard" does not start a turn.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::model::Role;

/// Options for finding speakers and their roles.
#[derive(Debug, Clone, Default)]
pub struct LabelOptions {
    /// A custom label pattern with a named group `speaker` and optionally `time`, matched at the
    /// start of a line; the turn's words start where the match ends.
    pub pattern: Option<Regex>,
    /// Speakers to treat as interviewers (case-insensitive).
    pub interviewers: Vec<String>,
    /// Speakers to treat as participants (case-insensitive).
    pub participants: Vec<String>,
    /// The case name; a speaker with this name is the participant.
    pub case_name: Option<String>,
}

/// A turn found in text, in char offsets of that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnDraft {
    /// Start of the turn (its label).
    pub start: usize,
    /// Where its words start.
    pub content_start: usize,
    /// End of its words (trailing blank lines excluded).
    pub end: usize,
    /// The speaker label ("" when none).
    pub speaker: String,
    /// Start time in ms, when the label carried one.
    pub start_ms: Option<u64>,
    /// End time in ms (subtitle formats).
    pub end_ms: Option<u64>,
}

static TIME_BRACKET_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\[(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)\]\s*(?P<speaker>[\p{Lu}\d][^:\[\]\n]{0,39}?)\s*:[ \t]*").ok()
});
static NAME_TIME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?P<speaker>[\p{Lu}\d][^:\[\]()\n]{0,39}?)\s*[(\[](?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)[)\]]\s*:?[ \t]*").ok()
});
static NAME_COLON: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?P<speaker>[\p{Lu}\d][^:\[\]()\n]{0,39}?)\s*:(?:[ \t]+|$)").ok()
});
static BRACKET_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\[(?P<speaker>\p{Lu}[^\]\n:]{0,39})\]:?[ \t]*").ok());
static INTERVIEWER_WORD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)^(interviewer|int|moderator|facilitator|researcher|i|q)(\s*\d+)?$").ok()
});
static PARTICIPANT_WORD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)^(participant|respondent|interviewee|r|a|p\s*-?\d+)(\s*\d+)?$").ok()
});
static SPEAKER_N: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)^speaker\s*\d+$").ok());

/// Non-speech annotations that look like bracket labels.
const ANNOTATIONS: &[&str] = &[
    "laughs",
    "laughter",
    "crosstalk",
    "inaudible",
    "pause",
    "silence",
    "music",
    "unintelligible",
    "overlapping",
    "coughs",
    "sighs",
    "noise",
];

struct Candidate {
    line_start: usize,
    content_start: usize,
    speaker: String,
    start_ms: Option<u64>,
    /// Matched the user's own pattern: always a speaker.
    custom: bool,
}

/// Splits `text` into turns at speaker labels. Without any label, each paragraph is one turn.
#[must_use]
pub fn split_turns(text: &str, opts: &LabelOptions) -> Vec<TurnDraft> {
    let lines = line_starts(text);
    let candidates: Vec<Candidate> = lines
        .iter()
        .filter_map(|&(c, b)| match_label(&text[b..], c, opts))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &candidates {
        *counts.entry(c.speaker.as_str()).or_default() += 1;
    }
    let accepted: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| {
            c.custom
                || counts.get(c.speaker.as_str()).copied().unwrap_or(0) >= 2
                || is_known_speaker(&c.speaker, opts)
        })
        .collect();
    let chars: Vec<char> = text.chars().collect();
    if accepted.is_empty() {
        return paragraphs(&chars);
    }
    let mut turns = Vec::with_capacity(accepted.len() + 1);
    let first = accepted[0].line_start;
    if chars[..first].iter().any(|c| !c.is_whitespace()) {
        let start = chars[..first]
            .iter()
            .position(|c| !c.is_whitespace())
            .unwrap_or(0);
        turns.push(draft(&chars, start, start, first, String::new(), None));
    }
    for (i, c) in accepted.iter().enumerate() {
        let next = accepted.get(i + 1).map_or(chars.len(), |n| n.line_start);
        let content = skip_space(&chars, c.content_start, next);
        turns.push(draft(
            &chars,
            c.line_start,
            content,
            next,
            c.speaker.clone(),
            c.start_ms,
        ));
    }
    turns
}

fn draft(
    chars: &[char],
    start: usize,
    content: usize,
    limit: usize,
    speaker: String,
    start_ms: Option<u64>,
) -> TurnDraft {
    let mut end = limit;
    while end > content && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    TurnDraft {
        start,
        content_start: content.min(end),
        end,
        speaker,
        start_ms,
        end_ms: None,
    }
}

fn skip_space(chars: &[char], mut at: usize, limit: usize) -> usize {
    while at < limit && chars[at].is_whitespace() {
        at += 1;
    }
    at
}

/// Each block of non-blank lines becomes a turn without a speaker.
fn paragraphs(chars: &[char]) -> Vec<TurnDraft> {
    let mut turns = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        i = skip_space(chars, i, chars.len());
        if i >= chars.len() {
            break;
        }
        let start = i;
        let mut end = i;
        while end < chars.len()
            && !(chars[end] == '\n' && chars.get(end + 1).is_some_and(|c| *c == '\n' || *c == '\r'))
        {
            end += 1;
        }
        turns.push(draft(chars, start, start, end, String::new(), None));
        i = end;
    }
    turns
}

/// (char offset, byte offset) of every line start.
fn line_starts(text: &str) -> Vec<(usize, usize)> {
    let mut out = vec![(0, 0)];
    let mut chars = 0;
    for (b, ch) in text.char_indices() {
        chars += 1;
        if ch == '\n' && b + 1 < text.len() {
            out.push((chars, b + 1));
        }
    }
    out
}

fn match_label(line: &str, line_start: usize, opts: &LabelOptions) -> Option<Candidate> {
    let line = line.split('\n').next().unwrap_or("");
    let built_in = [
        &*TIME_BRACKET_NAME,
        &*NAME_TIME,
        &*NAME_COLON,
        &*BRACKET_NAME,
    ];
    let patterns = opts
        .pattern
        .iter()
        .map(|re| (re, true))
        .chain(built_in.into_iter().flatten().map(|re| (re, false)));
    for (re, custom) in patterns {
        let Some(caps) = re.captures(line) else {
            continue;
        };
        let Some(speaker) = caps.name("speaker").map(|m| m.as_str().trim().to_string()) else {
            continue;
        };
        if !custom && !plausible_speaker(&speaker) {
            continue;
        }
        let matched = caps.get(0).map_or(0, |m| m.as_str().chars().count());
        let start_ms = caps.name("time").and_then(|t| parse_clock(t.as_str()));
        return Some(Candidate {
            line_start,
            content_start: line_start + matched,
            speaker,
            start_ms,
            custom,
        });
    }
    None
}

fn plausible_speaker(speaker: &str) -> bool {
    let words = speaker.split_whitespace().count();
    (1..=4).contains(&words)
        && !ANNOTATIONS.contains(&speaker.to_lowercase().as_str())
        && !speaker.ends_with(['.', ',', '?', '!'])
}

fn is_known_speaker(speaker: &str, opts: &LabelOptions) -> bool {
    let listed = |names: &[String]| names.iter().any(|n| n.eq_ignore_ascii_case(speaker));
    listed(&opts.interviewers)
        || listed(&opts.participants)
        || opts
            .case_name
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(speaker))
        || [&*INTERVIEWER_WORD, &*PARTICIPANT_WORD, &*SPEAKER_N]
            .into_iter()
            .flatten()
            .any(|re| re.is_match(speaker))
}

/// Parses `H:MM:SS`, `MM:SS`, optionally with `.mmm` or `,mmm`, into milliseconds.
#[must_use]
pub fn parse_clock(text: &str) -> Option<u64> {
    let (clock, frac) = match text.find(['.', ',']) {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    let parts: Vec<u64> = clock
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let secs = match parts.as_slice() {
        [m, s] if *s < 60 => m * 60 + s,
        [h, m, s] if *m < 60 && *s < 60 => h * 3600 + m * 60 + s,
        _ => return None,
    };
    let millis = if frac.is_empty() {
        0
    } else {
        let digits: String = frac.chars().take(3).collect();
        let scale = 10u64.pow(3 - digits.len() as u32);
        digits.parse::<u64>().ok()? * scale
    };
    Some(secs * 1000 + millis)
}

/// Gives each speaker a role: the user's lists first, then role words and the case name; when an
/// interview has exactly two speakers and one role is known, the other speaker takes the other role.
#[must_use]
pub fn assign_roles(speakers: &BTreeSet<String>, opts: &LabelOptions) -> BTreeMap<String, Role> {
    let known = |s: &str| -> Option<Role> {
        let listed = |names: &[String]| names.iter().any(|n| n.eq_ignore_ascii_case(s));
        if listed(&opts.interviewers) {
            Some(Role::Interviewer)
        } else if listed(&opts.participants)
            || opts
                .case_name
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(s))
        {
            Some(Role::Participant)
        } else if INTERVIEWER_WORD.as_ref().is_some_and(|re| re.is_match(s)) {
            Some(Role::Interviewer)
        } else if PARTICIPANT_WORD.as_ref().is_some_and(|re| re.is_match(s)) {
            Some(Role::Participant)
        } else {
            None
        }
    };
    let named: Vec<&String> = speakers.iter().filter(|s| !s.is_empty()).collect();
    let mut roles: BTreeMap<String, Role> = speakers
        .iter()
        .map(|s| (s.clone(), known(s).unwrap_or(Role::Other)))
        .collect();
    if let [a, b] = named.as_slice() {
        match (known(a), known(b)) {
            (Some(r), None) => {
                roles.insert((*b).clone(), opposite(r));
            }
            (None, Some(r)) => {
                roles.insert((*a).clone(), opposite(r));
            }
            _ => {}
        }
    }
    roles
}

fn opposite(role: Role) -> Role {
    match role {
        Role::Interviewer => Role::Participant,
        Role::Participant => Role::Interviewer,
        Role::Other => Role::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speakers(text: &str) -> Vec<String> {
        split_turns(text, &LabelOptions::default())
            .into_iter()
            .map(|t| t.speaker)
            .collect()
    }

    #[test]
    fn finds_the_common_label_forms() {
        assert_eq!(
            speakers("Interviewer: Hello.\n\nP07: Hi there.\n"),
            ["Interviewer", "P07"]
        );
        assert_eq!(
            speakers("[Interviewer]\nHello.\n[P07]\nHi.\n"),
            ["Interviewer", "P07"]
        );
        assert_eq!(
            speakers(
                "Dana Whitfield (00:01:02): Hello.\nRosa (00:01:09): Hi.\nDana Whitfield (00:02:00): So.\nRosa (00:02:05): Yes.\n"
            ),
            ["Dana Whitfield", "Rosa", "Dana Whitfield", "Rosa"]
        );
        assert_eq!(
            speakers("[00:00:05] Interviewer: Hello.\n[00:00:09] P1: Hi.\n"),
            ["Interviewer", "P1"]
        );
    }

    #[test]
    fn a_sentence_with_a_colon_is_not_a_speaker() {
        let text =
            "Interviewer: Tell me.\n\nP07: Well.\nHonestly: it was hard.\n\nInterviewer: Go on.\n";
        assert_eq!(speakers(text), ["Interviewer", "P07", "Interviewer"]);
        assert_eq!(
            speakers("Interviewer: So.\n\nP07: [laughs] yes.\n[laughs]\n"),
            ["Interviewer", "P07"]
        );
    }

    #[test]
    fn spans_cover_label_and_words_without_trailing_blank_lines() {
        let text = "Interviewer (00:00:03): Hello there.\n\nP07: Hi.\n";
        let turns = split_turns(text, &LabelOptions::default());
        let chars: Vec<char> = text.chars().collect();
        let words = |t: &TurnDraft| chars[t.content_start..t.end].iter().collect::<String>();
        assert_eq!(words(&turns[0]), "Hello there.");
        assert_eq!(turns[0].start_ms, Some(3000));
        assert_eq!(words(&turns[1]), "Hi.");
        assert_eq!(turns[1].end, text.chars().count() - 1);
    }

    #[test]
    fn preamble_and_unlabelled_text() {
        let turns = split_turns(
            "Transcript of interview 3\n\nInterviewer: Hi.\n\nP03: Hello.\n",
            &LabelOptions::default(),
        );
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].speaker, "");
        let paras = split_turns(
            "First paragraph.\nStill first.\n\nSecond.\n",
            &LabelOptions::default(),
        );
        assert_eq!(paras.len(), 2);
    }

    #[test]
    fn custom_pattern_wins() {
        let opts = LabelOptions {
            pattern: Regex::new(r"^>> (?P<speaker>\w+) says ").ok(),
            ..LabelOptions::default()
        };
        let turns = split_turns(">> Ann says hello\n>> Bob says hi\n", &opts);
        assert_eq!(
            turns.iter().map(|t| t.speaker.as_str()).collect::<Vec<_>>(),
            ["Ann", "Bob"]
        );
    }

    #[test]
    fn roles_from_words_case_and_pairing() {
        let set = |names: &[&str]| {
            names
                .iter()
                .map(|s| (*s).to_string())
                .collect::<BTreeSet<_>>()
        };
        let opts = LabelOptions {
            case_name: Some("P02".into()),
            ..LabelOptions::default()
        };
        let roles = assign_roles(&set(&["Dana Whitfield", "P02"]), &opts);
        assert_eq!(roles["P02"], Role::Participant);
        assert_eq!(roles["Dana Whitfield"], Role::Interviewer);
        let roles = assign_roles(
            &set(&["Interviewer", "Rosa", "Note taker"]),
            &LabelOptions::default(),
        );
        assert_eq!(roles["Interviewer"], Role::Interviewer);
        assert_eq!(roles["Rosa"], Role::Other);
        assert_eq!(parse_clock("1:02:03.5"), Some(3_723_500));
        assert_eq!(parse_clock("00:01,250"), Some(1250));
        assert_eq!(parse_clock("99:99"), None);
    }
}
