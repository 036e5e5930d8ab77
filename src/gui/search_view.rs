//! The search view over the project's full-text index: a query box (words, "phrases", AND/OR/NOT,
//! prefix*, fuzzy~1, "proximity"~5 and filters such as `site:B` or `code:"Role confusion"`), filters
//! by role, transcript and speaker, results as keyword-in-context lines with the matches marked.
//! Click a hit to open it highlighted in its transcript; tick hits and code them in one change.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use egui::text::{LayoutJob, TextFormat};
use egui::{FontId, RichText, Ui};

use super::cache::ProjectCache;
use super::command::UiCommand;
use super::state::{ViewState, label_first, toggle};
use crate::app::search::{Filters, Hit, ResultOrder, Scope, SearchResults};
use crate::model::{CodeId, Role, Span, TranscriptId, format_time_ms};

/// What the view asks the app to do.
#[derive(Debug, Clone)]
pub enum SearchCommand {
    /// Run this query with these filters (folded in by [`crate::app::search::full_query`], as
    /// `accord search` does).
    Run {
        /// The query as typed.
        query: String,
        /// The filters picked beside it.
        filters: Filters,
        /// The order of results.
        order: ResultOrder,
        /// English stemming for bare words.
        stem: bool,
    },
    /// Code the ticked hits.
    CodeHits {
        /// The hits.
        hits: Vec<Hit>,
        /// With which code.
        code_id: CodeId,
        /// How much text around each hit.
        scope: Scope,
    },
}

/// The search view's state.
#[derive(Debug)]
pub struct SearchView {
    /// The query as typed.
    pub query: String,
    role: Option<Role>,
    transcript: Option<TranscriptId>,
    speaker: String,
    by_transcript_order: bool,
    stem: bool,
    /// The last results, or the error of the last query.
    pub results: Option<Result<SearchResults, String>>,
    /// The index is still being opened or built on a worker thread.
    pub preparing: bool,
    ticked: BTreeSet<usize>,
    scope: Scope,
    code_id: Option<CodeId>,
}

impl Default for SearchView {
    fn default() -> Self {
        Self {
            query: String::new(),
            role: None,
            transcript: None,
            speaker: String::new(),
            by_transcript_order: false,
            stem: false,
            results: None,
            preparing: false,
            ticked: BTreeSet::new(),
            scope: Scope::Hit,
            code_id: None,
        }
    }
}

impl SearchView {
    /// The view's filters, as `accord search` takes them (the transcript by its id).
    #[must_use]
    pub fn filters(&self) -> Filters {
        let speaker = self.speaker.trim();
        Filters {
            speaker: (!speaker.is_empty()).then(|| speaker.to_string()),
            role: self.role.map(|r| r.as_str().to_string()),
            transcript: self.transcript.map(|t| t.to_text()),
            ..Filters::default()
        }
    }

    /// Sets new results (and forgets ticks of old ones).
    pub fn set_results(&mut self, results: Result<SearchResults, String>) {
        self.results = Some(results);
        self.ticked.clear();
    }

