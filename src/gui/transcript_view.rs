//! The reading view: a transcript as turns (speaker, time stamp, words), coded text highlighted in its
//! code's colour, and a margin of coloured stripes beside the text, one lane per code (as NVivo and
//! MAXQDA draw them). Drag to select (snapped to whole words by default); click coded text or a stripe
//! to select a coding; hover a stripe to see its code and rater.
//!
//! Only the turns in view are laid out and painted each frame. Turn heights are estimated from their
//! length when a transcript opens, then measured exactly a few milliseconds a frame (the turns in
//! view first, then those before a turn to jump to, then the rest), so neither opening a
//! 50,000-word transcript nor scrolling it holds a frame.

use std::sync::Arc;

use egui::text::{CCursor, LayoutJob, TextFormat};
use egui::{
    Color32, FontId, Galley, Pos2, Rect, Role, Sense, Stroke, Ui, Vec2, WidgetInfo, pos2, vec2,
};

use super::cache::{ProjectCache, TranscriptCache};
use super::colours;
use super::command::UiCommand;
use super::state::ViewState;
use crate::model::{Span, format_time_ms};

const LANE_WIDTH: f32 = 4.0;
const LANE_GAP: f32 = 2.0;
const MAX_LANES: usize = 24;
const TURN_GAP: f32 = 10.0;
const BODY_SIZE: f32 = 15.0;

/// How long a frame may spend measuring turns that are not in view.
const MEASURE_BUDGET: std::time::Duration = std::time::Duration::from_millis(3);

/// Turn heights for one transcript at one width.
#[derive(Debug, Clone, Default)]
struct Layout {
    transcript: Option<crate::model::TranscriptId>,
    width: f32,
    /// Height of each turn's words: estimated until measured.
    heights: Vec<f32>,
    /// Whether each height is measured.
    exact: Vec<bool>,
    /// Turns not measured yet.
    remaining: usize,
    /// Where the measuring of the rest goes on.
    next: usize,
    /// Top of each turn from the top of the content.
    tops: Vec<f32>,
    /// Height of the header line.
    header: f32,
    total: f32,
}

impl Layout {
    /// Measures turn `i` exactly, if it is not yet; returns whether it was.
    fn measure(&mut self, ui: &Ui, open: &TranscriptCache, i: usize) -> bool {
        if self.exact.get(i).is_none_or(|e| *e) {
            return false;
        }
        let galley = ui.painter().layout(
            open.shown_text(i).to_owned(),
            body_font(),
            Color32::PLACEHOLDER,
            self.width,
        );
        self.set(i, galley.size().y);
        true
    }

    /// Sets turn `i`'s measured height.
    fn set(&mut self, i: usize, height: f32) {
        if let (Some(h), Some(e)) = (self.heights.get_mut(i), self.exact.get_mut(i))
            && !*e
        {
            *h = height;
            *e = true;
            self.remaining -= 1;
        }
    }

    /// The tops from the heights.
    fn stack(&mut self) {
        let mut y = 4.0;
        self.tops.clear();
        for h in &self.heights {
            self.tops.push(y);
            y += self.header + h + TURN_GAP;
        }
        self.total = y + 40.0;
    }

    /// The turns that overlap `range` (in content coordinates).
    fn turns_in(&self, range: std::ops::Range<f32>) -> std::ops::Range<usize> {
        let first = self
            .tops
            .partition_point(|t| *t < range.start)
            .saturating_sub(1);
        let last = self.tops.partition_point(|t| *t <= range.end);
        first..last.max(first)
    }
}

/// A turn as painted this frame, for hit testing.
struct Placed {
    turn: usize,
    origin: Pos2,
    galley: Arc<Galley>,
    content_start: usize,
}

/// The reading view's own state between frames.
#[derive(Debug, Default)]
pub struct TranscriptView {
    layout: Layout,
    drag_anchor: Option<usize>,
    /// The part of the content in view at the last frame.
    viewport: Option<Rect>,
}

fn body_font() -> FontId {
    FontId::proportional(BODY_SIZE)
}

