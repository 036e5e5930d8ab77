//! Interrater agreement: pure statistics on reliability data (units x raters) and the unitizing of
//! codings into such data (per character, turn, sentence or matched segment, and Krippendorff's
//! unitizing alpha). No SQL and no GUI here: callers pass plain values.

// The statistics follow their published formulas, whose symbols are single letters (n, q, p, k, l).
// Exact float comparisons are intended where values are capped at exactly 1 or where a parsed number
// must equal a declared category value.
#![allow(
    clippy::many_single_char_names,
    clippy::similar_names,
    clippy::float_cmp
)]

pub mod bootstrap;
pub mod cohen;
pub mod confusion;
pub mod data;
pub mod error;
pub mod estimate;
pub mod gwet;
pub mod krippendorff;
pub mod planning;
pub mod project;
#[cfg(test)]
mod proptests;
pub mod ratings_csv;
pub mod report;
pub mod unitize;

pub use data::{Category, Pattern, ReliabilityData};
pub use error::AgreementError;
pub use estimate::Estimate;
pub use krippendorff::Level;
pub use report::{STATISTICS, StatOptions, StatsReport, compute_all, formula};
