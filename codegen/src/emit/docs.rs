//! Spec text to `#[doc]` attributes that rustdoc renders as written.

use proc_macro2::TokenStream;
use quote::quote;

/// One `#[doc]` attribute per line of `text`, sanitised so that spec prose
/// cannot turn into broken intra-doc links or failing doctests.
pub fn doc(text: &str) -> TokenStream {
    let mut in_fence = false;
    let lines = text.trim_end().lines().map(|line| {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            // A fence without a language would be compiled as a doctest.
            return if in_fence && trimmed == "```" {
                " ```text".to_owned()
            } else {
                format!(" {line}")
            };
        }
        if in_fence {
            format!(" {line}")
        } else {
            format!(" {}", sanitise(line))
        }
    });
    let lines: Vec<String> = lines.collect();
    quote! { #( #[doc = #lines] )* }
}

/// `doc` for optional text.
pub fn doc_opt(text: Option<&str>) -> TokenStream {
    text.map(doc).unwrap_or_default()
}

fn sanitise(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut words = line.split(' ').peekable();
    while let Some(word) = words.next() {
        if (word.starts_with("https://") || word.starts_with("http://"))
            && !word.contains(['<', '>'])
        {
            let url = word.trim_end_matches(['.', ',', ';', ')']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            out.push_str(&word[url.len()..]);
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
    }

    #[test]
    fn bare_fences_become_text() {
        let out = doc("a\n```\ncurl [x]\n```").to_string();
        assert!(out.contains("\" ```text\""), "{out}");
        assert!(out.contains("\" curl [x]\""), "{out}");
    }
}
