//! The `accord` binary: parses arguments, hands them to the command line, and opens the window when
//! the command line asks for it (`accord` alone on a display, `accord open`).

use std::process::ExitCode;

use accord::cli::Next;
use clap::Parser;

fn main() -> ExitCode {
    quiet_broken_pipe();
    #[cfg(feature = "gui")]
    let window = accord::gui::has_display();
    #[cfg(not(feature = "gui"))]
    let window = false;
    match accord::cli::run(accord::cli::Cli::parse(), window) {
        Next::Done(code) => code,
        #[cfg(feature = "gui")]
        Next::Window(path) => match accord::gui::run(&path) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => accord::cli::report(e),
        },
    }
}

/// `accord ... | head` closes the pipe early; like other Unix tools, stop quietly instead of
/// reporting a panic from `println!`.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
