//! Keys of project settings that more than one layer reads or writes.

/// The settings key of blind mode: while `"on"`, a rater sees only their own codings.
pub const BLIND_MODE: &str = "blind_mode";

/// The setting that says text left the file but the backups and the index may still hold it, until
/// the application layer (`app::erase::finish_purge`) has replaced and rebuilt them (an interrupted
/// erase or de-identification is finished the next time the project is opened).
pub const PURGE_PENDING: &str = "purge_pending";
