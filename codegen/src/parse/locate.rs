//! Where each key and value of a YAML document sits in the source.
//!
//! serde_yaml reports positions only for its own errors; semantic errors found
//! later (an undeclared credential, a body on a GET) need the position of the
//! offending key too. This walks the document's events once and records the
//! byte span of every key and value by path.

use std::collections::HashMap;
use std::ops::Range;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A path into the document: mapping keys and sequence indexes as strings.
pub type Path = Vec<String>;

#[derive(Debug, Default)]
pub struct Locations {
    keys: HashMap<Path, Range<usize>>,
    values: HashMap<Path, Range<usize>>,
    source: String,
}

impl Locations {
    /// Indexes `source`; a document that does not scan yields an empty index
    /// (serde_yaml then reports the syntax error with its own position).
    pub fn index(source: &str) -> Self {
        let mut walker = Walker {
            source,
            char_starts: source
                .char_indices()
                .map(|(at, _)| at)
                .chain([source.len()])
                .collect(),
            locations: Locations::default(),
            stack: Vec::new(),
        };
        let _ = Parser::new_from_str(source).load(&mut walker, false);
        walker.locations.source = source.to_owned();
        walker.locations
    }

    /// The first occurrence of `needle` inside `span`, e.g. one placeholder
    /// of a template value, so that a caret points at it rather than at the
    /// whole value; `span` itself when it does not occur there as written
    /// (an escaped or folded scalar).
    pub fn narrow(&self, span: Range<usize>, needle: &str) -> Range<usize> {
        if needle.is_empty() {
            return span;
        }
        // A flow sequence item has no span of its own: look on to the end
        // of the line the span starts on.
        let line_end = self.source[span.start.min(self.source.len())..]
            .find('\n')
            .map_or(self.source.len(), |at| span.start + at);
        [span.clone(), span.start..line_end.max(span.end)]
            .into_iter()
            .find_map(|range| {
                let at = self.source.get(range.clone())?.find(needle)?;
                Some(range.start + at..range.start + at + needle.len())
            })
            .unwrap_or(span)
    }

    /// The span of the key at `path`, else of the nearest ancestor that has one.
    pub fn key<S: AsRef<str>>(&self, path: &[S]) -> Option<Range<usize>> {
        self.nearest(&self.keys, path)
    }

    /// The span of the key at exactly `path`.
    pub fn key_exact<S: AsRef<str>>(&self, path: &[S]) -> Option<Range<usize>> {
        let owned: Path = path.iter().map(|s| s.as_ref().to_owned()).collect();
        self.keys.get(&owned).cloned()
    }

    /// The span of the value at `path`, else of its key or an ancestor's.
    pub fn value<S: AsRef<str>>(&self, path: &[S]) -> Option<Range<usize>> {
        let owned: Path = path.iter().map(|s| s.as_ref().to_owned()).collect();
        self.values.get(&owned).cloned().or_else(|| self.key(path))
    }

    fn nearest<S: AsRef<str>>(
        &self,
        map: &HashMap<Path, Range<usize>>,
        path: &[S],
    ) -> Option<Range<usize>> {
        let mut owned: Path = path.iter().map(|s| s.as_ref().to_owned()).collect();
        loop {
            if let Some(span) = map.get(&owned) {
                return Some(span.clone());
            }
            owned.pop()?;
        }
    }
}

enum Frame {
    Mapping { key: Option<String> },
    Sequence { index: usize },
}

struct Walker<'a> {
    source: &'a str,
    /// Byte offset of each character: yaml-rust2's markers count characters,
    /// spans count bytes (a fuzzer found the difference on non-ASCII text).
    char_starts: Vec<usize>,
    locations: Locations,
    stack: Vec<Frame>,
}

impl Walker<'_> {
    fn byte_offset(&self, mark: Marker) -> usize {
        self.char_starts[mark.index().min(self.char_starts.len() - 1)]
    }

    /// The largest character boundary at or before `at`.
    fn floor(&self, at: usize) -> usize {
        let mut at = at.min(self.source.len());
        while !self.source.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    fn path(&self) -> Path {
        self.stack
            .iter()
            .filter_map(|frame| match frame {
                Frame::Mapping { key } => key.clone(),
                Frame::Sequence { index } => Some(index.to_string()),
            })
            .collect()
    }

    /// Records a value (scalar or collection start) at the current path and
    /// moves the parent on to its next key or item.
    fn value_at(&mut self, span: Range<usize>) {
        let path = self.path();
        self.locations.values.insert(path, span);
    }

    fn advance_parent(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Mapping { key }) => *key = None,
            Some(Frame::Sequence { index }) => *index += 1,
            None => {}
        }
    }

    fn scalar_span(&self, text: &str, style: TScalarStyle, mark: Marker) -> Range<usize> {
        let start = self.byte_offset(mark);
        let quoted = matches!(
            style,
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
        );
        let len = text.len() + if quoted { 2 } else { 0 };
        let line_end = self.source[start..]
            .find('\n')
            .map_or(self.source.len(), |n| start + n);
        // At least one character, never past the line: a scalar's text may
        // differ in length from its source (escapes, folding).
        let one_char = self.source[start..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        let end = (start + len).min(line_end).max(start + one_char);
        start..self.floor(end)
    }
}

impl MarkedEventReceiver for Walker<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(text, style, _, _) => {
                let span = self.scalar_span(&text, style, mark);
                match self.stack.last_mut() {
                    Some(Frame::Mapping { key: key @ None }) => {
                        *key = Some(text);
                        let path = self.path();
                        self.locations.keys.insert(path, span);
                    }
                    _ => {
                        self.value_at(span);
                        self.advance_parent();
                    }
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let start = self.byte_offset(mark);
                let one_char = self.source[start..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
                self.value_at(start..start + one_char);
                self.stack.push(match event {
                    Event::MappingStart(..) => Frame::Mapping { key: None },
                    _ => Frame::Sequence { index: 0 },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.advance_parent();
            }
            Event::Alias(_) => self.advance_parent(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_values() {
        let source = "a:\n  b: one\n  c:\n    - x\n    - 'y'\nd: two\n";
        let locations = Locations::index(source);
        let key = locations.key(&["a", "c"]).unwrap();
        assert_eq!(&source[key], "c");
        let value = locations.value(&["a", "c", "1"]).unwrap();
        assert_eq!(&source[value], "'y'");
        let value = locations.value(&["d"]).unwrap();
        assert_eq!(&source[value], "two");
        // An unknown child falls back to its nearest known ancestor.
        let fallback = locations.key(&["a", "b", "zzz"]).unwrap();
        assert_eq!(&source[fallback], "b");
    }

    #[test]
    fn spans_are_bytes_after_non_ascii_text() {
        let source = "name: Ünïcödé 🦀\nmodule: x\n\u{efaa6}: y\n";
        let locations = Locations::index(source);
        assert_eq!(&source[locations.key(&["module"]).unwrap()], "module");
        assert_eq!(&source[locations.value(&["module"]).unwrap()], "x");
        assert_eq!(&source[locations.key(&["\u{efaa6}"]).unwrap()], "\u{efaa6}");
    }
}
