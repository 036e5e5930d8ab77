//! From a project to what the agreement engine needs: for the chosen raters, codes and transcripts,
//! each rater's spans per code and transcript, with the transcripts' turns. Only transcripts that
//! every compared rater has coded count (a rater who has not started a transcript is missing there,
//! not disagreeing), and the transcripts left out are reported with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{AppError, Result};
use crate::agreement::project::Excluded;
use crate::model::{
    CodeId, Codebook, Coding, CodingFilter, RaterId, RaterKind, Span, Transcript, TranscriptId,
};
use crate::store::Store;

/// What to compare.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Raters to compare (at least two); all human raters when empty.
    pub raters: Vec<RaterId>,
    /// Codes to report; every code anyone used in the transcripts when empty.
    pub codes: Vec<CodeId>,
    /// Transcripts to consider; all when empty.
    pub transcripts: Vec<TranscriptId>,
}

/// One transcript with everyone's codings, ready for unitizing.
#[derive(Debug, Clone)]
pub struct TranscriptInput {
    /// The transcript (text and turns).
    pub transcript: Transcript,
    /// For each code, each rater's spans (index into `AgreementInput::raters`), sorted.
    pub spans: BTreeMap<CodeId, Vec<Vec<Span>>>,
}

/// Everything needed to compute agreement for a selection.
#[derive(Debug, Clone)]
pub struct AgreementInput {
    /// Compared raters (ids and names, in the order used everywhere).
    pub raters: Vec<(RaterId, String)>,
    /// Codes compared, in codebook tree order, with their paths.
    pub codes: Vec<(CodeId, String)>,
    /// Transcripts every compared rater has coded.
    pub transcripts: Vec<TranscriptInput>,
    /// Transcripts left out.
    pub excluded: Vec<Excluded>,
    /// The codebook.
    pub codebook: Codebook,
}

/// Gathers the input for a selection.
pub fn gather(store: &Store, selection: &Selection) -> Result<AgreementInput> {
    let raters = compared_raters(store, selection)?;
    let filter = CodingFilter {
        transcripts: selection.transcripts.clone(),
        raters: raters.iter().map(|r| r.0).collect(),
        ..CodingFilter::default()
    };
    let (mut by_transcript, coded) = group(&store.codings(&filter)?, &raters);
    let codebook = store.codebook()?;
    let candidates: Vec<TranscriptId> = if selection.transcripts.is_empty() {
        store
            .transcripts()?
            .into_iter()
            .map(|t| t.transcript_id)
            .collect()
    } else {
        selection.transcripts.clone()
    };
    let (mut transcripts, mut excluded) = (Vec::new(), Vec::new());
    for id in candidates {
        let by = coded.get(&id).cloned().unwrap_or_default();
        if by.len() == raters.len() {
            let spans = by_transcript.remove(&id).unwrap_or_default();
            transcripts.push(TranscriptInput {
                transcript: store.transcript(id)?,
                spans,
            });
        } else if !by.is_empty() || !selection.transcripts.is_empty() {
            let name = store.find_transcript(&id.to_text())?.name;
            let not_coded_by = raters
                .iter()
                .enumerate()
                .filter(|(i, _)| !by.contains(i))
                .map(|(_, r)| r.1.clone())
                .collect();
            excluded.push(Excluded {
                transcript: name,
                not_coded_by,
            });
        }
    }
    let used: BTreeSet<CodeId> = transcripts
        .iter()
        .flat_map(|t| t.spans.keys().copied())
        .collect();
    let wanted: BTreeSet<CodeId> = if selection.codes.is_empty() {
        used
    } else {
        selection.codes.iter().copied().collect()
    };
    let compared = codebook
        .tree_order()
        .into_iter()
        .filter(|(_, c)| wanted.contains(&c.code_id))
        .map(|(_, c)| (c.code_id, codebook.path(c.code_id)))
        .collect();
    Ok(AgreementInput {
        raters,
        codes: compared,
        transcripts,
        excluded,
        codebook,
    })
}

