//! The agreement report (the per-code table of `app::agreement`, worst first, with the pooled row) as
//! Markdown, as HTML with an SVG bar chart of each code's kappa and its interval, and as a table for
//! CSV/XLSX. Every form states the unit, the formulas, the intervals and the disagreement counts.

use std::fmt::Write as _;

use super::html;
use super::table::{Cell, Table};
use crate::agreement::project::{CodeRow, GROUPS_LEGEND, GroupsReport, ProjectAgreement};
use crate::agreement::{Estimate, formula};

fn num(e: &Estimate) -> String {
    e.value.map_or("—".into(), |v| format!("{v:.3}"))
}

fn ci(e: &Estimate) -> String {
    e.interval
        .map_or(String::new(), |(a, b)| format!("[{a:.2}, {b:.2}]"))
}

fn kappa_key(name: &str) -> &'static str {
    if name.starts_with("Cohen") {
        "cohen_kappa"
    } else if name.starts_with("Fleiss") {
        "fleiss_kappa"
    } else {
        ""
    }
}

/// The report's opening lines: unit, raters, transcripts and those left out.
fn header_lines(report: &ProjectAgreement) -> Vec<String> {
    let mut lines = vec![
        report.description.clone(),
        format!(
            "Raters: {}. Transcripts ({}): {}.",
            report.raters.join(", "),
            report.transcripts.len(),
            report.transcripts.join(", ")
        ),
    ];
    for e in &report.excluded {
        lines.push(format!(
            "Left out: {} (not coded by {}).",
            e.transcript,
            e.not_coded_by.join(", ")
        ));
    }
    lines
}

/// The formulas of the columns, as (column, formula) pairs.
fn formulas(report: &ProjectAgreement) -> Vec<(String, &'static str)> {
    let kappa_name = report
        .rows
        .first()
        .map_or("Cohen's kappa", |r| r.kappa_name.as_str());
    let mut out = vec![("agreement".to_string(), formula("percent_agreement"))];
    let key = kappa_key(kappa_name);
    if !key.is_empty() {
        out.push((format!("kappa ({kappa_name})"), formula(key)));
    }
    out.push(("alpha".to_string(), formula("krippendorff_alpha")));
    out.push(("AC1".to_string(), formula("gwet_ac1")));
    out
}

fn rows(report: &ProjectAgreement) -> impl Iterator<Item = &CodeRow> {
    report.rows.iter().chain(report.pooled.iter())
}

/// Markdown: the header, the per-code table, the formulas and the reasons for undefined values.
#[must_use]
pub fn to_markdown(report: &ProjectAgreement) -> String {
    let mut out = String::from("# Interrater agreement\n\n");
    for line in header_lines(report) {
        let _ = write!(out, "{}\n\n", html::escape_markdown(&line));
    }
    out.push_str("| code | units | agreement | kappa | 95% CI | alpha | 95% CI | AC1 | disagreements |\n|---|---:|---:|---:|---|---:|---|---:|---:|\n");
    for r in rows(report) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            html::escape_markdown(&r.code).replace('|', "\\|"),
            r.units,
            num(&r.percent_agreement),
            num(&r.kappa),
            ci(&r.kappa),
            num(&r.alpha),
            ci(&r.alpha),
            num(&r.gwet_ac1),
            r.disagreements
        );
    }
    out.push_str(
        "\nIntervals are 95%; rows are worst first, the pooled row last.\n\n## Formulas\n\n",
    );
    for (name, f) in formulas(report) {
        let _ = writeln!(out, "- {name}: {f}");
    }
    let undefined: Vec<String> = rows(report)
        .filter_map(|r| {
            r.kappa
                .undefined_reason
                .as_ref()
                .map(|why| html::escape_markdown(&format!("- {}: kappa undefined: {why}", r.code)))
        })
        .collect();
    if !undefined.is_empty() {
        let _ = write!(out, "\n## Undefined values\n\n{}\n", undefined.join("\n"));
    }
    out
}

