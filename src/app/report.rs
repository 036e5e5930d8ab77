//! The report (`accord report`, File > Report… in the window): one document by theme that a
//! co-author can read. For each code: its definition from the codebook in force, its agreement with
//! the interval (as `accord agreement` gives it, and in each reliability round that measured it),
//! its key quotes with citations and each quote's provenance (unanimous, adjudicated by whom with
//! the note, or coded by one rater), its memos and the summary grid's summaries. An appendix writes
//! the methods paragraph: unit, statistic, units and raters, interval method and seed, rounds,
//! the codes below the threshold and what was done about them.

use std::fmt::Write as _;

use super::Result;
use super::agreement::{AgreementOptions, project_agreement};
use super::agreement_input::Selection;
use super::quotes::{QuoteRow, citation_form, rows as quote_rows};
use crate::agreement::Estimate;
use crate::agreement::project::{CodeRow, ProjectAgreement};
use crate::export::ProjectData;
use crate::export::document::Document;
use crate::model::{Adjudication, Code, CodeId, Decision, MemoTarget, RaterKind};
use crate::store::Store;

/// What the report measures agreement with, and where it draws the line.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// As `accord agreement` takes them.
    pub agreement: AgreementOptions,
    /// Only these codes (every code anyone used when empty).
    pub codes: Vec<CodeId>,
    /// A code whose kappa's interval reaches below this is "below the threshold".
    pub threshold: f64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            agreement: AgreementOptions::default(),
            codes: Vec::new(),
            threshold: 0.80,
        }
    }
}

/// The report as a document, and the agreement it reports (so that it can be checked against
/// `accord agreement`).
#[derive(Debug, Clone)]
pub struct Report {
    /// The document.
    pub document: Document,
    /// The agreement report the figures come from.
    pub agreement: Option<ProjectAgreement>,
}

/// "0.712 [0.65, 0.77]", or why it is undefined.
fn estimate(e: &Estimate) -> String {
    match (e.value, e.interval) {
        (Some(v), Some((lo, hi))) => format!("{v:.3} [{lo:.2}, {hi:.2}]"),
        (Some(v), None) => format!("{v:.3}"),
        (None, _) => format!(
            "undefined ({})",
            e.undefined_reason.as_deref().unwrap_or("no data")
        ),
    }
}

/// A code's agreement as one sentence.
fn agreement_line(row: &CodeRow, report: &ProjectAgreement) -> String {
    format!(
        "{} = {}; Krippendorff's α = {}; percent agreement = {}; over {} units ({}), raters {}.",
        row.kappa_name,
        estimate(&row.kappa),
        estimate(&row.alpha),
        estimate(&row.percent_agreement),
        row.units,
        report.unit.name(),
        report.raters.join(" and ")
    )
}