/// The raters compared: those selected, or every human rater.
fn compared_raters(store: &Store, selection: &Selection) -> Result<Vec<(RaterId, String)>> {
    let all = store.raters()?;
    let raters: Vec<(RaterId, String)> = if selection.raters.is_empty() {
        all.iter()
            .filter(|r| r.kind == RaterKind::Human)
            .map(|r| (r.rater_id, r.name.clone()))
            .collect()
    } else {
        selection
            .raters
            .iter()
            .map(|id| {
                all.iter()
                    .find(|r| r.rater_id == *id)
                    .map(|r| (r.rater_id, r.name.clone()))
                    .ok_or_else(|| AppError::Invalid(format!("no rater {id}")))
            })
            .collect::<Result<_>>()?
    };
    if let Some(twice) = raters
        .iter()
        .enumerate()
        .find_map(|(i, r)| raters[..i].iter().any(|s| s.0 == r.0).then_some(r))
    {
        return Err(AppError::Invalid(format!(
            "rater {} is named twice: agreement compares two or more different raters",
            twice.1
        )));
    }
    if raters.len() < 2 {
        return Err(AppError::Invalid(
            "agreement needs at least two raters (see `accord rater list`)".into(),
        ));
    }
    Ok(raters)
}

/// Spans per transcript, code and rater (index), sorted.
type SpansByTranscript = BTreeMap<TranscriptId, BTreeMap<CodeId, Vec<Vec<Span>>>>;

/// Each rater's sorted spans per transcript and code, and which raters coded each transcript at all.
fn group(
    codings: &[Coding],
    raters: &[(RaterId, String)],
) -> (SpansByTranscript, BTreeMap<TranscriptId, BTreeSet<usize>>) {
    let rater_index: BTreeMap<RaterId, usize> =
        raters.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
    let mut by_transcript = SpansByTranscript::new();
    let mut coded: BTreeMap<TranscriptId, BTreeSet<usize>> = BTreeMap::new();
    for c in codings {
        let Some(&r) = rater_index.get(&c.rater_id) else {
            continue;
        };
        coded.entry(c.transcript_id).or_default().insert(r);
        let lanes = by_transcript
            .entry(c.transcript_id)
            .or_default()
            .entry(c.code_id)
            .or_insert_with(|| vec![Vec::new(); raters.len()]);
        lanes[r].push(c.span);
    }
    for lanes in by_transcript.values_mut().flat_map(BTreeMap::values_mut) {
        for lane in lanes.iter_mut() {
            lane.sort_unstable();
        }
    }
    (by_transcript, coded)
}

/// [`why_nothing_compared`] for a selection, read from the store: why it compares no transcript,
/// or `None` when it compares at least one.
pub fn why_selection_compares_nothing(
    store: &Store,
    selection: &Selection,
) -> Result<Option<String>> {
    let input = gather(store, selection)?;
    let names: Vec<String> = input.raters.iter().map(|r| r.1.clone()).collect();
    Ok(why_nothing_compared(
        &names,
        input.transcripts.len(),
        &input.excluded,
    ))
}

/// Why a comparison has nothing to compare, and what to do about it; `None` when it compares at
/// least one transcript. The one explanation the command line (`accord agreement`, `accord
/// adjudicate`) and the window's Agreement and Adjudicate views show: which raters were compared,
/// that no transcript was coded by all of them, and which of them coded the same transcripts (with
/// the `--raters` that compares just them).
///
/// `raters` are the compared raters' names (in any order: the text lists them by name), `compared` how many transcripts were compared and
/// `excluded` the transcripts left out (as [`gather`] reports them).
#[must_use]
pub fn why_nothing_compared(
    raters: &[String],
    compared: usize,
    excluded: &[Excluded],
) -> Option<String> {
    if compared > 0 {
        return None;
    }
    // By name, so the text is the same whatever order the raters were chosen in.
    let mut sorted = raters.to_vec();
    sorted.sort();
    let raters = sorted.as_slice();
    let mut out = format!(
        "Nothing to compare: no transcript was coded by all {} raters compared ({}), and a \
         transcript counts only when every compared rater has coded it.",
        raters.len(),
        raters.join(", ")
    );
    if excluded.is_empty() {
        out.push_str(" None of them has coded a transcript yet.");
        return Some(out);
    }
    let groups = coded_together(raters, excluded);
    if groups.is_empty() {
        out.push_str(" No two of them coded the same transcript.");
        return Some(out);
    }
    let listed: Vec<String> = groups
        .iter()
        .take(3)
        .map(|(group, n)| {
            let plural = if *n == 1 { "" } else { "s" };
            format!(
                "{} ({n} transcript{plural}: --raters {})",
                and_list(group),
                raters_argument(group)
            )
        })
        .collect();
    let _ = write!(
        out,
        " Raters who coded the same transcripts: {}. Compare one group: with --raters as shown on \
         the command line, or by ticking only its raters in the window.",
        listed.join("; ")
    );
    Some(out)
}

