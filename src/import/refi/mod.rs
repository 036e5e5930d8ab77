//! Reading REFI-QDA, the exchange standard of qualitative analysis tools: codebooks (`.qdc`) and
//! projects (`.qdpx`, or a bare `.qde`). The vocabulary the reader shares with the writer
//! (`export::refi`) is in `model::refi`.

pub mod positions;
pub mod qdc;
pub mod qde;
mod qde_raw;
pub mod qdpx;
mod qdpx_archive;
mod qdpx_sources;
