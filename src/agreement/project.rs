//! The agreement report on a project, as the application layer computes it and the exports write it:
//! the unit, a row per code (and a pooled row), and the transcripts left out.

use serde::Serialize;

use super::{Estimate, StatsReport};

/// The unit agreement is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Every character (as NVivo).
    Char,
    /// Every speaker turn.
    Turn,
    /// Every sentence.
    Sentence,
    /// Coded segments matched by overlap (as MAXQDA).
    Segment,
    /// Krippendorff's binary unitizing alpha over the text (as ATLAS.ti), with character statistics.
    Unitizing,
}

impl Unit {
    /// The unit's name, as people type it (`char`, `turn`, ...).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Char => "char",
            Self::Turn => "turn",
            Self::Sentence => "sentence",
            Self::Segment => "segment",
            Self::Unitizing => "unitizing",
        }
    }
}

impl std::str::FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "char" | "character" => Ok(Self::Char),
            "turn" => Ok(Self::Turn),
            "sentence" => Ok(Self::Sentence),
            "segment" => Ok(Self::Segment),
            "unitizing" | "u-alpha" | "ualpha" => Ok(Self::Unitizing),
            _ => Err(format!(
                "unknown unit {s:?} (expected char, turn, sentence, segment or unitizing)"
            )),
        }
    }
}

/// A transcript left out of the comparison, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    /// Transcript name.
    pub transcript: String,
    /// Raters with no coding in it.
    pub not_coded_by: Vec<String>,
}

/// One row of the per-code table.
#[derive(Debug, Clone, Serialize)]
pub struct CodeRow {
    /// Code path ("all codes (pooled)" for the pooled row).
    pub code: String,
    /// Code id (none for the pooled row).
    pub code_id: Option<String>,
    /// Units compared.
    pub units: u64,
    /// Units each rater coded, in rater order.
    pub coded_by_rater: Vec<u64>,
    /// The headline kappa: Cohen's for two raters, Fleiss' for more; at segment level MAXQDA's kappa.
    pub kappa: Estimate,
    /// Which kappa `kappa` is.
    pub kappa_name: String,
    /// Krippendorff's alpha (binary unitizing alpha at the unitizing unit).
    pub alpha: Estimate,
    /// Percent agreement.
    pub percent_agreement: Estimate,
    /// Gwet's AC1.
    pub gwet_ac1: Estimate,
    /// Number of disagreements listed for this code.
    pub disagreements: usize,
    /// Every statistic.
    pub statistics: StatsReport,
    /// For a roll-up row (`--rollup`): the paths of the codes whose union it is, the parent first
    /// (empty, and left out of JSON, for a code's own row and the pooled row).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rolls_up: Vec<String>,
}

/// A project agreement report.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectAgreement {
    /// The unit.
    pub unit: Unit,
    /// Unit, rule and what the statistics run over.
    pub description: String,
    /// Raters compared.
    pub raters: Vec<String>,
    /// Transcripts compared.
    pub transcripts: Vec<String>,
    /// Transcripts left out, and why.
    pub excluded: Vec<Excluded>,
    /// One row per code, worst first (undefined last).
    pub rows: Vec<CodeRow>,
    /// All codes pooled.
    pub pooled: Option<CodeRow>,
}

/// One group's row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupRow {
    /// The group's name.
    pub group: String,
    /// Its codes' paths, in the group's order.
    pub codes: Vec<String>,
    /// `uα`, `|uα`, `cuα` and why one is undefined.
    #[serde(flatten)]
    pub alphas: crate::agreement::unitize::groups::GroupAlphas,
}

/// Every chosen group's row and `Cuα`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupsReport {
    /// Raters compared.
    pub raters: Vec<String>,
    /// How many transcripts were compared (those every compared rater has coded).
    pub transcripts: usize,
    /// A row per group, in the codebook's order.
    pub groups: Vec<GroupRow>,
    /// `Cuα`: the coding disagreements of every group pooled; `None` when undefined.
    pub cu_alpha_all: Option<f64>,
    /// Why `Cuα` is undefined, when it is.
    pub notes: Vec<String>,
}

/// What each figure is, for the printed table.
pub const GROUPS_LEGEND: &str = "u_alpha: where the group's codes are and which one; |u_alpha: where the \
     group applies, its codes collapsed; cu_alpha: which code, where both raters marked the group; \
     Cu_alpha: cu_alpha's disagreements of every group pooled (Krippendorff 2019, §12.6).";
