//! `accord plan PROJECT --round R --width W`: how many units and transcripts each code needs
//! double-coded for its interval to be at most W wide (worst code first), and a seeded sample of
//! transcripts to double-code next, stratified by case attributes. A thin shell over `app::plan`.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Args;

use super::agreement::parse_unit;
use super::{ProjectPath, open_to_read, output};
use crate::agreement::project::Unit;
use crate::app::breakdown::Statistic;
use crate::app::plan::{DEFAULT_SEED, Plan, PlanOptions, plan};

/// Arguments of `accord plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// The pilot round (its name).
    #[arg(long)]
    pub round: String,
    /// The widest interval to accept (upper minus lower bound), in (0, 2].
    #[arg(long)]
    pub width: f64,
    /// Case attributes to stratify the sample by (arm,site).
    #[arg(long, value_delimiter = ',')]
    pub by: Vec<String>,
    /// The sample's seed (the same seed gives the same sample).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// The statistics whose intervals must be that narrow (kappa and alpha by default): kappa,
    /// alpha, agreement, ac1 or any statistic of `accord irr` by its JSON name.
    #[arg(long, value_delimiter = ',')]
    pub statistic: Vec<String>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// The unit (the round's by default): char, turn or sentence.
    #[arg(long, value_parser = parse_unit)]
    pub unit: Option<Unit>,
    /// How many transcripts to sample (by default what the worst code needs).
    #[arg(long)]
    pub transcripts: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `accord plan`.
pub fn run(args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let statistics = args
        .statistic
        .iter()
        .map(|s| s.parse::<Statistic>().map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let ws = open_to_read(&args.project.project)?;
    let options = PlanOptions {
        width: args.width,
        confidence: args.confidence,
        statistics,
        unit: args.unit,
        by: args.by.iter().map(|b| b.trim().to_string()).collect(),
        seed: args.seed,
        transcripts: args.transcripts,
    };
    let p = plan(ws.store(), &args.round, &options)?;
    if args.json {
        output::json(&p)?;
    } else {
        print!("{}", text(&p));
    }
    Ok(ExitCode::SUCCESS)
}

fn num(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.3}"))
}

fn count(v: Option<u64>) -> String {
    v.map_or("—".into(), |v| v.to_string())
}

/// The plan for people.
#[must_use]
pub fn text(p: &Plan) -> String {
    let mut out = String::new();
    let pct = p.confidence * 100.0;
    let _ = writeln!(
        out,
        "Plan from round {:?} ({} transcripts, raters {}): {pct:.0}% intervals at most {:.3} wide, per {}.",
        output::terminal_safe(&p.round),
        p.pilot_transcripts,
        p.raters.join(", "),
        p.width,
        p.units_name.trim_end_matches('s')
    );
    let _ = writeln!(
        out,
        "Units needed n = smallest n with 2 t(n-1) SE_p sqrt(n_p/n) <= width (about n_p (2 z SE_p / width)^2);\n\
         \"from prevalence\": a binary code's large-sample kappa variance (Bloch & Kraemer 1989).\n"
    );
    codes_table(p, &mut out);
    out.push('\n');
    match (&p.worst, p.needed_units, p.more_transcripts) {
        (Some(worst), Some(units), Some(more)) => {
            let _ = writeln!(
                out,
                "Requirement: {units} {} in all, set by {}: {more} more transcripts at {:.1} {} per transcript (from {}).",
                p.units_name,
                output::terminal_safe(worst),
                p.units_per_transcript,
                p.units_name,
                p.units_per_transcript_from
            );
        }
        _ => {
            let _ = writeln!(out, "No code gives a requirement (see the reasons above).");
        }
    }
    if let Some((statistic, bound)) = &p.rule {
        let _ = writeln!(
            out,
            "Round rule: every code's {statistic} lower bound at least {bound:.2}. Krippendorff's \
             minimum units to show it at the {:.0}% level (two raters, the code's rarer value):",
            (1.0 - p.confidence) * 100.0
        );
        let short: Vec<String> = p
            .codes
            .iter()
            .filter_map(|c| Some((c, c.rule_minimum?)))
            .filter(|(c, n)| *n > c.pilot_units)
            .map(|(c, n)| format!("{:<48} {n:>7}", output::one_line(&c.code, 48)))
            .collect();
        if short.is_empty() {
            let _ = writeln!(out, "  the pilot has at least that many for every code.");
        } else {
            let _ = writeln!(out, "  more than the pilot's units for:");
            for line in short {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    for note in &p.notes {
        let _ = writeln!(out, "Note: {note}");
    }
    sample_text(p, &mut out);
    out
}

/// The codes, worst first, a line per statistic.
fn codes_table(p: &Plan, out: &mut String) {
    let _ = writeln!(
        out,
        "{:<36} {:>6} {:>7}  {:<22} {:>7} {:>7} {:>9} {:>9} {:>8} {:>11}",
        "code (worst first; ~ rough)",
        "prev.",
        "pilot n",
        "statistic",
        "value",
        "width",
        "n (pilot)",
        "n (prev.)",
        "n needed",
        "transcripts"
    );
    for c in &p.codes {
        for (i, s) in c.statistics.iter().enumerate() {
            let (name, prev, n, needed, transcripts) = if i == 0 {
                let mark = if c.barely_seen && c.needed_units.is_some() {
                    "~ "
                } else {
                    ""
                };
                (
                    output::one_line(&format!("{mark}{}", c.code), 36),
                    format!("{:.3}", c.prevalence),
                    c.pilot_units.to_string(),
                    count(c.needed_units),
                    c.more_transcripts
                        .map_or_else(|| "no figure".to_string(), |t| format!("{t} more")),
                )
            } else {
                Default::default()
            };
            let _ = writeln!(
                out,
                "{name:<36} {prev:>6} {n:>7}  {:<22} {:>7} {:>7} {:>9} {:>9} {needed:>8} {transcripts:>11}",
                output::one_line(&s.statistic, 22),
                num(s.estimate),
                num(s.interval_width),
                count(s.from_pilot),
                count(s.from_prevalence),
            );
        }
        if let Some(reason) = &c.reason {
            let _ = writeln!(out, "    no figure: {}", output::one_line(reason, 200));
        }
    }
}

/// The sample: strata and transcripts.
fn sample_text(p: &Plan, out: &mut String) {
    let s = &p.sample;
    let by = if s.by.is_empty() {
        "unstratified".to_string()
    } else {
        format!("stratified by {}", s.by.join(" / "))
    };
    let _ = writeln!(
        out,
        "\nSample: {} of {} transcripts not yet double-coded, {by}, seed {} (the same seed gives the same sample).",
        s.transcripts.len(),
        s.available,
        s.seed
    );
    for st in &s.strata {
        let _ = writeln!(
            out,
            "  {:<40} {:>3} of {:>3}",
            output::one_line(&st.name, 40),
            st.chosen,
            st.available
        );
    }
    let total: u64 = s.transcripts.iter().map(|t| t.units).sum();
    for t in &s.transcripts {
        let _ = writeln!(
            out,
            "  {:<40} {:<30} {:>6} {}",
            output::one_line(&t.transcript, 40),
            output::one_line(&t.stratum, 30),
            t.units,
            p.units_name
        );
    }
    if !s.transcripts.is_empty() {
        let _ = writeln!(
            out,
            "  the sample holds {total} {}{}",
            p.units_name,
            if p.unit == Unit::Sentence {
                " (estimated)"
            } else {
                ""
            }
        );
    }
}