/// Groups of at least two raters and how many of the left-out transcripts each group coded in
/// full, most transcripts first (then larger groups); a group is dropped when a larger one coded
/// as many.
fn coded_together<'a>(raters: &'a [String], excluded: &[Excluded]) -> Vec<(Vec<&'a str>, usize)> {
    let coders: Vec<Vec<&str>> = excluded
        .iter()
        .map(|e| {
            raters
                .iter()
                .filter(|r| !e.not_coded_by.contains(r))
                .map(String::as_str)
                .collect()
        })
        .collect();
    let mut candidates: Vec<Vec<&str>> = Vec::new();
    for c in &coders {
        if c.len() >= 2 && !candidates.contains(c) {
            candidates.push(c.clone());
        }
    }
    let within = |big: &[&str], small: &[&str]| small.iter().all(|r| big.contains(r));
    let counted: Vec<(Vec<&str>, usize)> = candidates
        .into_iter()
        .map(|g| {
            let n = coders.iter().filter(|c| within(c, &g)).count();
            (g, n)
        })
        .collect();
    let mut kept: Vec<(Vec<&str>, usize)> = counted
        .iter()
        .filter(|(g, n)| {
            !counted
                .iter()
                .any(|(h, m)| h.len() > g.len() && m == n && within(h, g))
        })
        .cloned()
        .collect();
    kept.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.len().cmp(&a.0.len())));
    kept
}

/// "Ana and Ben", "Ana, Ben and Cleo".
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The value of `--raters` naming these raters, quoted for a shell when a name has a space.
fn raters_argument(names: &[&str]) -> String {
    let joined = names.join(",");
    if joined
        .chars()
        .any(|c| c.is_whitespace() || "'\"$`\\".contains(c))
    {
        format!("\"{}\"", joined.replace(['"', '\\', '$', '`'], ""))
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn left_out(transcript: &str, not_coded_by: &[&str]) -> Excluded {
        Excluded {
            transcript: transcript.into(),
            not_coded_by: not_coded_by.iter().map(|s| (*s).to_string()).collect(),
        }
    }

    #[test]
    fn an_empty_comparison_names_the_raters_and_who_coded_together() {
        let raters: Vec<String> = ["Ana", "Ben", "Jordan Ellis", "Maya Chen"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let excluded = [
            left_out("P01", &["Ana", "Ben"]),
            left_out("P02", &["Ana", "Ben"]),
            left_out("P03", &["Jordan Ellis", "Maya Chen"]),
            left_out("P04", &["Ben", "Jordan Ellis", "Maya Chen"]),
        ];
        assert_eq!(why_nothing_compared(&raters, 1, &excluded), None);
        let why = why_nothing_compared(&raters, 0, &excluded).unwrap();
        assert!(
            why.contains(
                "no transcript was coded by all 4 raters compared (Ana, Ben, Jordan Ellis, Maya Chen)"
            ),
            "{why}"
        );
        assert!(
            why.contains(
                "Jordan Ellis and Maya Chen (2 transcripts: --raters \"Jordan Ellis,Maya Chen\"); \
                 Ana and Ben (1 transcript: --raters Ana,Ben)"
            ),
            "{why}"
        );
        let alone = [left_out("P01", &["Ben"]), left_out("P02", &["Ana"])];
        let why = why_nothing_compared(&raters[..2], 0, &alone).unwrap();
        assert!(
            why.contains("No two of them coded the same transcript"),
            "{why}"
        );
        let why = why_nothing_compared(&raters[..2], 0, &[]).unwrap();
        assert!(
            why.contains("None of them has coded a transcript yet"),
            "{why}"
        );
    }
}
