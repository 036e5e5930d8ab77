//! The REFI-QDA vocabulary that reading and writing `.qdc` and `.qdpx` files share.

/// The labels of the structured fields after the short definition, in the order written.
pub const DESCRIPTION_LABELS: [&str; 4] =
    ["Definition", "When to use", "When not to use", "Example"];
