//! Interrater agreement: pure statistics on reliability data (units x raters) and the unitizing of
//! codings into such data (per character, turn, sentence or matched segment, and Krippendorff's
//! unitizing alpha). No SQL and no GUI here: callers pass plain values.

pub mod data;
pub mod error;
pub mod unitize;

pub use data::{Category, Pattern, ReliabilityData};
pub use error::AgreementError;
