//! The `accord` binary: parses arguments and hands them to the command line (the window comes later).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    accord::cli::run(accord::cli::Cli::parse())
}