/// Where a quote comes from: unanimous, adjudicated (by whom, with the note) or one rater's.
fn provenance(data: &ProjectData, records: &[Adjudication], q: &QuoteRow) -> String {
    let Some(coding) = data
        .codings
        .iter()
        .find(|c| c.coding_id == q.excerpt.coding_id)
    else {
        return String::new();
    };
    let name = |id| data.rater(id).map_or("?", |r| r.name.as_str());
    if q.excerpt.rater_kind == RaterKind::Consensus {
        let Some(record) = records
            .iter()
            .find(|a| a.withdrawn_at.is_none() && a.codings.contains(&coding.coding_id))
        else {
            return format!(
                "Consensus coding ({}), not from an adjudication.",
                q.excerpt.rater
            );
        };
        let how = match &record.decision {
            Decision::Agreed => "the raters agreed".to_string(),
            Decision::Take { rater_id } => format!("{}'s coding taken", name(*rater_id)),
            Decision::Union => "the union of the raters' codings".to_string(),
            Decision::Intersection => "what every rater coded".to_string(),
            Decision::Span { .. } => "a span chosen by the adjudicator".to_string(),
            Decision::Drop => "dropped".to_string(),
        };
        let note = if record.note.trim().is_empty() {
            String::new()
        } else {
            format!(": “{}”", record.note.trim())
        };
        return format!(
            "Adjudicated into {} ({how}, {}){note}.",
            name(record.consensus_rater),
            record.decided_at.get(..10).unwrap_or(&record.decided_at)
        );
    }
    // The other human raters who coded this transcript, and which of them coded this code here.
    let mut others: Vec<_> = data
        .codings
        .iter()
        .filter(|c| c.transcript_id == coding.transcript_id && c.rater_id != coding.rater_id)
        .filter(|c| {
            data.rater(c.rater_id)
                .is_some_and(|r| r.kind == RaterKind::Human)
        })
        .map(|c| c.rater_id)
        .collect();
    others.sort();
    others.dedup();
    let agreeing: Vec<&str> = others
        .iter()
        .filter(|r| {
            data.codings.iter().any(|c| {
                c.rater_id == **r
                    && c.transcript_id == coding.transcript_id
                    && c.code_id == coding.code_id
                    && c.span.start < coding.span.end
                    && coding.span.start < c.span.end
            })
        })
        .map(|r| name(*r))
        .collect();
    if others.is_empty() {
        format!(
            "Coded by one rater ({}); no other rater coded this transcript.",
            q.excerpt.rater
        )
    } else if agreeing.len() == others.len() {
        format!(
            "Unanimous: {} and {} coded it.",
            q.excerpt.rater,
            agreeing.join(" and ")
        )
    } else if agreeing.is_empty() {
        format!("Coded by one rater ({}).", q.excerpt.rater)
    } else {
        format!(
            "Coded by {} of {} raters ({}, {}).",
            agreeing.len() + 1,
            others.len() + 1,
            q.excerpt.rater,
            agreeing.join(", ")
        )
    }
}

/// The code's definition as the codebook in force gives it.
fn definition(code: &Code) -> String {
    [&code.short_definition, &code.definition]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().to_string())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Builds the report.
///
/// # Errors
/// A store error; agreement that cannot be measured is said in the report, not an error.
pub fn build(store: &Store, options: &ReportOptions) -> Result<Report> {
    let data = super::export::snapshot(store)?;
    let form = citation_form(store)?;
    let version = store.codebook_version()?;
    let records = store.adjudications(None)?;
    let agreement = project_agreement(
        store,
        &Selection {
            codes: options.codes.clone(),
            ..Selection::default()
        },
        &options.agreement,
    )
    .ok();
    let rounds = rounds_by_code(store)?;
    let quotes = quote_rows(&data, &options.codes, &form);
    let mut doc = Document::new(&format!("Report: {}", data.name));
    doc.para(format!(
        "Codebook “{}”, version {version}. {} transcripts, {} cases, {} raters. Quotes are cited as {form}.",
        data.codebook.name,
        data.transcripts.len(),
        data.cases.len(),
        data.raters.len(),
    ));
    let context = Context {
        data: &data,
        records: &records,
        agreement: agreement.as_ref(),
        rounds: &rounds,
        quotes: &quotes,
        version,
    };
    for (_, code) in data.codebook.tree_order() {
        if options.codes.is_empty() || options.codes.contains(&code.code_id) {
            section(&mut doc, &context, code);
        }
    }
    doc.heading(1, "Appendix: methods");
    doc.para(methods(store, agreement.as_ref(), options)?);
    Ok(Report {
        document: doc,
        agreement,
    })
}

/// What every code's section reads from.
struct Context<'a> {
    data: &'a ProjectData,
    records: &'a [Adjudication],
    agreement: Option<&'a ProjectAgreement>,
    rounds: &'a [(CodeId, String)],
    quotes: &'a [QuoteRow],
    version: i64,
}

