//! Read-only snapshots of the project for the panels to draw from, rebuilt only when the workspace's
//! revision (or the rater, in blind mode) changes, so a frame never waits on the database.

use std::collections::{BTreeMap, HashMap, HashSet};

use egui::Color32;

use super::colours;
use crate::app::{Result, Store};
use crate::model::{
    Case, CodeId, Codebook, Coding, CodingFilter, CodingId, MemoTarget, Rater, RaterId, Transcript,
    TranscriptId, TranscriptSummary,
};

/// What the side panels show about the whole project.
#[derive(Debug, Clone, Default)]
pub struct ProjectCache {
    /// The workspace revision it was read at.
    pub revision: u64,
    /// The rater it was read for (matters in blind mode).
    pub rater_id: Option<RaterId>,
    /// Project name.
    pub name: String,
    /// The codebook.
    pub codebook: Codebook,
    /// Codes in tree order with their depth.
    pub tree: Vec<(usize, CodeId)>,
    /// Each code's colour.
    pub colours: HashMap<CodeId, Color32>,
    /// Each code's path (`Parent/Child`).
    pub paths: HashMap<CodeId, String>,
    /// Raters, by name.
    pub raters: Vec<Rater>,
    /// Live transcripts, by name.
    pub transcripts: Vec<TranscriptSummary>,
    /// Cases with attributes.
    pub cases: Vec<Case>,
    /// Blind mode: each rater sees only their own codings.
    pub blind: bool,
    /// Visible codings per code.
    pub code_counts: HashMap<CodeId, usize>,
    /// Codings per transcript per rater (only the current rater's in blind mode).
    pub progress: HashMap<TranscriptId, BTreeMap<RaterId, usize>>,
    /// Raters who are a second pass of another (intra-rater agreement).
    pub passes: HashSet<RaterId>,
    /// Where this project came from, when it is a rater file (its codebook is locked).
    pub rater_file: Option<crate::model::RaterFileInfo>,
    /// The codings flagged as key quotes.
    pub key_quotes: Vec<crate::model::KeyQuote>,
    /// The project panel's rows, in order: each case, then its transcripts.
    pub panel_rows: Vec<PanelRow>,
}

/// What reading a transcript's snapshot needs of the project: whether raters are blind to each
/// other, and the codes in tree order (for the margin's lanes).
#[derive(Debug, Clone, Default)]
pub struct Lens {
    /// Blind mode.
    pub blind: bool,
    /// Codes in tree order.
    pub tree: Vec<CodeId>,
}

/// A row of the project panel.
#[derive(Debug, Clone)]
pub enum PanelRow {
    /// A case: its name and its attributes (one `name: value` a line).
    Case(String, String),
    /// A transcript, by its index in [`ProjectCache::transcripts`].
    Transcript(usize),
}

/// The project panel's rows: transcripts grouped by case, cases by name, each case's attributes
/// looked up once.
fn panel_rows(transcripts: &[TranscriptSummary], cases: &[Case]) -> Vec<PanelRow> {
    let mut by_case: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, t) in transcripts.iter().enumerate() {
        by_case
            .entry(t.case_name.as_deref().unwrap_or("(no case)"))
            .or_default()
            .push(i);
    }
    let attributes: HashMap<&str, String> = cases
        .iter()
        .map(|c| {
            let text = c
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("\n");
            (c.name.as_str(), text)
        })
        .collect();
    let mut rows = Vec::with_capacity(transcripts.len() + by_case.len());
    for (case, list) in by_case {
        rows.push(PanelRow::Case(
            case.to_string(),
            attributes.get(case).cloned().unwrap_or_default(),
        ));
        rows.extend(list.into_iter().map(PanelRow::Transcript));
    }
    rows
}

