//! `accord round new|compute` and `accord rounds`: reliability rounds and each code's agreement
//! across them, the codes still below the threshold first, with their definition changes.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::agreement::parse_unit;
use super::{ProjectPath, open, open_to_read, output};
use crate::agreement::project::Unit;
use crate::app::Command;
use crate::app::resolve;
use crate::app::rounds::{
    History, RuleReport, RuleStatus, Statistic, find_round, history, make_round, rule, rule_report,
};

/// `accord round ...`
#[derive(Debug, Subcommand)]
pub enum RoundCommand {
    /// Start a round: transcripts and raters, under the current codebook version.
    New {
        #[command(flatten)]
        project: ProjectPath,
        /// The round's name ("Round 1").
        name: String,
        /// Its transcripts (names or ids).
        #[arg(long, value_delimiter = ',', required = true)]
        transcripts: Vec<String>,
        /// Its raters (at least two; for intra-rater agreement, a rater and their second pass).
        #[arg(long, value_delimiter = ',', required = true)]
        raters: Vec<String>,
        /// The unit agreement is measured at: char, turn, sentence, segment or unitizing.
        #[arg(long, default_value = "turn", value_parser = parse_unit)]
        unit: Unit,
    },
    /// Compute (or recompute) a round's per-code agreement and keep it.
    Compute {
        #[command(flatten)]
        project: ProjectPath,
        /// The round's name.
        name: String,
    },
    /// Keep a stopping rule with a round: every code's interval lower bound at least a value
    /// (`accord rounds` reports each code against it).
    Rule {
        #[command(flatten)]
        project: ProjectPath,
        /// The round's name.
        name: String,
        /// The least lower bound every code's interval must reach (0.70).
        #[arg(long, required_unless_present = "clear", allow_negative_numbers = true)]
        lower_bound: Option<f64>,
        /// The statistic: kappa, alpha, percent or ac1.
        #[arg(long, default_value = "kappa")]
        statistic: String,
        /// Clear the round's rule instead.
        #[arg(long, conflicts_with = "lower_bound")]
        clear: bool,
    },
}

