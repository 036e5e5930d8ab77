//! Working as a team: where a rater file came from, proposed codebook changes and reliability rounds.

use serde::Serialize;

use super::{ProjectId, ProposalId, RaterId, RoundId, TranscriptId};

/// Where a rater file came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RaterFileInfo {
    /// The lead's project.
    pub origin: ProjectId,
    /// The rater the file is for.
    pub rater_id: RaterId,
    /// The codebook version it was issued with.
    pub codebook_version: i64,
    /// When it was issued.
    pub issued_at: String,
    /// The reliability round it belongs to, if any (its name).
    pub round: Option<String>,
}

/// A proposed change to one code, from a rater who may not change the codebook.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Proposal {
    /// Its id.
    pub proposal_id: ProposalId,
    /// Who proposes it.
    pub rater_id: Option<RaterId>,
    /// The codebook version it starts from.
    pub base_version: i64,
    /// The code as proposed (a new code has an id the codebook does not hold yet).
    pub proposed: crate::model::Code,
    /// Why.
    pub note: String,
    /// When.
    pub created_at: String,
    /// `open`, `accepted` or `rejected`.
    pub status: String,
    /// The lead's note on the decision.
    pub decision_note: Option<String>,
}

/// A round's stopping rule: every code's interval lower bound for a statistic at least a value.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RoundRule {
    /// The statistic (`kappa`, `alpha`, `percent` or `ac1`).
    pub statistic: String,
    /// The least lower bound every code's interval must reach.
    pub lower_bound: f64,
    /// When the rule was set.
    pub set_at: String,
}

/// A reliability round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Round {
    /// Its id.
    pub round_id: RoundId,
    /// Its name (unique).
    pub name: String,
    /// The codebook version the raters code under.
    pub codebook_version: i64,
    /// The unit agreement is measured at (`char`, `turn`, ...).
    pub unit: String,
    /// When it was made.
    pub created_at: String,
    /// When its agreement was last computed.
    pub computed_at: Option<String>,
    /// Its transcripts.
    pub transcripts: Vec<TranscriptId>,
    /// Its raters.
    pub raters: Vec<RaterId>,
}