impl TranscriptView {
    /// Draws the transcript; returns the actions the reader asked for.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &ProjectCache,
        open: &TranscriptCache,
        state: &mut ViewState,
        actions: &mut Vec<UiCommand>,
    ) {
        // The margin's width follows the codebook, not the codings, so that coding never changes the
        // text's width (which would re-measure every turn).
        let lanes = project.codebook.codes.len().clamp(1, MAX_LANES);
        let margin = lanes as f32 * (LANE_WIDTH + LANE_GAP) + 12.0;
        let text_width = (ui.available_width() - margin - 16.0).max(120.0);
        self.measure(ui, project, open, state, text_width);
        let mut area = egui::ScrollArea::vertical()
            .id_salt("transcript-scroll")
            .auto_shrink([false, false])
            .scroll_source(egui::containers::scroll_area::ScrollSource {
                drag: egui::containers::scroll_area::DragScroll::Never,
                ..Default::default()
            });
        if let Some(target) = state.scroll_to {
            let turn = open
                .transcript
                .turns
                .partition_point(|t| t.span.end <= target);
            // Once every turn above it is measured, so the jump lands where it should.
            if self.layout.exact.iter().take(turn).all(|e| *e) {
                state.scroll_to = None;
                if let Some(top) = self.layout.tops.get(turn) {
                    area = area.vertical_scroll_offset((top - 60.0).max(0.0));
                }
            }
        }
        let total = self.layout.total;
        area.show_viewport(ui, |ui, viewport| {
            ui.set_height(total);
            ui.set_width(ui.available_width());
            let origin = ui.min_rect().min;
            let placed = self.paint_turns(ui, origin, viewport, text_width, project, open, state);
            self.viewport = Some(viewport);
            let content = Rect::from_min_size(origin + vec2(0.0, viewport.min.y), viewport.size());
            let response = ui.interact(
                content,
                ui.scope_id().with("transcript-text"),
                Sense::click_and_drag(),
            );
            response.widget_info(|| WidgetInfo::labeled(Role::Document, true, "Transcript text"));
            let margin_x = origin.x + text_width + 12.0;
            let hovered_stripe = paint_margin(ui, &placed, open, project, margin_x, lanes);
            self.handle_pointer(&response, &placed, open, state, actions, hovered_stripe);
        });
    }

    /// Estimates every turn's height when the transcript or the width changes, then measures
    /// turns exactly: those in view at once, then, for a few milliseconds a frame, those above a
    /// turn to jump to, then the rest in order (asking for another frame while any are left).
    fn measure(
        &mut self,
        ui: &Ui,
        project: &ProjectCache,
        open: &TranscriptCache,
        state: &ViewState,
        width: f32,
    ) {
        let jump = state.scroll_to;
        let id = open.transcript.transcript_id;
        let n = open.transcript.turns.len();
        let fresh = self.layout.transcript != Some(id) || (self.layout.width - width).abs() >= 0.5;
        if fresh {
            self.layout = estimate(ui, open, width);
            self.viewport = None;
        }
        if self.layout.remaining == 0 {
            return;
        }
        let start = std::time::Instant::now();
        let mut changed = false;
        // In view (with a turn either side): always exact, whatever it costs.
        let view = self
            .viewport
            .map_or(0.0..ui.available_height(), |v| v.min.y..v.max.y);
        let shown = self.layout.turns_in(view);
        // Laid out as they are painted, so painting finds these galleys in egui's cache.
        for i in shown.start.saturating_sub(1)..(shown.end + 1).min(n) {
            if self.layout.exact.get(i).is_some_and(|e| !*e) {
                let job = highlight_job(i, open, project, state, ui.visuals(), width);
                let height = ui.painter().layout_job(job).size().y;
                self.layout.set(i, height);
                changed = true;
            }
        }
        // Then, within the budget, the turns above a jump's target, then the rest (from the next
        // frame on: the frame that opens a transcript lays out only what it shows).
        let budget = if fresh {
            std::time::Duration::ZERO
        } else {
            MEASURE_BUDGET
        };
        let target = jump.map(|t| open.transcript.turns.partition_point(|x| x.span.end <= t));
        if let Some(t) = target {
            for i in 0..t.min(n) {
                if start.elapsed() >= budget {
                    break;
                }
                changed |= self.layout.measure(ui, open, i);
            }
        }
        while self.layout.next < n && start.elapsed() < budget {
            changed |= self.layout.measure(ui, open, self.layout.next);
            self.layout.next += 1;
        }
        if changed {
            self.layout.stack();
        }
        if self.layout.remaining > 0 {
            ui.ctx().request_repaint();
        }
    }

    #[allow(clippy::too_many_arguments)] // one call site; the arguments are the frame's context
    fn paint_turns(
        &self,
        ui: &Ui,
        origin: Pos2,
        viewport: Rect,
        width: f32,
        project: &ProjectCache,
        open: &TranscriptCache,
        state: &ViewState,
    ) -> Vec<Placed> {
        let tops = &self.layout.tops;
        let first = self.layout.turns_in(viewport.min.y..viewport.max.y).start;
        let mut placed = Vec::new();
        let painter = ui.painter();
        let visuals = ui.visuals();
        for (i, turn) in open.transcript.turns.iter().enumerate().skip(first) {
            let top = tops[i];
            if top > viewport.max.y {
                break;
            }
            let head = origin + vec2(0.0, top);
            let mut header = turn.speaker.clone();
            if let Some(ms) = turn.start_ms {
                header.push_str("   ");
                header.push_str(&format_time_ms(ms));
            }
            if !turn.speaker.eq_ignore_ascii_case(turn.role.as_str()) {
                header.push_str("   ");
                header.push_str(turn.role.as_str());
            }
            painter.text(
                head,
                egui::Align2::LEFT_TOP,
                header,
                FontId::proportional(13.0),
                visuals.weak_text_color(),
            );
            let job = highlight_job(i, open, project, state, visuals, width);
            let galley = painter.layout_job(job);
            let text_origin = head + vec2(0.0, self.layout.header);
            painter.galley(text_origin, galley.clone(), visuals.text_color());
            placed.push(Placed {
                turn: i,
                origin: text_origin,
                galley,
                content_start: turn.content_span().start,
            });
        }
        placed
    }

    fn handle_pointer(
        &mut self,
        response: &egui::Response,
        placed: &[Placed],
        open: &TranscriptCache,
        state: &mut ViewState,
        actions: &mut Vec<UiCommand>,
        hovered_stripe: Option<usize>,
    ) {
        if let Some(code_id) = response.dnd_release_payload::<crate::model::CodeId>() {
            actions.push(UiCommand::ApplyCode(*code_id));
            return;
        }
        let Some(pos) = response
            .interact_pointer_pos()
            .or_else(|| response.hover_pos())
        else {
            return;
        };
        if response.clicked() {
            if let Some(i) = hovered_stripe {
                actions.push(UiCommand::SelectCoding(Some(open.codings[i].coding_id)));
                return;
            }
            state.selection = None;
            let coding = char_at(placed, pos).and_then(|c| innermost_coding(open, c));
            actions.push(UiCommand::SelectCoding(
                coding.map(|i| open.codings[i].coding_id),
            ));
            return;
        }
        if response.drag_started() {
            self.drag_anchor = char_at(placed, pos);
        }
        if (response.dragged() || response.drag_stopped())
            && let (Some(anchor), Some(head)) = (self.drag_anchor, char_at(placed, pos))
        {
            let (a, b) = (anchor.min(head), anchor.max(head));
            state.selection = (b > a).then(|| Span::new(a, b));
            if response.drag_stopped() {
                self.drag_anchor = None;
                if state.whole_words {
                    state.selection = state
                        .selection
                        .map(|s| snap_to_words(&open.transcript.text, s));
                }
            }
        }
    }
}

