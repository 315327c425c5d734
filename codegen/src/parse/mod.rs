//! Stage 1: text to [`spec::Spec`], with the source positions kept for later
//! diagnostics.

mod locate;
pub mod spec;

pub use locate::Locations;

use crate::diagnostic::Diagnostic;

/// A spec as parsed, with where its parts sit in the source.
pub struct Parsed {
    pub spec: spec::Spec,
    pub locations: Locations,
}

/// Parses one spec file's text. Syntax and shape errors (unknown keys, wrong
/// types) come back as a diagnostic at serde_yaml's position.
pub fn parse(source: &str) -> Result<Parsed, Diagnostic> {
    let locations = Locations::index(source);
    match serde_yaml::from_str::<spec::Spec>(source) {
        Ok(spec) => Ok(Parsed { spec, locations }),
        Err(error) => Err(syntax_diagnostic(source, &error)),
    }
}

fn syntax_diagnostic(source: &str, error: &serde_yaml::Error) -> Diagnostic {
    // serde_yaml appends " at line L column C" to its message; the position is
    // shown by the snippet instead.
    let text = error.to_string();
    let message = match text.find(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    };
    let span = error.location().map(|location| {
        let start = location.index().min(source.len());
        start..(start + 1).min(source.len())
    });
    let help = if message.starts_with("unknown field") {
        "remove the key or fix its spelling; the keys allowed here are listed above"
    } else if message.contains("mapping values are not allowed") {
        "quote the value: a `: ` inside an unquoted value starts a new mapping"
    } else if message.contains("missing field") {
        "add the missing key"
    } else {
        "fix the YAML at the marked position"
    };
    Diagnostic::new(message, span).help(help)
}
