//! Spec text to `#[doc]` attributes that rustdoc renders as written.

use proc_macro2::TokenStream;
use quote::quote;

/// One `#[doc]` attribute per line of `text`, sanitised so that spec prose
/// cannot turn into broken intra-doc links or failing doctests.
pub fn doc(text: &str) -> TokenStream {
    // The fence that opened the current code block (```` ``` ```` or `~~~`).
    let mut fence: Option<&str> = None;
    let lines = text.trim_end().lines().map(|line| {
        let line: &str = &visible(line);
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(marker)) => {
                fence = Some(marker);
                // Any info string (`rust`, none, ...) would make rustdoc
                // compile the block as a doctest: spec text is never code.
                format!(" {marker}text")
            }
            (Some(open), Some(marker)) if open == marker && trimmed.trim_end() == marker => {
                fence = None;
                format!(" {marker}")
            }
            (Some(_), _) => format!(" {line}"),
            // Four spaces of indentation would start an indented code block,
            // which rustdoc also compiles.
            (None, None) => format!(" {}", sanitise(cap_indent(line))),
        }
    });
    let mut lines: Vec<String> = lines.collect();
    if let Some(open) = fence {
        // An unclosed fence would swallow the generated docs that follow.
        lines.push(format!(" {open}"));
    }
    quote! { #( #[doc = #lines] )* }
}

/// Text the generator itself writes (links to generated items): as is.
pub fn trusted_doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| format!(" {}", visible(line)));
    quote! { #( #[doc = #lines] )* }
}

fn cap_indent(line: &str) -> &str {
    let indent = line.len() - line.trim_start().len();
    &line[indent.saturating_sub(3)..]
}

/// `text` as an inline code span, whatever it holds: the fence is longer
/// than any run of backticks inside, and a line break becomes a space.
pub fn code(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// `doc` for optional text.
pub fn doc_opt(text: Option<&str>) -> TokenStream {
    text.map(doc).unwrap_or_default()
}

/// Characters a doc comment must not hold as they are: controls, and the
/// bidirectional overrides rustc refuses in comments
/// (`text_direction_codepoint_in_literal`), are shown escaped; a tab
/// becomes four spaces.
pub(crate) fn visible(line: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !line.contains(|c| hidden(c) || c == '\t') {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if c == '\t' {
            // clippy's `tabs_in_doc_comments`.
            out.push_str("    ");
        } else if hidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A line of prose: code spans (between backticks) are kept as written,
/// since rustdoc neither links nor warns inside them, and the text between
/// them gets its URLs wrapped and its brackets escaped.
fn sanitise(line: &str) -> String {
    let segments: Vec<&str> = line.split('`').collect();
    // An unpaired backtick opens no span: what follows it is prose.
    let paired = segments.len() % 2 == 1;
    let mut out = String::with_capacity(line.len());
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            out.push('`');
        }
        let code = i % 2 == 1 && (paired || i + 1 < segments.len());
        if code {
            out.push_str(segment);
        } else {
            out.push_str(&sanitise_prose(segment));
        }
    }
    out
}

fn sanitise_prose(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut words = line.split(' ').peekable();
    while let Some(word) = words.next() {
        // A URL anywhere in the word, e.g. after `(`: rustdoc wants bare
        // URLs in angle brackets.
        let start = word.find("https://").or_else(|| word.find("http://"));
        if let Some(start) = start
            && !word.contains(['<', '>', '[', ']'])
        {
            let (before, rest) = word.split_at(start);
            let url = rest.trim_end_matches(['.', ',', ';', ')', ':']);
            out.push_str(before);
            out.push('<');
            out.push_str(url);
            out.push('>');
            out.push_str(&rest[url.len()..]);
        } else {
            for c in word.chars() {
                if matches!(c, '[' | ']') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
        if words.peek().is_some() {
            out.push(' ');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_urls_and_escapes_brackets() {
        assert_eq!(
            sanitise("see https://x.io/a. [b]"),
            "see <https://x.io/a>. \\[b\\]"
        );
        assert_eq!(
            sanitise("(https://x.io/a#b); next"),
            "(<https://x.io/a#b>); next"
        );
    }

    #[test]
    fn any_text_becomes_one_code_span() {
        assert_eq!(code("a b"), "`a b`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("x\ny"), "`x y`");
    }

    #[test]
    fn code_spans_are_kept_as_written() {
        assert_eq!(
            sanitise("e.g. `https://HOST/api/v3` or `a[0]`, see https://x.io"),
            "e.g. `https://HOST/api/v3` or `a[0]`, see <https://x.io>"
        );
        // An unpaired backtick opens nothing.
        assert_eq!(sanitise("a ` [b]"), "a ` \\[b\\]");
    }

    #[test]
    fn bare_fences_become_text() {
        let out = doc("a\n```\ncurl [x]\n```").to_string();
        assert!(out.contains("\" ```text\""), "{out}");
        assert!(out.contains("\" curl [x]\""), "{out}");
    }

    #[test]
    fn no_spec_text_becomes_a_doctest() {
        let out =
            doc("```rust\nfn main() {}\n```\n~~~\nx\n~~~\n\n    indented();\n```").to_string();
        assert!(out.contains("\" ```text\""), "{out}");
        assert!(out.contains("\" ~~~text\""), "{out}");
        assert!(!out.contains("rust"), "{out}");
        assert!(out.contains("\"    indented();\""), "{out}");
        // The unclosed fence at the end is closed.
        assert!(out.trim_end().ends_with("[doc = \" ```\"]"), "{out}");
    }
}
