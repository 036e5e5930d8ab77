//! Accord: code qualitative interviews and measure interrater agreement, code by code.
//!
//! The library holds everything the command line and the window share: the pure model
//! ([`model`]), the project store ([`store`], the only place with SQL), the importers ([`import`]) and
//! the application layer ([`app`]) through which every change to a project goes.

pub mod agreement;
pub mod app;
pub mod cli;
pub mod export;
#[cfg(feature = "gui")]
pub mod gui;
pub mod import;
pub mod model;
pub mod probe;
pub mod search;
pub mod store;

pub use model::{Code, Codebook, Coding, Rater, Span, Transcript, Turn};
pub use store::{Store, StoreError};
