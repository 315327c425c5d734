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
        Err(error) => Err(syntax_diagnostic(source, &error, &locations)),
    }
}

/// serde_yaml places an unknown key at its mapping; the index knows the key
/// itself from the message's `path: unknown field `name`` form.
fn unknown_key_span(message: &str, locations: &Locations) -> Option<std::ops::Range<usize>> {
    let (path, rest) = message.split_once(": unknown field `")?;
    let key = rest.split('`').next()?;
    let mut full: Vec<&str> = if path.is_empty() || path.contains(' ') {
        Vec::new()
    } else {
        path.split('.').collect()
    };
    full.push(key);
    locations.key_exact(&full)
}

fn syntax_diagnostic(source: &str, error: &serde_yaml::Error, locations: &Locations) -> Diagnostic {
    // serde_yaml appends " at line L column C" to its message; the position is
    // shown by the snippet instead.
    let text = error.to_string();
    let message = match text.find(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    };
    let span = unknown_key_span(&message, locations).or_else(|| {
        error.location().map(|location| {
            let start = location.index().min(source.len());
            start..(start + 1).min(source.len())
        })
    });
    let help = if message.contains("unknown field") {
        "remove the key or fix its spelling; the keys allowed here are listed in the message"
    } else if message.contains("mapping values are not allowed") {
        "quote the value: a `: ` inside an unquoted value starts a new mapping"
    } else if message.contains("missing field") {
        "add the missing key"
    } else {
        "fix the YAML at the marked position"
    };
    Diagnostic::new(message, span).help(help)
}