    /// Draws the view.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        state: &ViewState,
        actions: &mut Vec<UiCommand>,
    ) -> Option<SearchCommand> {
        let mut request = None;
        ui.horizontal(|ui| {
            let field = ui.add(
                egui::TextEdit::singleline(&mut self.query)
                    .hint_text("burnout OR \"my supervisor\" site:B")
                    .desired_width(ui.available_width() - 110.0),
            );
            field.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::SearchInput, true, "Search query")
            });
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Run search").clicked() || enter {
                request = Some(self.run_request());
            }
        });
        self.filters_ui(ui, project);
        ui.separator();
        if self.preparing {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(
                    "Preparing the search index (an encrypted project's is built in memory on \
                     opening); a search runs as soon as it is ready.",
                );
            });
        }
        // Borrowed for the frame (taken out and put back), never copied.
        let results = self.results.take();
        match &results {
            None => {
                ui.label("Type a query and press Enter. Filters: speaker:, role:, transcript:, case:, code:, rater:, and any case attribute such as site:B.");
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            Some(Ok(results)) => {
                if let Some(r) = self.coding_bar_ui(ui, project, state, results) {
                    request = Some(r);
                }
                self.hits_ui(ui, project, results, actions);
            }
        }
        if self.results.is_none() {
            self.results = results;
        }
        request
    }

    fn run_request(&self) -> SearchCommand {
        SearchCommand::Run {
            query: self.query.trim().to_string(),
            filters: self.filters(),
            order: if self.by_transcript_order {
                ResultOrder::TranscriptOrder
            } else {
                ResultOrder::Relevance
            },
            stem: self.stem,
        }
    }

    fn filters_ui(&mut self, ui: &mut Ui, project: &ProjectCache) {
        ui.horizontal_wrapped(|ui| {
            let role = self.role.map_or("any role", Role::as_str).to_string();
            label_first("Role").selected_text(role).show_ui(ui, |ui| {
                ui.selectable_value(&mut self.role, None, "any role");
                for r in [Role::Participant, Role::Interviewer, Role::Other] {
                    ui.selectable_value(&mut self.role, Some(r), r.as_str());
                }
            });
            let t = self
                .transcript
                .map_or("all transcripts", |t| project.transcript_name(t))
                .to_string();
            label_first("Transcript")
                .selected_text(t)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.transcript, None, "all transcripts");
                    for s in &project.transcripts {
                        ui.selectable_value(&mut self.transcript, Some(s.transcript_id), &s.name);
                    }
                });
            ui.label("Speaker");
            ui.add(egui::TextEdit::singleline(&mut self.speaker).desired_width(90.0))
                .widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Speaker filter")
                });
            ui.checkbox(&mut self.by_transcript_order, "In transcript order");
            ui.checkbox(&mut self.stem, "Stem words (English)");
        });
    }

    fn coding_bar_ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        state: &ViewState,
        results: &SearchResults,
    ) -> Option<SearchCommand> {
        let mut request = None;
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!(
                    "{} matching turns, {} shown",
                    results.total,
                    results.hits.len()
                ))
                .strong(),
            );
            ui.separator();
            if ui.button("Tick all").clicked() {
                self.ticked = (0..results.hits.len()).collect();
            }
            let code = self
                .code_id
                .map_or("choose a code", |c| project.path(c))
                .to_string();
            label_first("Code").selected_text(code).show_ui(ui, |ui| {
                for (_, id) in &project.tree {
                    ui.selectable_value(&mut self.code_id, Some(*id), project.path(*id));
                }
            });
            label_first("Scope")
                .selected_text(scope_name(self.scope))
                .show_ui(ui, |ui| {
                    for s in [Scope::Hit, Scope::Sentence, Scope::Turn] {
                        ui.selectable_value(&mut self.scope, s, scope_name(s));
                    }
                });
            let ready =
                self.code_id.is_some() && !self.ticked.is_empty() && state.rater_id.is_some();
            let label = format!("Code {} ticked hits", self.ticked.len());
            if ui.add_enabled(ready, egui::Button::new(label)).clicked()
                && let Some(code_id) = self.code_id
            {
                let hits = self
                    .ticked
                    .iter()
                    .filter_map(|i| results.hits.get(*i).cloned())
                    .collect();
                request = Some(SearchCommand::CodeHits {
                    hits,
                    code_id,
                    scope: self.scope,
                });
            }
        });
        request
    }

    fn hits_ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        results: &SearchResults,
        actions: &mut Vec<UiCommand>,
    ) {
        egui::ScrollArea::vertical()
            .id_salt("search-hits")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for (i, hit) in results.hits.iter().enumerate() {
                    let Ok(transcript_id) = hit.transcript_id.parse::<TranscriptId>() else {
                        continue;
                    };
                    ui.horizontal(|ui| {
                        let mut on = self.ticked.contains(&i);
                        let tick = ui.checkbox(&mut on, "");
                        tick.widget_info(|| {
                            egui::WidgetInfo::selected(
                                egui::Role::CheckBox,
                                true,
                                on,
                                format!("Tick hit {}", i + 1),
                            )
                        });
                        if tick.changed() {
                            toggle(&mut self.ticked, i, on);
                        }
                        let time = hit.start_ms.map(format_time_ms).unwrap_or_default();
                        let mut place = format!(
                            "{}  turn {}  {}  {}",
                            project.transcript_name(transcript_id),
                            hit.turn_index + 1,
                            hit.speaker,
                            time
                        );
                        if let (Some(code), Some(rater)) = (hit.codes.first(), hit.raters.first())
                            && let Ok(code_id) = code.parse::<CodeId>()
                        {
                            let _ = write!(place, "  · {} by {rater}", project.path(code_id));
                        }
                        let link = ui.link(RichText::new(place).small());
                        let snippet = ui.label(snippet_job(ui, hit));
                        if link.clicked() || snippet.clicked() {
                            let focus = hit.focus();
                            let span = Span::new(focus.start, focus.end.max(focus.start + 1));
                            actions.push(UiCommand::JumpTo {
                                transcript_id,
                                span,
                            });
                        }
                    });
                }
            });
    }
}

fn scope_name(s: Scope) -> &'static str {
    match s {
        Scope::Hit => "the matched words",
        Scope::Sentence => "their sentences",
        Scope::Turn => "their whole turns",
    }
}

/// A hit's snippet with its matches in bold on the selection colour.
fn snippet_job(ui: &Ui, hit: &Hit) -> LayoutJob {
    let s = &hit.snippet;
    let visuals = ui.visuals();
    let plain = TextFormat::simple(FontId::proportional(14.0), visuals.text_color());
    let mut marked = plain.clone();
    marked.background = visuals.selection.bg_fill;
    marked.color = visuals.selection.stroke.color;
    let chars: Vec<(usize, char)> = s.text.char_indices().collect();
    let byte = |c: usize| chars.get(c).map_or(s.text.len(), |(b, _)| *b);
    let mut job = LayoutJob::default();
    job.wrap.max_width = ui.available_width();
    if s.cut_before {
        job.append("…", 0.0, plain.clone());
    }
    let mut at = 0;
    for span in &s.spans {
        let (start, end) = (span.start.max(at), span.end.max(at));
        job.append(&s.text[byte(at)..byte(start)], 0.0, plain.clone());
        job.append(&s.text[byte(start)..byte(end)], 0.0, marked.clone());
        at = end;
    }
    job.append(&s.text[byte(at)..], 0.0, plain.clone());
    if s.cut_after {
        job.append("…", 0.0, plain);
    }
    job
}