/// One code's section: definition, agreement, key quotes with provenance, case summaries and
/// memos (nothing for a code nobody used and nobody wrote about).
fn section(doc: &mut Document, context: &Context<'_>, code: &Code) {
    let used = context
        .data
        .codings
        .iter()
        .any(|c| c.code_id == code.code_id);
    let own: Vec<&QuoteRow> = context
        .quotes
        .iter()
        .filter(|q| q.excerpt.code_id == code.code_id)
        .collect();
    let memos: Vec<_> = context
        .data
        .memos
        .iter()
        .filter(|m| match m.target {
            MemoTarget::Code(id) | MemoTarget::Cell { code: id, .. } => id == code.code_id,
            MemoTarget::Coding(c) => context
                .data
                .codings
                .iter()
                .any(|x| x.coding_id == c && x.code_id == code.code_id),
            _ => false,
        })
        .collect();
    let summaries: Vec<_> = context
        .data
        .summaries
        .iter()
        .filter(|s| s.code_id == code.code_id)
        .collect();
    if !used && own.is_empty() && memos.is_empty() && summaries.is_empty() {
        return;
    }
    let path = context.data.codebook.path(code.code_id);
    doc.heading(1, path.clone());
    doc.field(
        format!("Definition (codebook version {})", context.version),
        definition(code),
    );
    let row = context.agreement.and_then(|a| {
        a.rows
            .iter()
            .find(|r| r.code_id.as_deref() == Some(code.code_id.to_text().as_str()))
            .map(|r| (r, a))
    });
    match row {
        Some((r, a)) => doc.field("Agreement", agreement_line(r, a)),
        None => doc.field("Agreement", "not measured (fewer than two raters coded it)"),
    }
    for line in context
        .rounds
        .iter()
        .filter(|(id, _)| *id == code.code_id)
        .map(|(_, l)| l)
    {
        doc.field("In a reliability round", line.clone());
    }
    if !own.is_empty() {
        doc.heading(2, "Key quotes");
        for q in own {
            if !q.label.is_empty() {
                doc.heading(3, q.label.clone());
            }
            doc.quote(q.excerpt.quote.clone());
            doc.para(q.citation.clone());
            doc.field("Provenance", provenance(context.data, context.records, q));
        }
    }
    if !summaries.is_empty() {
        doc.heading(2, "Case summaries");
        for s in summaries {
            let case = context
                .data
                .case(s.case_id)
                .map_or("?", |c| c.name.as_str());
            doc.field(format!("Case {case}"), s.text.clone());
        }
    }
    if !memos.is_empty() {
        doc.heading(2, "Memos");
        for m in memos {
            let who = m
                .rater_id
                .and_then(|r| context.data.rater(r))
                .map_or("unknown author", |r| r.name.as_str());
            let when = m.created_at.get(..10).unwrap_or(&m.created_at);
            doc.field(format!("{who}, {when}"), m.text.clone());
        }
    }
}

/// Each computed round's result for each code, as a line: (code, line).
fn rounds_by_code(store: &Store) -> Result<Vec<(CodeId, String)>> {
    let mut out = Vec::new();
    for round in store.rounds()? {
        if round.computed_at.is_none() {
            continue;
        }
        for (code, r) in super::rounds::kept_results(store, &round)? {
            let kappa = match (r.kappa, r.kappa_interval) {
                (Some(k), Some((lo, hi))) => format!("{k:.3} [{lo:.2}, {hi:.2}]"),
                (Some(k), None) => format!("{k:.3}"),
                (None, _) => "undefined".into(),
            };
            out.push((
                code,
                format!(
                    "{}: {} = {kappa} over {} units ({}), codebook version {}.",
                    round.name, r.kappa_name, r.units, round.unit, round.codebook_version
                ),
            ));
        }
    }
    Ok(out)
}

/// The codebook versions in which each code's definition (its name, definitions, when to use and
/// not) changed from the version before.
fn revisions(store: &Store) -> Result<Vec<(CodeId, Vec<i64>)>> {
    let mut out: Vec<(CodeId, Vec<i64>)> = Vec::new();
    let mut before = store.codebook_at(1)?;
    for version in 2..=store.codebook_version()? {
        let book = store.codebook_at(version)?;
        for code in &book.codes {
            let fields = |c: &Code| {
                (
                    c.name.clone(),
                    c.short_definition.clone(),
                    c.definition.clone(),
                    c.when_to_use.clone(),
                    c.when_not_to_use.clone(),
                )
            };
            let changed = before
                .get(code.code_id)
                .is_some_and(|old| fields(old) != fields(code));
            if changed {
                match out.iter_mut().find(|(c, _)| *c == code.code_id) {
                    Some((_, versions)) => versions.push(version),
                    None => out.push((code.code_id, vec![version])),
                }
            }
        }
        before = book;
    }
    Ok(out)
}

