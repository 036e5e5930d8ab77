//! Writing REFI-QDA, the exchange standard of qualitative analysis tools: codebooks (`.qdc`) and
//! projects (`.qdpx`). The vocabulary the writer shares with the reader (`import::refi`) is in
//! `model::refi`.

pub mod qdc;
pub mod qdpx;
