//! Full-text search across a project's interviews, on tantivy. The index is derived from the store
//! (one document per turn), lives beside the project file in `<file>.index/`, is brought up to date
//! incrementally, and is rebuilt by itself when missing, stale or corrupt. Deleting it never loses
//! anything.

// Edit distances and offset arithmetic read best with the textbook's single-letter names.
#![allow(clippy::many_single_char_names)]

mod compile;
mod guard;
mod highlight;
mod index;
mod lexer;
pub mod query;
mod results;
mod schema;
mod source;
pub mod sync;
mod tokenizer;
mod turns;

#[cfg(test)]
mod tests;

pub use highlight::{Snippet, Span};
pub use index::TranscriptIndex;
pub use query::{QueryError, parse_query};
pub use results::{
    CodeResolver, Hit, ResultOrder, SearchError, SearchOptions, SearchResults, TurnDoc,
};
pub use source::IndexSource;
pub use sync::{ProjectIndex, SyncReport};
