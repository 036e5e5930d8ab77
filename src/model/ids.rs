//! Stable identifiers. Every entity carries a UUID that never changes, so that merging rater files and
//! exchanging REFI-QDA projects match entities by identity, never by name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The namespace for name-derived (version 5) UUIDs, used when a hand-written codebook gives no id:
/// the same code path always gets the same id, so re-importing the file updates instead of duplicating.
pub const ACCORD_NAMESPACE: Uuid = Uuid::from_u128(0x6f1e_7c1a_3b2d_4c7e_9a51_0c8e_a7c0_4d21);

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new random (version 4) id.
            #[must_use]
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }

            /// The id as a hyphenated lowercase string, the form stored in the project file.
            #[must_use]
            pub fn to_text(&self) -> String {
                self.0.hyphenated().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0.hyphenated())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                // Lenient: accept braces, as NVivo and ATLAS.ti write them.
                let trimmed = s.trim().trim_start_matches('{').trim_end_matches('}');
                Uuid::parse_str(trimmed).map(Self)
            }
        }
    };
}

id_type!(
    /// Identifies a project (one `.accord` file).
    ProjectId
);
id_type!(
    /// Identifies a transcript.
    TranscriptId
);
id_type!(
    /// Identifies one turn of a transcript.
    TurnId
);
id_type!(
    /// Identifies a case (a participant).
    CaseId
);
id_type!(
    /// Identifies a code of the codebook.
    CodeId
);
id_type!(
    /// Identifies a rater (a person coding, or a consensus layer).
    RaterId
);
id_type!(
    /// Identifies one coding: a span of a transcript coded with a code by a rater.
    CodingId
);
id_type!(
    /// Identifies a memo.
    MemoId
);
id_type!(
    /// Identifies a proposed change to the codebook.
    ProposalId
);
id_type!(
    /// Identifies one settled disagreement (an adjudication decision).
    AdjudicationId
);
id_type!(
    /// Identifies a reliability round.
    RoundId
);

impl CodeId {
    /// The id a code gets from its path when the codebook file gives none (stable across imports).
    #[must_use]
    pub fn from_path(path: &str) -> Self {
        Self(Uuid::new_v5(
            &ACCORD_NAMESPACE,
            format!("code:{path}").as_bytes(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_braced_and_plain_uuids_alike() {
        let plain: CodeId = "0d7f3c1e-9b1a-4c55-8d0e-2f6a1b3c4d5e".parse().unwrap();
        let braced: CodeId = "{0D7F3C1E-9B1A-4C55-8D0E-2F6A1B3C4D5E}".parse().unwrap();
        assert_eq!(plain, braced);
        assert_eq!(plain.to_text(), "0d7f3c1e-9b1a-4c55-8d0e-2f6a1b3c4d5e");
    }

    #[test]
    fn path_ids_are_stable_and_distinct() {
        assert_eq!(
            CodeId::from_path("Burnout/Cynicism"),
            CodeId::from_path("Burnout/Cynicism")
        );
        assert_ne!(
            CodeId::from_path("Burnout/Cynicism"),
            CodeId::from_path("Cynicism")
        );
    }
}