/// The codes whose kappa interval reaches below `threshold`, each with its kappa and what was done
/// about it (the codebook versions that revised its definition).
fn below_threshold(store: &Store, a: &ProjectAgreement, threshold: f64) -> Result<Vec<String>> {
    let revisions = revisions(store)?;
    Ok(a.rows
        .iter()
        .filter(|r| {
            r.kappa
                .interval
                .map_or(r.kappa.value, |(lo, _)| Some(lo))
                .is_some_and(|lo| lo < threshold)
        })
        .map(|r| {
            let done = r
                .code_id
                .as_deref()
                .and_then(|id| revisions.iter().find(|(c, _)| c.to_text() == id))
                .map_or_else(
                    || "its definition has not been revised".to_string(),
                    |(_, versions)| {
                        format!(
                            "its definition was revised in codebook version {}",
                            versions
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                );
            format!("{} ({}; {done})", r.code, estimate(&r.kappa))
        })
        .collect())
}

/// The methods paragraph.
fn methods(
    store: &Store,
    agreement: Option<&ProjectAgreement>,
    options: &ReportOptions,
) -> Result<String> {
    let mut out = String::new();
    let stats = &options.agreement.stats;
    match agreement {
        Some(a) => {
            let kappa = a
                .rows
                .first()
                .map_or("Cohen's kappa", |r| r.kappa_name.as_str());
            let _ = write!(
                out,
                "Interrater agreement was measured code by code at the {} level ({}). {} raters ({}) \
                 coded {} transcripts independently. For each code we report {kappa} with its {:.0}% \
                 confidence interval (analytic), Krippendorff's alpha with a percentile bootstrap \
                 interval ({} replicates, seed {}), and percent agreement.",
                a.unit.name(),
                a.description,
                a.raters.len(),
                a.raters.join(", "),
                a.transcripts.len(),
                stats.confidence * 100.0,
                stats.bootstrap_replicates,
                stats.seed,
            );
            if let Some(p) = &a.pooled {
                let _ = write!(
                    out,
                    " Pooled over all codes, {} = {}.",
                    p.kappa_name,
                    estimate(&p.kappa)
                );
            }
            let below = below_threshold(store, a, options.threshold)?;
            if below.is_empty() {
                let _ = write!(
                    out,
                    " Every code's interval lies at or above {:.2}.",
                    options.threshold
                );
            } else {
                let _ = write!(
                    out,
                    " Codes whose interval reaches below {:.2}: {}.",
                    options.threshold,
                    below.join("; ")
                );
            }
        }
        None => out.push_str("Interrater agreement was not measured: fewer than two raters coded."),
    }
    let rounds = store.rounds()?;
    if !rounds.is_empty() {
        let list: Vec<String> = rounds
            .iter()
            .map(|r| {
                format!(
                    "{} (codebook version {}, unit {}, {} transcripts, {} raters{})",
                    r.name,
                    r.codebook_version,
                    r.unit,
                    r.transcripts.len(),
                    r.raters.len(),
                    if r.computed_at.is_some() {
                        ""
                    } else {
                        ", not computed"
                    }
                )
            })
            .collect();
        let _ = write!(out, " Reliability rounds: {}.", list.join("; "));
    }
    let accepted = store
        .proposals()?
        .into_iter()
        .filter(|p| p.status == "accepted")
        .count();
    let version = store.codebook_version()?;
    let _ = write!(
        out,
        " The codebook is at version {version}{}; {} disagreements were settled into a consensus \
         layer by adjudication.",
        if accepted > 0 {
            format!(", with {accepted} proposed change(s) from raters accepted")
        } else {
            String::new()
        },
        store
            .adjudications(None)?
            .iter()
            .filter(|a| a.withdrawn_at.is_none())
            .count()
    );
    Ok(out)
}