/// One row per code (and the pooled row) with values, standard errors and intervals.
#[must_use]
pub fn to_table(report: &ProjectAgreement) -> Table {
    let header = [
        "code",
        "code_id",
        "unit",
        "units",
        "percent_agreement",
        "kappa_name",
        "kappa",
        "kappa_se",
        "kappa_low",
        "kappa_high",
        "alpha",
        "alpha_low",
        "alpha_high",
        "gwet_ac1",
        "gwet_ac1_low",
        "gwet_ac1_high",
        "disagreements",
        "undefined_reason",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    let unit = format!("{:?}", report.unit).to_lowercase();
    let rows = rows(report)
        .map(|r| {
            vec![
                Cell::from(r.code.as_str()),
                Cell::from(r.code_id.clone().unwrap_or_default()),
                Cell::from(unit.as_str()),
                Cell::from(r.units),
                Cell::from(r.percent_agreement.value),
                Cell::from(r.kappa_name.as_str()),
                Cell::from(r.kappa.value),
                Cell::from(r.kappa.standard_error),
                Cell::from(r.kappa.interval.map(|i| i.0)),
                Cell::from(r.kappa.interval.map(|i| i.1)),
                Cell::from(r.alpha.value),
                Cell::from(r.alpha.interval.map(|i| i.0)),
                Cell::from(r.alpha.interval.map(|i| i.1)),
                Cell::from(r.gwet_ac1.value),
                Cell::from(r.gwet_ac1.interval.map(|i| i.0)),
                Cell::from(r.gwet_ac1.interval.map(|i| i.1)),
                Cell::from(r.disagreements),
                Cell::from(r.kappa.undefined_reason.clone().unwrap_or_default()),
            ]
        })
        .collect();
    Table {
        name: "Agreement".into(),
        header,
        rows,
    }
}

/// The code groups' rows (`--groups`): a row per group and the `Cuα` row.
#[must_use]
pub fn groups_table(report: &GroupsReport) -> Table {
    let header = [
        "code_group",
        "codes",
        "u_alpha",
        "u_alpha_binary",
        "cu_alpha",
        "notes",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    let mut rows: Vec<Vec<Cell>> = report
        .groups
        .iter()
        .map(|g| {
            vec![
                Cell::from(g.group.as_str()),
                Cell::from(g.codes.join("; ")),
                Cell::from(g.alphas.u_alpha),
                Cell::from(g.alphas.u_alpha_binary),
                Cell::from(g.alphas.cu_alpha),
                Cell::from(g.alphas.notes.join(" ")),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::from(ALL_GROUPS),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::from(report.cu_alpha_all),
        Cell::from(report.notes.join(" ")),
    ]);
    Table {
        name: "Code groups".into(),
        header,
        rows,
    }
}

/// The name of the `Cuα` row.
pub const ALL_GROUPS: &str = "Cu_alpha (all groups)";

/// The code groups' rows as a Markdown section.
#[must_use]
pub fn groups_markdown(report: &GroupsReport) -> String {
    let value = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.3}"));
    let cell = |t: &str| html::escape_markdown(t).replace('|', "\\|");
    let mut out = String::from(
        "## Code groups\n\n| code group | codes | uα | \\|uα | cuα |\n|---|---|---:|---:|---:|\n",
    );
    for g in &report.groups {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&g.group),
            cell(&g.codes.join("; ")),
            value(g.alphas.u_alpha),
            value(g.alphas.u_alpha_binary),
            value(g.alphas.cu_alpha)
        );
    }
    let _ = writeln!(
        out,
        "| {} |  |  |  | {} |",
        cell(ALL_GROUPS),
        value(report.cu_alpha_all)
    );
    let _ = writeln!(out, "\n{}", html::escape_markdown(GROUPS_LEGEND));
    let notes: Vec<String> = report
        .groups
        .iter()
        .flat_map(|g| {
            g.alphas
                .notes
                .iter()
                .map(move |n| format!("- {}: {n}", g.group))
        })
        .chain(report.notes.iter().map(|n| format!("- {n}")))
        .collect();
    if !notes.is_empty() {
        let _ = write!(out, "\n{}\n", html::escape_markdown(&notes.join("\n")));
    }
    out
}

