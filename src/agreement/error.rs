//! Errors of the agreement engine.

/// What can go wrong building reliability data or computing agreement.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AgreementError {
    /// A unit has a different number of cells than there are raters.
    #[error("a unit has {found} ratings but there are {expected} raters")]
    RaterCount {
        /// Raters in the data.
        expected: usize,
        /// Cells in the unit.
        found: usize,
    },
    /// A category index outside the declared categories.
    #[error("category index {index} is outside the {n_categories} declared categories")]
    CategoryIndex {
        /// The index.
        index: u32,
        /// Declared categories.
        n_categories: usize,
    },
    /// A value that is not one of the declared categories.
    #[error("{0:?} is not one of the declared categories")]
    UnknownCategory(String),
    /// Two data sets with different raters or categories cannot be merged.
    #[error("cannot pool reliability data with different raters or categories")]
    Mismatch,
    /// A problem in a ratings CSV, with its line.
    #[error("line {line}: {message}")]
    Csv {
        /// Line number (1-based).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A span outside its transcript.
    #[error(
        "transcript {transcript}: span {start}..{end} does not lie inside its {len_chars} characters"
    )]
    InvalidSpan {
        /// Transcript index.
        transcript: usize,
        /// Start.
        start: usize,
        /// End.
        end: usize,
        /// Its length.
        len_chars: usize,
    },
    /// A rater index outside the rater list.
    #[error("rater index {index} is outside the list of {n_raters} raters")]
    UnknownRater {
        /// The index.
        index: usize,
        /// Raters.
        n_raters: usize,
    },
    /// Too few raters for the computation.
    #[error("at least {needed} raters are needed, found {found}")]
    TooFewRaters {
        /// Needed.
        needed: usize,
        /// Found.
        found: usize,
    },
    /// A code index outside the compared codes.
    #[error("code index {index} is outside the {n_codes} compared codes")]
    UnknownCode {
        /// The index.
        index: usize,
        /// Codes compared.
        n_codes: usize,
    },
    /// An overlap threshold outside (0, 1].
    #[error("overlap threshold {0} is outside (0, 1]")]
    InvalidThreshold(f64),
}
