//! Codings as CSV, one row per coding, in the column order `import::codings_csv` reads back. Cells a
//! spreadsheet would run as formulas get a leading `'`, which the importer removes again.

use std::io::Write;

use crate::model::quoting::neutralise_formula;
use crate::model::{CODINGS_CSV_HEADER, CodingView};

/// Writes codings as CSV, cells that look like spreadsheet formulas neutralised.
pub fn write(out: impl Write, rows: &[CodingView]) -> Result<(), csv::Error> {
    write_with(out, rows, false)
}

/// Writes codings as CSV; with `raw`, every cell exactly as it is (`--raw-csv`).
pub fn write_with(out: impl Write, rows: &[CodingView], raw: bool) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CODINGS_CSV_HEADER)?;
    for r in rows {
        let record = [
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
        ];
        if raw {
            writer.write_record(record)?;
        } else {
            writer.write_record(record.iter().map(|c| neutralise_formula(c).into_owned()))?;
        }
    }
    writer.flush()?;
    Ok(())
}