/// Arguments of `accord rounds`.
#[derive(Debug, Args)]
pub struct RoundsArgs {
    #[command(flatten)]
    pub project: ProjectPath,
    /// The statistic to follow: kappa, alpha, percent or ac1.
    #[arg(long, default_value = "kappa")]
    pub statistic: String,
    /// The threshold a code must reach.
    #[arg(long, default_value_t = 0.8)]
    pub threshold: f64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `accord round`.
pub fn round(cmd: &RoundCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RoundCommand::New {
            project,
            name,
            transcripts,
            raters,
            unit,
        } => {
            let mut ws = open(&project.project)?;
            let transcripts = resolve::transcript_ids(ws.store(), transcripts)?;
            let raters = resolve::rater_ids(ws.store(), raters)?;
            let round = make_round(ws.store(), name, &transcripts, &raters, *unit)?;
            ws.apply(
                &format!("Start {}", round.name),
                Command::Rounds(crate::app::RoundCommand::Add(Box::new(round.clone()))),
            )?;
            println!(
                "round {:?}: {} transcripts, {} raters, codebook version {}, agreement per {}",
                round.name,
                round.transcripts.len(),
                round.raters.len(),
                round.codebook_version,
                round.unit
            );
        }
        RoundCommand::Compute { project, name } => {
            let mut ws = open(&project.project)?;
            let round = find_round(ws.store(), name)?;
            ws.apply(
                &format!("Compute {}", round.name),
                Command::Rounds(crate::app::RoundCommand::Compute(round.round_id)),
            )?;
            let results = crate::app::rounds::kept_results(ws.store(), &round)?;
            println!(
                "round {:?}: agreement of {} codes kept",
                round.name,
                results.len()
            );
            for (_, r) in &results {
                println!(
                    "  {:<48} {} {}",
                    output::one_line(&r.code, 48),
                    r.kappa_name,
                    r.kappa.map_or("undefined".into(), |v| format!("{v:.3}"))
                );
            }
        }
        RoundCommand::Rule {
            project,
            name,
            lower_bound,
            statistic,
            clear,
        } => {
            let statistic: Statistic = statistic.parse().map_err(anyhow::Error::msg)?;
            let mut ws = open(&project.project)?;
            let round = find_round(ws.store(), name)?;
            let new = match (clear, lower_bound) {
                (true, _) | (false, None) => None,
                (false, Some(b)) => Some(rule(statistic, *b)?),
            };
            let label = match &new {
                Some(r) => format!(
                    "Keep the rule of {}: every code's {} lower bound at least {:.2}",
                    round.name, r.statistic, r.lower_bound
                ),
                None => format!("Clear the rule of {}", round.name),
            };
            ws.apply(
                &label,
                Command::Rounds(crate::app::RoundCommand::SetRule {
                    round: round.round_id,
                    rule: new,
                }),
            )?;
            println!("{label}.");
            if let Some(report) = rule_report(ws.store(), &round)? {
                print!("{}", rule_text(&report));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn status_word(s: RuleStatus) -> &'static str {
    match s {
        RuleStatus::Met => "met",
        RuleStatus::NotMet => "not met",
        RuleStatus::Undefined => "undefined",
    }
}

/// A round's rule and each code against it.
fn rule_text(r: &RuleReport) -> String {
    let mut out = String::new();
    let met = r
        .codes
        .iter()
        .filter(|c| c.status == RuleStatus::Met)
        .count();
    let _ = writeln!(
        out,
        "{}: rule \"every code's {} lower bound at least {:.2}\": {}{} ({met} of {} codes met)",
        r.round,
        r.statistic.key(),
        r.lower_bound,
        status_word(r.overall),
        r.reason
            .as_ref()
            .map_or_else(String::new, |why| format!(": {why}")),
        r.codes.len()
    );
    for c in &r.codes {
        let lower = c.lower.map_or("—".to_string(), |v| format!("{v:.3}"));
        let value = c.value.map_or("—".to_string(), |v| format!("{v:.3}"));
        let _ = writeln!(
            out,
            "  {:<9} {:<44} lower {lower:>6}  value {value:>6}{}",
            status_word(c.status),
            output::one_line(&c.code, 44),
            c.reason
                .as_ref()
                .map_or_else(String::new, |why| format!("  ({why})"))
        );
    }
    out
}

/// Runs `accord rounds`.
pub fn rounds(args: &RoundsArgs) -> anyhow::Result<ExitCode> {
    let ws = open_to_read(&args.project.project)?;
    let store = ws.store();
    let statistic: Statistic = args.statistic.parse().map_err(anyhow::Error::msg)?;
    let h = history(store, statistic, args.threshold)?;
    if args.json {
        output::json(&h)?;
    } else {
        print!("{}", table(&h));
    }
    Ok(ExitCode::SUCCESS)
}

fn table(h: &History) -> String {
    let mut out = String::new();
    if h.rounds.is_empty() {
        return "no rounds yet: start one with accord round new, then accord round compute\n"
            .into();
    }
    for (name, version, unit, raters, transcripts) in &h.rounds {
        let _ = writeln!(
            out,
            "{name}: codebook version {version}, {raters} raters, {transcripts} transcripts, per {unit}"
        );
    }
    let stat = serde_json::to_value(h.statistic)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let _ = write!(
        out,
        "\n{:<44}",
        format!("{stat} by round (threshold {:.2})", h.threshold)
    );
    for (name, ..) in &h.rounds {
        let _ = write!(out, " {:>10}", output::one_line(name, 10));
    }
    out.push('\n');
    let mut heading_done = false;
    for code in &h.codes {
        if !code.below && !heading_done {
            let _ = writeln!(out, "{}", "-".repeat(44 + 11 * h.rounds.len()));
            heading_done = true;
        }
        let mark = if code.below { "below " } else { "" };
        let _ = write!(
            out,
            "{:<44}",
            output::one_line(&format!("{mark}{}", code.code), 44)
        );
        for r in &code.rounds {
            let cell = r.as_ref().map_or("-".to_string(), |r| {
                r.get(h.statistic)
                    .map_or("undef".into(), |v| format!("{v:.3}"))
            });
            let _ = write!(out, " {cell:>10}");
        }
        out.push('\n');
        if code.below {
            for c in &code.changes {
                let _ = writeln!(
                    out,
                    "    v{}→v{} {}: {:?} → {:?}",
                    c.from_version,
                    c.to_version,
                    c.field,
                    output::one_line(&c.before, 50),
                    output::one_line(&c.after, 50)
                );
            }
        }
    }
    let below = h.codes.iter().filter(|c| c.below).count();
    let _ = writeln!(
        out,
        "\n{below} of {} codes below {:.2} in their latest round",
        h.codes.len(),
        h.threshold
    );
    for r in &h.rules {
        out.push('\n');
        out.push_str(&rule_text(r));
    }
    out
}
