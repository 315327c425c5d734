//! The value grammar: a template's text to its parts, every placeholder
//! resolved to a declared input, and checked against where it is used.

use super::{At, Context};
use crate::model::*;
use crate::parse::spec;

/// Template names that are not declarations.
pub const RESERVED: &[&str] = &["token", "now", "uuid", "steps"];

/// Where a template is used: what it may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A base URL: variables only, resolved when the client is built.
    BaseUrl,
    /// An operation path: no secrets (URLs end up in logs), no token.
    Path,
    /// A request of the token operation: anything but the token.
    TokenRequest,
    /// A request of refresh or revoke: anything.
    Request,
    /// API-call authorization: anything.
    Authorization,
}

impl Place {
    fn in_url(self) -> bool {
        matches!(self, Place::BaseUrl | Place::Path)
    }
}

/// A placeholder as written.
#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Placeholder {
        name: String,
        functions: Vec<String>,
    },
}

/// Splits a template into text and `{name | function ...}` placeholders;
/// `{{` and `}}` are literal braces.
fn pieces(text: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|(_, n)| *n) == Some('{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek().map(|(_, n)| *n) == Some('}') => {
                chars.next();
                literal.push('}');
            }
            '}' => {
                return Err(
                    "the template has a `}` without its `{` (write `}}` for a literal brace)"
                        .into(),
                );
            }
            '{' => {
                let mut inner = String::new();
                let mut closed = false;
                for (_, c) in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    if c == '{' {
                        return Err(
                            "placeholders cannot nest; name the inner value under `values:`".into(),
                        );
                    }
                    inner.push(c);
                }
                if !closed {
                    return Err(
                        "the template has a `{` without its `}` (write `{{` for a literal brace)"
                            .into(),
                    );
                }
                if !literal.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut literal)));
                }
                let mut parts = inner.split('|').map(str::trim);
                let name = parts.next().unwrap_or_default().to_owned();
                let valid = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                };
                if !valid(&name) {
                    return Err(format!("`{{{inner}}}` is not a valid placeholder"));
                }
                let functions: Vec<String> = parts.map(str::to_owned).collect();
                if functions.iter().any(|f| !valid(f)) {
                    return Err(format!(
                        "`{{{inner}}}` is not a valid placeholder: write functions as `{{name | base64}}`"
                    ));
                }
                out.push(Piece::Placeholder { name, functions });
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() || out.is_empty() {
        out.push(Piece::Text(literal));
    }
    Ok(out)
}

/// A template with each placeholder standing for a harmless host label, to
/// check a URL's structure at build time.
pub fn sample(text: &str) -> String {
    match pieces(text) {
        Ok(pieces) => pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => text,
                Piece::Placeholder { .. } => "placeholder".to_owned(),
            })
            .collect(),
        Err(_) => text.to_owned(),
    }
}