/// HTML: the header, a bar chart of kappa per code (whiskers for the interval) and the table.
#[must_use]
pub fn to_html(report: &ProjectAgreement) -> String {
    let mut body = String::new();
    for line in header_lines(report) {
        let _ = writeln!(body, "<p>{}</p>", html::escape(&line));
    }
    body.push_str(&bar_chart(report));
    body.push_str("<table>\n<tr><th>code</th><th>units</th><th>agreement</th><th>kappa</th><th>95% CI</th><th>alpha</th><th>95% CI</th><th>AC1</th><th>disagreements</th></tr>\n");
    for r in rows(report) {
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            html::escape(&r.code),
            r.units,
            num(&r.percent_agreement),
            num(&r.kappa),
            ci(&r.kappa),
            num(&r.alpha),
            ci(&r.alpha),
            num(&r.gwet_ac1),
            r.disagreements
        );
    }
    body.push_str("</table>\n<h2>Formulas</h2>\n<ul>\n");
    for (name, f) in formulas(report) {
        let _ = writeln!(
            body,
            "<li>{}: {}</li>",
            html::escape(&name),
            html::escape(f)
        );
    }
    body.push_str("</ul>\n");
    html::page("Interrater agreement", &body)
}

/// A horizontal bar per code: kappa from 0 (bars left of 0 for negative values), whiskers for the
/// interval, a grey note for undefined values.
fn bar_chart(report: &ProjectAgreement) -> String {
    const LABEL: f64 = 300.0;
    const WIDTH: f64 = 400.0;
    const ROW: f64 = 22.0;
    let all: Vec<&CodeRow> = rows(report).collect();
    let height = ROW * all.len() as f64 + 30.0;
    // The axis runs from -1 to 1; at(v) is where a value lies on it.
    let at = |v: f64| LABEL + f64::midpoint(v.clamp(-1.0, 1.0), 1.0) * WIDTH;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"kappa per code\" font-size=\"12\">\n",
        LABEL + WIDTH + 60.0
    );
    for (i, r) in all.iter().enumerate() {
        let top = ROW * i as f64 + 4.0;
        let label: String = r.code.chars().take(45).collect();
        let _ = writeln!(
            svg,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL - 6.0,
            top + 13.0,
            html::escape(&label)
        );
        let Some(kappa) = r.kappa.value else {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#888\">undefined</text>",
                at(0.0) + 4.0,
                top + 13.0
            );
            continue;
        };
        let (left, right) = (at(0.0).min(at(kappa)), at(0.0).max(at(kappa)));
        let fill = if r.code_id.is_none() {
            "#555"
        } else {
            "#4878a8"
        };
        let _ = writeln!(
            svg,
            "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"16\" fill=\"{fill}\"><title>{}: {kappa:.3}</title></rect>",
            (right - left).max(1.0),
            html::escape(&r.code)
        );
        if let Some((lo, hi)) = r.kappa.interval {
            let _ = writeln!(
                svg,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#000\"/>",
                at(lo),
                at(hi),
                top + 8.0,
                top + 8.0
            );
        }
    }
    let axis_y = ROW * all.len() as f64 + 8.0;
    for tick in [-1.0, -0.5, 0.0, 0.5, 1.0] {
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"0\" y2=\"{axis_y:.1}\" stroke=\"#ccc\"/><text x=\"{0:.1}\" y=\"{1:.1}\" text-anchor=\"middle\">{tick}</text>",
            at(tick),
            axis_y + 14.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}
