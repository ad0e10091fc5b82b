//! Renders reports. Every format is a view of the same [`mastiff_core::Report`].

mod json;
mod terminal;

pub use json::{to_json, to_json_many};
pub use terminal::{render_terminal, TerminalOptions};