impl ProjectCache {
    /// Reads the snapshot.
    pub fn load(store: &Store, revision: u64, rater_id: Option<RaterId>) -> Result<Self> {
        let codebook = store.codebook()?;
        let blind = store.blind_mode()?;
        let tree = codebook
            .tree_order()
            .iter()
            .map(|(d, c)| (*d, c.code_id))
            .collect();
        let colours = codebook
            .codes
            .iter()
            .map(|c| (c.code_id, colours::parse(&c.colour)))
            .collect();
        let paths = codebook
            .codes
            .iter()
            .map(|c| (c.code_id, codebook.path(c.code_id)))
            .collect();
        let counts = crate::app::counts::coding_counts(store, |r| !blind || Some(r) == rater_id)?;
        let raters = store.raters()?;
        let mut passes = HashSet::new();
        for r in &raters {
            if store.pass_of(r.rater_id)?.is_some() {
                passes.insert(r.rater_id);
            }
        }
        let transcripts = store.transcripts()?;
        let cases = store.cases()?;
        let panel_rows = panel_rows(&transcripts, &cases);
        Ok(Self {
            revision,
            rater_id,
            passes,
            panel_rows,
            rater_file: store.rater_file_info()?,
            key_quotes: store.key_quotes()?,
            name: store.project_name()?,
            codebook,
            tree,
            colours,
            paths,
            raters,
            transcripts,
            cases,
            blind,
            code_counts: counts.per_code,
            progress: counts.per_transcript,
        })
    }

    /// Takes codings just stored (by the rater this snapshot is for, so visible even in blind
    /// mode) into the counts, without reading the project again.
    pub fn add_codings(&mut self, codings: &[Coding], revision: u64) {
        for c in codings {
            *self.code_counts.entry(c.code_id).or_default() += 1;
            *self
                .progress
                .entry(c.transcript_id)
                .or_default()
                .entry(c.rater_id)
                .or_default() += 1;
        }
        self.revision = revision;
    }

    /// What reading a transcript's snapshot needs of the project (sent to the task that reads it).
    #[must_use]
    pub fn lens(&self) -> Lens {
        Lens {
            blind: self.blind,
            tree: self.tree.iter().map(|(_, id)| *id).collect(),
        }
    }

    /// A rater's name.
    #[must_use]
    pub fn rater_name(&self, rater_id: RaterId) -> &str {
        self.raters
            .iter()
            .find(|r| r.rater_id == rater_id)
            .map_or("?", |r| r.name.as_str())
    }

    /// A code's path, or `?` for a code no longer in the codebook.
    #[must_use]
    pub fn path(&self, code_id: CodeId) -> &str {
        self.paths.get(&code_id).map_or("?", String::as_str)
    }

    /// A code's colour.
    #[must_use]
    pub fn colour(&self, code_id: CodeId) -> Color32 {
        self.colours.get(&code_id).copied().unwrap_or(Color32::GRAY)
    }

    /// A transcript's name.
    #[must_use]
    pub fn transcript_name(&self, transcript_id: TranscriptId) -> &str {
        self.transcripts
            .iter()
            .find(|t| t.transcript_id == transcript_id)
            .map_or("?", |t| t.name.as_str())
    }

    /// A case's name.
    #[must_use]
    pub fn case_name(&self, case_id: crate::model::CaseId) -> &str {
        self.cases
            .iter()
            .find(|c| c.case_id == case_id)
            .map_or("?", |c| c.name.as_str())
    }
}

/// The open transcript with its visible codings, indexed for drawing.
#[derive(Debug, Clone)]
pub struct TranscriptCache {
    /// The workspace revision it was read at.
    pub revision: u64,
    /// The rater it was read for.
    pub rater_id: Option<RaterId>,
    /// The transcript (text and turns).
    pub transcript: Transcript,
    /// Visible codings, by start.
    pub codings: Vec<Coding>,
    /// For each turn, the indices (into `codings`) of the codings that overlap it.
    pub by_turn: Vec<Vec<usize>>,
    /// One margin lane per code used here, in codebook order.
    pub lanes: Vec<CodeId>,
    /// Codings that carry a memo.
    pub with_memo: HashSet<CodingId>,
    /// Byte range of each turn's words as shown (without the speaker label and trailing blanks).
    pub shown: Vec<std::ops::Range<usize>>,
    /// Codings of it a correction lost (those the rater may see), with the words they covered.
    pub lost: Vec<(Coding, String)>,
    map: crate::model::text::OffsetMap,
}

