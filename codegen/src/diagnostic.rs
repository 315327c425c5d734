//! Errors in spec files, rendered rustc-style with the file, line, column and
//! the offending snippet.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config as TermConfig};

/// One problem in a spec: what is wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong.
    pub message: String,
    /// Byte range in the spec source, when the problem has a place.
    pub span: Option<Range<usize>>,
    /// A note at the marked span.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem at `span` (a byte range of the spec), if it has a place.
    pub fn new(message: impl Into<String>, span: Option<Range<usize>>) -> Self {
        Diagnostic {
            message: message.into(),
            span,
            label: None,
            help: None,
        }
    }

    /// Adds a note shown at the span.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds the fix.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every problem found in one spec file, with the text needed to show them.
#[derive(Debug, Clone)]
pub struct SpecErrors {
    /// The spec file.
    pub path: PathBuf,
    /// Its text, to show snippets.
    pub source: String,
    /// Every problem found, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl SpecErrors {
    /// The problems of one file.
    pub fn new(path: &Path, source: &str, diagnostics: Vec<Diagnostic>) -> Self {
        // The source is shown in terminals: a control character (an escape
        // sequence) is shown as `?`, one byte for one, so spans still fit.
        let mut shown = String::with_capacity(source.len());
        for c in source.chars() {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                shown.extend(std::iter::repeat_n('?', c.len_utf8()));
            } else {
                shown.push(c);
            }
        }
        let source = shown;
        SpecErrors {
            path: path.to_owned(),
            source,
            diagnostics,
        }
    }

    /// The 1-based line and column of each diagnostic, for tests and tools.
    pub fn positions(&self) -> Vec<Option<(usize, usize)>> {
        self.diagnostics
            .iter()
            .map(|d| {
                d.span
                    .as_ref()
                    .map(|span| line_column(&self.source, span.start))
            })
            .collect()
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = SimpleFile::new(self.path.display().to_string(), &self.source);
        let config = TermConfig::default();
        for diagnostic in &self.diagnostics {
            let mut report = Report::error().with_message(&diagnostic.message);
            if let Some(span) = &diagnostic.span {
                let label = Label::primary((), span.clone());
                let label = match &diagnostic.label {
                    Some(text) => label.with_message(text),
                    None => label,
                };
                report = report.with_labels(vec![label]);
            } else {
                report = report.with_notes(vec![format!("in {}", self.path.display())]);
            }
            if let Some(help) = &diagnostic.help {
                report = report.with_notes(vec![format!("help: {help}")]);
            }
            let text = term::emit_into_string(&config, &file, &report).map_err(|_| fmt::Error)?;
            f.write_str(&text)?;
        }
        let count = self.diagnostics.len();
        writeln!(
            f,
            "error: {} has {count} problem{}; fix {} and build again",
            self.path.display(),
            if count == 1 { "" } else { "s" },
            if count == 1 { "it" } else { "them" },
        )
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}