impl Context<'_> {
    /// Resolves a template used at `path` in `place`, reporting each problem
    /// there.
    pub(super) fn template(&mut self, path: &[&str], text: &str, place: Place) -> Template {
        let pieces = match pieces(text) {
            Ok(pieces) => pieces,
            Err(message) => {
                self.error(
                    path,
                    At::Value,
                    message,
                    "write placeholders as `{name}` or `{name | function}` with a declared name",
                );
                return Template::default();
            }
        };
        let mut parts = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Text(text) => {
                    if !text.is_empty() {
                        parts.push(Part::Text(text));
                    }
                }
                Piece::Placeholder { name, functions } => {
                    let Some(reference) = self.reference(path, &name, place) else {
                        continue;
                    };
                    let mut resolved = Vec::new();
                    for function in functions {
                        match Function::from_name(&function) {
                            Some(f) => resolved.push(f),
                            None => self.error(
                                path,
                                At::Value,
                                format!("`{function}` is not a template function"),
                                format!("use {}", Function::one_of()),
                            ),
                        }
                    }
                    parts.push(Part::Ref(reference, resolved));
                }
            }
        }
        let template = Template(parts);
        if place.in_url() {
            let secret = template.refs().iter().any(|r| {
                matches!(
                    r,
                    Ref::Credential(_) | Ref::Token(_) | Ref::JsonField { .. } | Ref::Signed(_)
                )
            });
            if secret {
                self.error(path, At::Value, "a secret would be placed in the URL", "URLs end up in logs and proxies: send credentials and tokens in a header, the body or `basic_auth`");
            }
        }
        template
    }

    /// Resolves a template given as a YAML scalar.
    pub(super) fn scalar(&mut self, path: &[&str], value: &spec::Scalar, place: Place) -> Template {
        match value {
            spec::Scalar::Text(text) => self.template(path, text, place),
            other => Template::literal(&other.text()),
        }
    }

    fn reference(&mut self, path: &[&str], name: &str, place: Place) -> Option<Ref> {
        if let Some(field) = name.strip_prefix("token.") {
            return self.token_reference(path, field, place);
        }
        if name.starts_with("steps.") {
            return self.step_reference(path, name, place);
        }
        if let Some(format) = name.strip_prefix("now.") {
            if place.in_url() {
                self.error_in(
                    path,
                    name,
                    "a generated value cannot be part of a URL template",
                    "URL templates are filled once, when the client is built",
                );
                return None;
            }
            return match NowFormat::from_name(format) {
                Some(format) => Some(Ref::Now(format)),
                None => {
                    self.error_in(path, name, format!("`now.{format}` is not a time format"), format!("use `now.` followed by {}, or declare `{{ now: FORMAT }}` under `values:` for a custom format", NowFormat::one_of()));
                    None
                }
            };
        }
        if name == "uuid" || name == "now" {
            if place.in_url() {
                self.error_in(
                    path,
                    name,
                    "a generated value cannot be part of a URL template",
                    "URL templates are filled once, when the client is built",
                );
                return None;
            }
            if name == "now" {
                self.error_in(
                    path,
                    name,
                    "`now` needs a format",
                    format!("write `now.` followed by {}", NowFormat::one_of()),
                );
                return None;
            }
            return Some(Ref::Uuid);
        }
        let spec = self.spec;
        if let Some((credential, field)) = name.split_once('.')
            && let Some(index) = spec.credentials.get_index_of(credential)
        {
            return self.json_field(path, name, index, field, place);
        }
        if let Some(index) = spec.credentials.get_index_of(name) {
            if spec.credentials[index].refresh_token {
                self.error_in(
                    path,
                    name,
                    format!("`{name}` seeds the refresh token, which the vendor may rotate"),
                    "send `{token.refresh_token}`: it is the newest refresh token",
                );
                return None;
            }
            if place == Place::BaseUrl {
                self.error_in(path, name, format!("the credential `{name}` would be placed in the URL"), "URLs end up in logs and proxies: send credentials in a header, the body or `basic_auth`");
                return None;
            }
            return Some(Ref::Credential(index));
        }
        if let Some(index) = spec.variables.get_index_of(name) {
            return Some(Ref::Variable(index));
        }
        if spec.values.contains_key(name) {
            let template = self.named_value(name)?;
            if place == Place::BaseUrl
                && template
                    .refs()
                    .iter()
                    .any(|r| !matches!(r, Ref::Variable(_) | Ref::Named(..)))
            {
                self.error_in(
                    path,
                    name,
                    format!(
                        "the value `{name}` reads more than variables, so it cannot fill a base URL"
                    ),
                    "base URLs are filled once, from the configuration",
                );
                return None;
            }
            if place == Place::TokenRequest
                && template.refs().iter().any(|r| matches!(r, Ref::Token(_)))
            {
                self.error_in(
                    path,
                    name,
                    format!(
                        "the value `{name}` reads the token, which the token operation obtains"
                    ),
                    "send credentials here, and tokens from `refresh`, `revoke` or `authorization`",
                );
                return None;
            }
            return Some(Ref::Named(name.to_owned(), Box::new(template)));
        }
        let mut known: Vec<&str> = spec
            .credentials
            .keys()
            .chain(spec.variables.keys())
            .chain(spec.values.keys())
            .map(String::as_str)
            .collect();
        known.extend(["uuid", "now.rfc3339", "token.access_token"]);
        self.error_in(
            path,
            name,
            format!("`{name}` is not declared"),
            format!(
                "declare it under `credentials:`, `variables:` or `values:`, or use one of: {}",
                known.join(", ")
            ),
        );
        None
    }

    fn token_reference(&mut self, path: &[&str], field: &str, place: Place) -> Option<Ref> {
        let name = format!("token.{field}");
        let name = name.as_str();
        match place {
            Place::TokenRequest => {
                self.error_in(
                    path,
                    name,
                    "the token operation cannot send a token: it is the one that obtains it",
                    "send credentials here, and tokens from `refresh`, `revoke` or `authorization`",
                );
                return None;
            }
            Place::BaseUrl | Place::Path => {
                self.error_in(
                    path,
                    name,
                    "a token would be placed in the URL",
                    "send tokens in a header or the body",
                );
                return None;
            }
            Place::Request | Place::Authorization => {}
        }
        Some(Ref::Token(match field {
            "access_token" => TokenField::AccessToken,
            "refresh_token" => TokenField::RefreshToken,
            other if self.token_fields.iter().any(|f| f == other) => {
                TokenField::Field(other.to_owned())
            }
            other => {
                let known = self.token_fields.join(", ");
                self.error_in(path, name, format!("`token.{other}` is not a field of the token"), format!("use one of: {known} (declare other response fields under the token operation's `response.fields`)"));
                return None;
            }
        }))
    }

    /// A named value, resolved once; a cycle is reported where it closes.
    pub(super) fn named_value(&mut self, name: &str) -> Option<Template> {
        match self.named.get(name) {
            Some(Some(template)) => return Some(template.clone()),
            Some(None) => {
                self.error(
                    &["values", name],
                    At::Key,
                    format!("value `{name}` refers to itself"),
                    "break the cycle between the named values",
                );
                return None;
            }
            None => {}
        }
        self.named.insert(name.to_owned(), None);
        let spec = self.spec;
        let path = ["values", name];
        let template = match &spec.values[name] {
            spec::NamedValue::Template(value) => self.scalar(&path, value, Place::Authorization),
            spec::NamedValue::Jwt(value) => match self.jwt(name, &value.jwt) {
                Some(assertion) => Template(vec![Part::Ref(
                    Ref::Signed(Box::new(assertion)),
                    Vec::new(),
                )]),
                None => Template::default(),
            },
            spec::NamedValue::Now(now) => {
                if time::format_description::parse_borrowed::<2>(&now.now).is_err() {
                    self.error(&[&path[..], &["now"]].concat(), At::Value, format!("`{}` is not a time format description", now.now), "write a `time` crate format description, e.g. `[year]-[month]-[day]T[hour]:[minute]:[second]Z`");
                }
                Template(vec![Part::Ref(Ref::NowCustom(now.now.clone()), Vec::new())])
            }
        };
        self.named.insert(name.to_owned(), Some(template.clone()));
        Some(template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_of_templates() {
        assert_eq!(
            pieces("Basic {pair | base64}!").unwrap(),
            vec![
                Piece::Text("Basic ".into()),
                Piece::Placeholder {
                    name: "pair".into(),
                    functions: vec!["base64".into()]
                },
                Piece::Text("!".into()),
            ]
        );
        assert_eq!(
            pieces("{{literal}}").unwrap(),
            vec![Piece::Text("{literal}".into())]
        );
        assert_eq!(pieces("").unwrap(), vec![Piece::Text(String::new())]);
        for bad in ["{", "}", "{}", "{a b}", "{a|}", "{{a}", "{a{b}}"] {
            assert!(pieces(bad).is_err(), "{bad}");
        }
        assert_eq!(
            sample("https://{tenant}.example.com"),
            "https://placeholder.example.com"
        );
    }
}