impl TranscriptCache {
    /// Reads a transcript and the codings the rater may see.
    pub fn load(
        store: &Store,
        project: &Lens,
        transcript_id: TranscriptId,
        revision: u64,
        rater_id: Option<RaterId>,
    ) -> Result<Self> {
        let transcript = store.transcript(transcript_id)?;
        let mut codings: Vec<Coding> = store
            .codings(&CodingFilter {
                transcripts: vec![transcript_id],
                ..CodingFilter::default()
            })?
            .into_iter()
            .filter(|c| !project.blind || Some(c.rater_id) == rater_id)
            .collect();
        codings.sort_by_key(|c| (c.span.start, c.span.end));
        let by_turn = index_by_turn(&transcript, &codings);
        let lanes = lanes(&project.tree, &codings);
        let ids: HashSet<CodingId> = codings.iter().map(|c| c.coding_id).collect();
        let with_memo = store
            .all_memos()?
            .into_iter()
            .filter_map(|m| match m.target {
                MemoTarget::Coding(id) if ids.contains(&id) => Some(id),
                _ => None,
            })
            .collect();
        let lost_words: std::collections::HashMap<CodingId, String> = store
            .lost_codings()?
            .into_iter()
            .map(|l| (l.coding_id, l.quote))
            .collect();
        let lost = if lost_words.is_empty() {
            Vec::new()
        } else {
            store
                .codings(&CodingFilter {
                    transcripts: vec![transcript_id],
                    ids: lost_words.keys().copied().collect(),
                    include_removed: true,
                    ..CodingFilter::default()
                })?
                .into_iter()
                .filter(|c| !project.blind || Some(c.rater_id) == rater_id)
                .filter_map(|c| Some((lost_words.get(&c.coding_id)?.clone(), c)))
                .map(|(words, c)| (c, words))
                .collect()
        };
        let map = crate::model::text::OffsetMap::new(&transcript.text);
        let shown = transcript
            .turns
            .iter()
            .map(|turn| {
                let span = turn.content_span();
                let (start, end) = (map.byte(span.start), map.byte(span.end));
                start..start + transcript.text[start..end].trim_end().len()
            })
            .collect();
        Ok(Self {
            revision,
            rater_id,
            transcript,
            codings,
            by_turn,
            lanes,
            with_memo,
            shown,
            lost,
            map,
        })
    }

    /// Takes codings just stored into the snapshot (those of this transcript), keeping the
    /// codings in order and the turn index and margin lanes true, without reading the project.
    pub fn add_codings(&mut self, project: &ProjectCache, codings: &[Coding], revision: u64) {
        let id = self.transcript.transcript_id;
        let mut added = false;
        for c in codings.iter().filter(|c| c.transcript_id == id) {
            let at = self
                .codings
                .partition_point(|k| (k.span.start, k.span.end) <= (c.span.start, c.span.end));
            self.codings.insert(at, c.clone());
            added = true;
        }
        if added {
            self.by_turn = index_by_turn(&self.transcript, &self.codings);
            self.lanes = lanes(&project.lens().tree, &self.codings);
        }
        self.revision = revision;
    }

    /// The text of a span, without walking the text from its start.
    #[must_use]
    pub fn slice(&self, span: crate::model::Span) -> &str {
        self.transcript
            .text
            .get(self.map.byte(span.start)..self.map.byte(span.end))
            .unwrap_or("")
    }

    /// The words of turn `i` as shown.
    #[must_use]
    pub fn shown_text(&self, i: usize) -> &str {
        self.shown
            .get(i)
            .and_then(|r| self.transcript.text.get(r.clone()))
            .unwrap_or("")
    }

    /// The coding with this id, if visible.
    #[must_use]
    pub fn coding(&self, coding_id: CodingId) -> Option<&Coding> {
        self.codings.iter().find(|c| c.coding_id == coding_id)
    }
}

/// One margin lane per code used in `codings`, in codebook order.
fn lanes(tree: &[CodeId], codings: &[Coding]) -> Vec<CodeId> {
    let used: HashSet<CodeId> = codings.iter().map(|c| c.code_id).collect();
    tree.iter()
        .copied()
        .filter(|id| used.contains(id))
        .collect()
}

/// Codings overlapping each turn, by a sweep over both sorted lists.
fn index_by_turn(transcript: &Transcript, codings: &[Coding]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); transcript.turns.len()];
    for (i, coding) in codings.iter().enumerate() {
        let first = transcript
            .turns
            .partition_point(|t| t.span.end <= coding.span.start);
        for (t, turn) in transcript.turns.iter().enumerate().skip(first) {
            if turn.span.start >= coding.span.end {
                break;
            }
            out[t].push(i);
        }
    }
    out
}
