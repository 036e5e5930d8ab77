//! Accord's integration tests: one test binary (as ripgrep does), a module per concern.

mod cli;
mod codebook;
mod malformed;
mod samples;
mod store;
mod support;
