//! Codings as CSV, one row per coding, in the column order `import::codings_csv` reads back.

use std::io::Write;

use crate::app::listing::CodingView;
use crate::import::codings_csv::HEADER;

/// Writes codings as CSV.
pub fn write(out: impl Write, rows: &[CodingView]) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER)?;
    for r in rows {
        writer.write_record([
            r.coding_id.as_str(),
            &r.transcript,
            &r.transcript_id,
            &r.code,
            &r.code_id,
            &r.rater,
            &r.rater_id,
            &r.start.to_string(),
            &r.end.to_string(),
            &r.quote,
            r.memo.as_deref().unwrap_or(""),
            &r.created_at,
            &r.codebook_version.to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
