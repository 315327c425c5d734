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
    check_size(source)?;
    check_characters(source)?;
    let locations = Locations::index(source);
    match serde_yaml::from_str::<spec::Spec>(source) {
        Ok(spec) => Ok(Parsed { spec, locations }),
        Err(error) => Err(syntax_diagnostic(source, &error, &locations)),
    }
}

/// YAML allows no control character but tab and line breaks (the parser
/// would report it at the start of the file): it is reported where it is.
fn check_characters(source: &str) -> Result<(), Diagnostic> {
    let found = source
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
    match found {
        None => Ok(()),
        Some((at, c)) => Err(Diagnostic::new(
            format!(
                "the file holds the control character U+{:04X}, which YAML does not allow",
                c as u32
            ),
            Some(at..at + c.len_utf8()),
        )
        .help(format!(
            "remove it; if a value needs it, write it escaped in a double-quoted string (\"\\u{:04X}\")",
            c as u32
        ))),
    }
}

/// A vendor spec is a few kilobytes; the YAML parser's time grows faster
/// than linearly with nesting, so what no spec needs is refused before it.
const MAX_BYTES: usize = 256 * 1024;
const MAX_DEPTH: usize = 32;

fn check_size(source: &str) -> Result<(), Diagnostic> {
    if source.len() > MAX_BYTES {
        return Err(Diagnostic::new(
            format!(
                "the spec is {} KiB; specs are limited to {} KiB",
                source.len() / 1024,
                MAX_BYTES / 1024
            ),
            Some(0..0),
        )
        .help("a vendor spec is a few kilobytes: is this the right file?"));
    }
    // Flow collections (`[`, `{`) and indentation both nest; either beyond
    // the limit is refused where it goes too deep. A guard, not a parser:
    // quotes are followed within a line, comments skipped.
    let too_deep = |at: usize| {
        Diagnostic::new(
            format!("the spec nests deeper than {MAX_DEPTH} levels"),
            Some(at..at + 1),
        )
        .help("a vendor spec needs a few levels; flatten the structure")
    };
    let mut depth = 0usize;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent > 4 * MAX_DEPTH {
            return Err(too_deep(offset + indent));
        }
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        for (at, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '#') if previous.is_whitespace() => break,
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(too_deep(offset + at));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            previous = c;
        }
        offset += line.len();
    }
    Ok(())
}

/// serde_yaml places an unknown or duplicate key at its mapping; the index
/// knows the key itself from the message's `path: unknown field `name`` form.
/// Of a duplicate, the index holds the later occurrence: the one to remove.
fn key_span(message: &str, locations: &Locations) -> Option<std::ops::Range<usize>> {
    let (path, rest) = ["unknown field `", "duplicate field `"]
        .iter()
        .find_map(|marker| {
            let at = message.find(marker)?;
            Some((
                message[..at].trim_end_matches(": "),
                &message[at + marker.len()..],
            ))
        })?;
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
    if is_blank(source) {
        return Diagnostic::new("the spec is empty", Some(0..0))
            .help("start from one of the specs in `specs/`, or follow docs/adding-a-vendor.md");
    }
    // serde_yaml appends " at line L column C" to its message; the position is
    // shown by the snippet instead.
    let text = error.to_string();
    let message = match text.find(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    };
    let message = plain_types(&message);
    let span = key_span(&message, locations).or_else(|| {
        error.location().map(|location| {
            let start = floor_char_boundary(source, location.index());
            // One character, which may be several bytes.
            let end = source[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8());
            start..end
        })
    });
    let at_tab = span
        .as_ref()
        .is_some_and(|span| source[span.start..].starts_with('\t'));
    let help = if message.contains("unknown field") {
        "remove the key or fix its spelling; the keys allowed here are listed in the message"
    } else if message.contains("duplicate field") {
        "remove one of the two: a key may appear once in a mapping"
    } else if at_tab {
        "indent with spaces: YAML does not allow tabs in indentation"
    } else if message.contains("mapping values are not allowed") {
        "quote the value: a `: ` inside an unquoted value starts a new mapping"
    } else if message.contains("missing field") {
        "add the missing key; README.md lists every key of the format"
    } else if message.contains("invalid type") || message.contains("invalid value") {
        "write a value of the type the message names"
    } else {
        "fix the YAML at the marked position"
    };
    Diagnostic::new(message, span).help(help)
}

/// serde's messages name Rust types; spec authors think in values.
fn plain_types(message: &str) -> String {
    message
        .replace("expected u64", "expected a whole number, 0 or more")
        .replace("expected u16", "expected a whole number from 0 to 65535")
        .replace("expected a borrowed string", "expected a string")
}

/// Nothing but whitespace and comments.
fn is_blank(source: &str) -> bool {
    source
        .lines()
        .map(str::trim)
        .all(|line| line.is_empty() || line.starts_with('#'))
}

fn floor_char_boundary(source: &str, index: usize) -> usize {
    let mut index = index.min(source.len());
    while !source.is_char_boundary(index) {
        index -= 1;
    }
    index
}
