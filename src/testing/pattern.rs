//! A spec's templates evaluated with the mock's own values, as patterns a
//! request must match: literal text where the mock knows the value (its
//! credentials, settings, step outputs), and typed holes where the client
//! chooses it (a token it holds, a UUID, the time, a signed JWT), checked
//! after the match.

use vendor_auth_codegen::model::{self as m, Function, NowFormat, Part, Ref, TokenField};

use super::values::Values;

/// A value the client fills in, checked once the request has matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hole {
    AccessToken,
    RefreshToken,
    Uuid,
    Now(NowFormat),
    /// The signed JWT of `Vendor::assertions[index]`.
    Jwt(usize),
    /// Anything non-empty: a custom clock format, or a function applied to
    /// a hole.
    Opaque,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    Hole(Hole),
}

/// The longest value matched against a pattern with holes.
const MAX_VALUE: usize = 64 * 1024;

/// What a template must produce; `None` where it is absent (it reads an
/// optional setting that is unset, so its place is omitted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pattern(pub Vec<Piece>);

impl Pattern {
    fn text(text: impl Into<String>) -> Pattern {
        Pattern(vec![Piece::Text(text.into())])
    }

    fn hole(hole: Hole) -> Pattern {
        Pattern(vec![Piece::Hole(hole)])
    }

    /// The whole text, when nothing in it is left to the client.
    pub fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Hole(_) => return None,
            }
        }
        Some(out)
    }

    /// Whether `text` matches; the holes' values are appended to `holes`
    /// (nothing is appended when it does not match).
    pub fn matches(&self, text: &str, holes: &mut Vec<(Hole, String)>) -> bool {
        // Matching holes backtracks; a value this long is no credential or
        // token, and must not stall the mock.
        if text.len() > MAX_VALUE && self.literal().is_none() {
            return false;
        }
        let before = holes.len();
        let ok = match_pieces(&self.0, text, holes);
        if !ok {
            holes.truncate(before);
        }
        ok
    }
}

fn match_pieces(pieces: &[Piece], text: &str, holes: &mut Vec<(Hole, String)>) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Text(literal), rest)) => text
            .strip_prefix(literal.as_str())
            .is_some_and(|tail| match_pieces(rest, tail, holes)),
        Some((Piece::Hole(hole), rest)) => {
            // The longest value first: a hole at the end takes all of it.
            let mut ends: Vec<usize> = text.char_indices().map(|(i, _)| i).skip(1).collect();
            ends.push(text.len());
            for end in ends.into_iter().rev().filter(|&end| end > 0) {
                let before = holes.len();
                holes.push((*hole, text[..end].to_owned()));
                if match_pieces(rest, &text[end..], holes) {
                    return true;
                }
                holes.truncate(before);
            }
            false
        }
    }
}

/// `template` as a pattern over the mock's values.
pub(crate) fn eval(template: &m::Template, values: &Values) -> Option<Pattern> {
    let mut out = Vec::new();
    for part in &template.0 {
        match part {
            Part::Text(text) => out.push(Piece::Text(text.clone())),
            Part::Ref(reference, functions) => {
                let value = eval_ref(reference, values)?;
                let value = apply(value, functions);
                out.extend(value.0);
            }
        }
    }
    Some(Pattern(out))
}

fn eval_ref(reference: &Ref, values: &Values) -> Option<Pattern> {
    Some(match reference {
        Ref::Credential(index) => Pattern::text(values.credential(*index)),
        Ref::Variable(index) => Pattern::text(values.variable(*index)?),
        Ref::Token(TokenField::AccessToken) => Pattern::hole(Hole::AccessToken),
        Ref::Token(TokenField::RefreshToken) => Pattern::hole(Hole::RefreshToken),
        Ref::Token(TokenField::Field(name)) => match values.token_field_text(name) {
            Some(text) => Pattern::text(text),
            None => Pattern::hole(Hole::Opaque),
        },
        Ref::Now(format) => Pattern::hole(Hole::Now(*format)),
        Ref::NowCustom(_) => Pattern::hole(Hole::Opaque),
        Ref::Uuid => Pattern::hole(Hole::Uuid),
        Ref::Named(_, inner) => eval(inner, values)?,
        Ref::Step(step, output) => Pattern::text(Values::step_output(*step, output)),
        Ref::JsonField {
            credential, name, ..
        } => Pattern::text(values.json_field(*credential, name)?),
        Ref::Signed(assertion) => Pattern::hole(Hole::Jwt(assertion.index)),
        Ref::PublicKeySha256 { credential, .. } => Pattern::text(values.fingerprint(*credential)?),
    })
}

fn apply(value: Pattern, functions: &[Function]) -> Pattern {
    if functions.is_empty() {
        return value;
    }
    match value.literal() {
        Some(mut text) => {
            for function in functions {
                text = crate::value::apply(*function, &text).to_string();
            }
            Pattern::text(text)
        }
        None => Pattern::hole(Hole::Opaque),
    }
}

/// The template as the spec wrote it, near enough for a message.
pub(crate) fn describe(template: &m::Template, vendor: &m::Vendor) -> String {
    let mut out = String::new();
    for part in &template.0 {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Ref(reference, functions) => {
                out.push('{');
                out.push_str(&ref_name(reference, vendor));
                for function in functions {
                    out.push_str(" | ");
                    out.push_str(function.name());
                }
                out.push('}');
            }
        }
    }
    out
}

fn ref_name(reference: &Ref, vendor: &m::Vendor) -> String {
    match reference {
        Ref::Credential(index) => vendor.credentials[*index].field.clone(),
        Ref::Variable(index) => vendor.variables[*index].name.clone(),
        Ref::Token(TokenField::AccessToken) => "token.access_token".into(),
        Ref::Token(TokenField::RefreshToken) => "token.refresh_token".into(),
        Ref::Token(TokenField::Field(name)) => format!("token.{name}"),
        Ref::Now(format) => format!("now.{}", format.name()),
        Ref::NowCustom(description) => format!("now:{description}"),
        Ref::Uuid => "uuid".into(),
        Ref::Named(name, _) => name.clone(),
        Ref::Step(step, output) => format!("steps[{step}].{output}"),
        Ref::JsonField { name, .. } => name.clone(),
        Ref::Signed(assertion) => assertion.name.clone(),
        Ref::PublicKeySha256 { credential, .. } => format!(
            "{}.public_key_sha256",
            vendor.credentials[*credential].field
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_take_what_the_literals_leave() {
        let pattern = Pattern(vec![
            Piece::Text("Bearer ".into()),
            Piece::Hole(Hole::AccessToken),
            Piece::Text(";v=".into()),
            Piece::Hole(Hole::Uuid),
        ]);
        let mut holes = Vec::new();
        assert!(pattern.matches("Bearer a;v=b;v=c", &mut holes));
        assert_eq!(
            holes,
            [
                (Hole::AccessToken, "a;v=b".to_owned()),
                (Hole::Uuid, "c".to_owned())
            ]
        );
        let mut holes = Vec::new();
        assert!(!pattern.matches("Bearer ;v=c", &mut holes));
        assert!(!pattern.matches("bearer a;v=c", &mut holes));
        assert!(holes.is_empty());
        assert!(Pattern::text("x").matches("x", &mut holes));
        assert!(!Pattern::text("x").matches("xy", &mut holes));
    }
}