/// The char offset (into the transcript) under a point, if the point is over a painted turn.
fn char_at(placed: &[Placed], pos: Pos2) -> Option<usize> {
    let p = placed
        .iter()
        .rev()
        .find(|p| pos.y >= p.origin.y - 24.0)
        .or_else(|| placed.first())?;
    let cursor = p.galley.cursor_from_pos(pos - p.origin);
    Some(p.content_start + cursor.index.0)
}

/// The shortest visible coding covering a char.
fn innermost_coding(open: &TranscriptCache, at: usize) -> Option<usize> {
    open.codings
        .iter()
        .enumerate()
        .filter(|(_, c)| c.span.start <= at && at < c.span.end)
        .min_by_key(|(_, c)| c.span.len())
        .map(|(i, _)| i)
}

/// Widens a span to whole words (letters, digits and apostrophes count as word characters).
#[must_use]
pub fn snap_to_words(text: &str, span: Span) -> Span {
    let chars: Vec<char> = text.chars().collect();
    let is_word = |c: char| c.is_alphanumeric() || c == '\'' || c == '\u{2019}';
    let (mut start, mut end) = (span.start.min(chars.len()), span.end.min(chars.len()));
    while start > 0 && chars.get(start).is_some_and(|c| is_word(*c)) && is_word(chars[start - 1]) {
        start -= 1;
    }
    while start < end && !is_word(chars[start]) {
        start += 1;
    }
    while end < chars.len() && end > 0 && is_word(chars[end - 1]) && is_word(chars[end]) {
        end += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    Span::new(start, end)
}

/// The turn's words as a layout job: coded text tinted in the innermost code's colour, the selected
/// coding stronger, the selection in the theme's selection colour.
fn highlight_job(
    i: usize,
    open: &TranscriptCache,
    project: &ProjectCache,
    state: &ViewState,
    visuals: &egui::Visuals,
    width: f32,
) -> LayoutJob {
    let turn = &open.transcript.turns[i];
    let shown = open.shown_text(i);
    let base = turn.content_span().start;
    let len = shown.chars().count();
    let local = |x: usize| x.saturating_sub(base).min(len);
    let codings: Vec<&crate::model::Coding> = open.by_turn[i]
        .iter()
        .filter_map(|i| open.codings.get(*i))
        .collect();
    let mut cuts = vec![0, len];
    for c in &codings {
        cuts.extend([local(c.span.start), local(c.span.end)]);
    }
    if let Some(s) = state.selection {
        cuts.extend([local(s.start), local(s.end)]);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let bytes: Vec<usize> = shown
        .char_indices()
        .map(|(b, _)| b)
        .chain([shown.len()])
        .collect();
    let mut job = LayoutJob::default();
    job.wrap.max_width = width;
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a >= b {
            continue;
        }
        let mut format = TextFormat::simple(body_font(), visuals.text_color());
        let covering = codings
            .iter()
            .filter(|c| {
                local(c.span.start) <= a && b <= local(c.span.end) && c.span.start < base + b
            })
            .min_by_key(|c| c.span.len());
        if let Some(c) = covering {
            let colour = project.colour(c.code_id);
            format.background = if state.coding_id == Some(c.coding_id) {
                colour.gamma_multiply(0.6)
            } else {
                colours::tint(colour, visuals.dark_mode)
            };
        }
        if state
            .selection
            .is_some_and(|s| local(s.start) <= a && b <= local(s.end) && s.start < base + b)
        {
            format.background = visuals.selection.bg_fill;
            format.color = visuals.selection.stroke.color;
        }
        job.append(&shown[bytes[a]..bytes[b]], 0.0, format);
    }
    job
}

/// Paints the stripes beside the text; returns the coding whose stripe the pointer is over.
fn paint_margin(
    ui: &Ui,
    placed: &[Placed],
    open: &TranscriptCache,
    project: &ProjectCache,
    margin_x: f32,
    lanes: usize,
) -> Option<usize> {
    let painter = ui.painter();
    let hover = ui.input(|i| i.pointer.hover_pos());
    let mut hovered = None;
    for p in placed {
        let turn = &open.transcript.turns[p.turn];
        let len = p.galley.job.text.chars().count();
        let top = p.origin.y - 20.0;
        let bottom = p.origin.y + p.galley.size().y + TURN_GAP;
        for &i in &open.by_turn[p.turn] {
            let coding = &open.codings[i];
            let Some(lane) = open
                .lanes
                .iter()
                .position(|l| *l == coding.code_id)
                .filter(|l| *l < lanes)
            else {
                continue;
            };
            let y = |at: usize, start: bool| {
                let local = at.saturating_sub(p.content_start).min(len);
                let r = p.galley.pos_from_cursor(CCursor::new(local));
                p.origin.y + if start { r.min.y } else { r.max.y }
            };
            let y0 = if coding.span.start > turn.content_span().start {
                y(coding.span.start, true)
            } else {
                top
            };
            let y1 = if coding.span.end < turn.span.end {
                y(coding.span.end, false)
            } else {
                bottom
            };
            let x = margin_x + lane as f32 * (LANE_WIDTH + LANE_GAP);
            let rect = Rect::from_min_max(pos2(x, y0), pos2(x + LANE_WIDTH, y1.max(y0 + 2.0)));
            painter.rect_filled(rect, 1.0, project.colour(coding.code_id));
            if hover.is_some_and(|p| rect.expand2(Vec2::new(1.0, 0.0)).contains(p)) {
                hovered = Some(i);
                painter.rect_stroke(
                    rect.expand(1.0),
                    1.0,
                    Stroke::new(1.0, ui.visuals().strong_text_color()),
                    egui::StrokeKind::Outside,
                );
            }
        }
    }
    if let Some(i) = hovered {
        let coding = &open.codings[i];
        let memo = if open.with_memo.contains(&coding.coding_id) {
            " (memo)"
        } else {
            ""
        };
        let tip = format!(
            "{} by {}{memo}",
            project.path(coding.code_id),
            project.rater_name(coding.rater_id)
        );
        egui::Tooltip::always_open(
            ui.ctx().clone(),
            ui.layer_id(),
            ui.scope_id().with("stripe-tip"),
            egui::PopupAnchor::Pointer,
        )
        .show(|ui| ui.label(tip));
    }
    hovered
}

/// Every turn's height estimated from its length (characters a line at this width, from the
/// transcript's own average character width), none measured yet.
fn estimate(ui: &Ui, open: &TranscriptCache, width: f32) -> Layout {
    let n = open.transcript.turns.len();
    let (header, row) = ui
        .painter()
        .fonts_mut(|f| (f.row_height(&body_font()) + 4.0, f.row_height(&body_font())));
    let sample: String = open.transcript.text.chars().take(2_000).collect();
    let sample_chars = sample.chars().count().max(1);
    let sample_width = ui
        .painter()
        .layout_no_wrap(sample, body_font(), Color32::PLACEHOLDER)
        .size()
        .x
        .max(1.0);
    let per_line = (width / (sample_width / sample_chars as f32)).max(1.0);
    let heights = (0..n)
        .map(|i| {
            let text = open.shown_text(i);
            let lines: f32 = text
                .split('\n')
                .map(|l| (l.chars().count() as f32 / per_line).ceil().max(1.0))
                .sum();
            lines * row
        })
        .collect();
    let mut layout = Layout {
        transcript: Some(open.transcript.transcript_id),
        width,
        heights,
        exact: vec![false; n],
        remaining: n,
        next: 0,
        tops: Vec::with_capacity(n),
        header,
        total: 0.0,
    };
    layout.stack();
    layout
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapping_widens_to_words_and_trims_blanks() {
        let text = "I was naïve about it, honestly.";
        // "s nai" -> "was naïve"
        assert_eq!(snap_to_words(text, Span::new(4, 9)), Span::new(2, 11));
        // a span already on word edges stays
        assert_eq!(snap_to_words(text, Span::new(2, 5)), Span::new(2, 5));
        // leading blanks and punctuation are dropped, and so are trailing blanks
        assert_eq!(snap_to_words(text, Span::new(1, 6)), Span::new(2, 5));
        assert_eq!(snap_to_words(text, Span::new(20, 31)), Span::new(22, 31));
        assert_eq!(snap_to_words(text, Span::new(0, 0)), Span::new(0, 0));
    }
}
