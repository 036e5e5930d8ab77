//! Writers: project data to `impl Write` in the formats people take elsewhere. Nothing here reads the
//! store; callers pass resolved rows.

pub mod codings_csv;
