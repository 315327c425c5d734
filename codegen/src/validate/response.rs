//! `operations.*.response`: where each token field comes from, its type,
//! and the expiry.

use super::{At, Context, rust_field_name};
use crate::model::*;
use crate::parse::spec;

impl Context<'_> {
    pub(super) fn response(
        &mut self,
        kind: OperationKind,
        response: Option<&spec::Response>,
    ) -> Response {
        let op = kind.name();
        let path = ["operations", op, "response"];
        let issues_token = kind != OperationKind::Revoke;
        let Some(response) = response else {
            if issues_token {
                self.error(
                    &["operations", op],
                    At::Key,
                    format!("the {op} operation has no `response`"),
                    "declare where the access token and its expiry are",
                );
            }
            return Response::default();
        };
        let format = match response.format.as_deref() {
            None => BodyFormat::Json,
            Some(text) => BodyFormat::from_name(text).unwrap_or_else(|| {
                self.error(
                    &[&path[..], &["format"]].concat(),
                    At::Value,
                    format!("`{text}` is not a response format"),
                    format!("use {}", BodyFormat::one_of()),
                );
                BodyFormat::Json
            }),
        };
        let mut out = Response {
            format,
            ..Response::default()
        };
        if !issues_token {
            if response.access_token.is_some() || response.expiry.is_some() {
                self.error(
                    &path,
                    At::Key,
                    "a revoke response issues no token",
                    "keep only `fields:` (or remove `response`)",
                );
            }
        } else if response.access_token.is_none() {
            self.error(
                &path,
                At::Key,
                format!("the {op} response does not say where the access token is"),
                "add `access_token: access_token` (the body field), or a `{ header: ... }` source",
            );
        }
        let roles = [
            (
                Role::AccessToken,
                "access_token",
                &response.access_token,
                Reader::AccessToken,
            ),
            (
                Role::TokenType,
                "token_type",
                &response.token_type,
                Reader::String,
            ),
            (
                Role::RefreshToken,
                "refresh_token",
                &response.refresh_token,
                Reader::Secret,
            ),
            (Role::Scope, "scope", &response.scope, Reader::String),
        ];
        for (role, name, source, reader) in roles {
            let Some(source) = source else { continue };
            let here = [&path[..], &[name]].concat();
            let Some(source) = self.source(&here, source, format) else {
                continue;
            };
            self.push_field(
                &mut out,
                &here,
                ResponseField {
                    name: name.to_owned(),
                    field: name.to_owned(),
                    role,
                    source,
                    reader,
                    required: role == Role::AccessToken,
                    description: None,
                },
            );
        }
        for (role, name, expiry) in [
            (Role::Expiry, "expiry", &response.expiry),
            (
                Role::RefreshTokenExpiry,
                "refresh_token_expiry",
                &response.refresh_token_expiry,
            ),
        ] {
            let Some(expiry) = expiry else { continue };
            let here = [&path[..], &[name]].concat();
            let parsed = self.expiry(
                &here,
                role,
                expiry,
                format,
                response.default_lifetime_seconds,
                &mut out,
            );
            match role {
                Role::Expiry => out.expiry = parsed,
                _ => out.refresh_token_expiry = parsed,
            }
        }
        if out.refresh_token_expiry == Some(Expiry::Never) {
            out.refresh_token_expiry = None;
        }
        if issues_token && response.expiry.is_none() && response.default_lifetime_seconds.is_none()
        {
            self.error(&path, At::Key, "the token's lifetime is unknown: no `expiry` and no `default_lifetime_seconds`", "add `expiry: { field: expires_in, kind: relative_seconds }`, `default_lifetime_seconds: N` with the lifetime the vendor documents, or `expiry: never`");
        }
        if response.default_lifetime_seconds == Some(0) {
            self.error(
                &[&path[..], &["default_lifetime_seconds"]].concat(),
                At::Value,
                "a default lifetime of 0 seconds makes every token expired on arrival",
                "use the lifetime the vendor documents, in seconds",
            );
        }
        out.default_lifetime_seconds = response.default_lifetime_seconds;
        if let Some(rule) = &response.error_when {
            let here = [&path[..], &["error_when"]].concat();
            let status = rule.status.unwrap_or(400);
            if !(400..600).contains(&status) {
                self.error(&[&here[..], &["status"]].concat(), At::Value, format!("{status} is not an error status"), "use the 4xx or 5xx status the error means; 400 (the default) is a rejection, never retried");
            }
            if let Some(source) =
                self.source(&[&here[..], &["field"]].concat(), &rule.field, format)
            {
                out.error_when = Some((source, status));
            }
        }
        for (name, field) in &response.fields {
            let here: Vec<&str> = [&path[..], &["fields", name.as_str()]].concat();
            let Some(ty) = FieldType::from_name(&field.wire_type) else {
                self.error(
                    &[&here[..], &["type"]].concat(),
                    At::Value,
                    format!("`{}` is not a field type", field.wire_type),
                    format!("use {}", FieldType::one_of()),
                );
                continue;
            };
            let source = match &field.from {
                Some(source) => self.source(&[&here[..], &["from"]].concat(), source, format),
                None => self.body_field(&here, name, format),
            };
            let Some(source) = source else { continue };
            let reader = field_reader(ty, &source);
            self.push_field(
                &mut out,
                &here,
                ResponseField {
                    name: name.clone(),
                    field: rust_field_name(name),
                    role: Role::Extra,
                    source,
                    reader,
                    required: field.required,
                    description: field.description.clone(),
                },
            );
        }
        out.sent = std::mem::take(&mut self.sent);
        out
    }

    fn expiry(
        &mut self,
        path: &[&str],
        role: Role,
        expiry: &spec::ExpirySpec,
        format: BodyFormat,
        default_lifetime: Option<u64>,
        out: &mut Response,
    ) -> Option<Expiry> {
        let expiry = match expiry {
            spec::ExpirySpec::Never(text) if text == "never" => return Some(Expiry::Never),
            spec::ExpirySpec::Never(text) => {
                self.error(
                    path,
                    At::Value,
                    format!("`{text}` is not an expiry"),
                    "write `never`, or `{ field: expires_in, kind: relative_seconds }`",
                );
                return None;
            }
            spec::ExpirySpec::Field(expiry) => expiry,
        };
        let Some(kind) = ExpiryKind::from_name(&expiry.kind) else {
            self.error(
                &[path, &["kind"]].concat(),
                At::Value,
                format!("`{}` is not an expiry kind", expiry.kind),
                format!("use {}", ExpiryKind::one_of()),
            );
            return None;
        };
        let source = self.source(&[path, &["field"]].concat(), &expiry.field, format)?;
        let reader = match (kind, expiry.wire_type.as_deref()) {
            (ExpiryKind::Datetime, None) => Reader::DateTime,
            (ExpiryKind::Duration, None) => Reader::Duration,
            (ExpiryKind::Datetime | ExpiryKind::Duration, Some(_)) => {
                self.error(
                    &[path, &["type"]].concat(),
                    At::Key,
                    format!("a `{kind}` expiry is always a string; `type` does not apply"),
                    "remove `type`",
                );
                return None;
            }
            (_, None) if source.is_json() => Reader::IntNumber,
            // Headers, cookies and form fields are text.
            (_, None) => Reader::IntNumberOrString,
            (_, Some(text)) => match NumberWire::from_name(text) {
                Some(NumberWire::Number) => Reader::IntNumber,
                Some(NumberWire::String) => Reader::IntString,
                Some(NumberWire::NumberOrString) => Reader::IntNumberOrString,
                None => {
                    self.error(
                        &[path, &["type"]].concat(),
                        At::Value,
                        format!("`{text}` is not an expiry wire type"),
                        format!("use {}", NumberWire::one_of()),
                    );
                    return None;
                }
            },
        };
        // The Rust field is named after the wire name where there is one
        // (`expires_in`), as the vendor's document names it.
        let name = match &source {
            Source::Json(steps) => steps.iter().rev().find_map(|step| match step {
                PathStep::Key(key) => Some(key.clone()),
                PathStep::Index(_) => None,
            }),
            Source::Form(name) | Source::Header(name) | Source::Cookie(name) => Some(name.clone()),
            Source::Body | Source::FirstOf(_) | Source::Sent(_) => None,
        }
        .unwrap_or_else(|| match role {
            Role::Expiry => "expires".to_owned(),
            _ => "refresh_token_expires".to_owned(),
        });
        let field = rust_field_name(&name);
        // Without a documented default, a token without its expiry is unusable.
        let required = role == Role::Expiry && default_lifetime.is_none();
        self.push_field(
            out,
            path,
            ResponseField {
                name,
                field: field.clone(),
                role,
                source,
                reader,
                required,
                description: None,
            },
        );
        Some(Expiry::Field { field, kind })
    }

    /// A source as the spec gives it.
    pub(super) fn source(
        &mut self,
        path: &[&str],
        source: &spec::SourceSpec,
        format: BodyFormat,
    ) -> Option<Source> {
        match source {
            spec::SourceSpec::Field(name) => self.body_field(path, name, format),
            spec::SourceSpec::Other(map) => {
                let count = [
                    map.header.is_some(),
                    map.cookie.is_some(),
                    map.body.is_some(),
                    map.sent.is_some(),
                    map.first_of.is_some(),
                ]
                .iter()
                .filter(|set| **set)
                .count();
                if count != 1 {
                    self.error(
                        path,
                        At::Key,
                        "a source needs exactly one of `header`, `cookie`, `body`, `first_of` or `sent`",
                        "e.g. `{ header: X-Subject-Token }`, or a body field name",
                    );
                    return None;
                }
                if let Some(header) = &map.header {
                    if !super::is_header_name(header) {
                        self.error(
                            &[path, &["header"]].concat(),
                            At::Value,
                            format!("`{header}` is not a valid HTTP header name"),
                            "use the header's name as the vendor sends it",
                        );
                        return None;
                    }
                    return Some(Source::Header(header.clone()));
                }
                if let Some(sent) = &map.sent {
                    let place = self.place;
                    let template = self.scalar(&[path, &["sent"]].concat(), sent, place);
                    self.sent.push(template);
                    return Some(Source::Sent(self.sent.len() - 1));
                }
                if let Some(cookie) = &map.cookie {
                    return Some(Source::Cookie(cookie.clone()));
                }
                if let Some(body) = &map.body {
                    if body != "text" || format != BodyFormat::Text {
                        self.error(
                            path,
                            At::Value,
                            "the whole body is a value only with `format: text`",
                            "write `body: text` and set the response's `format: text`",
                        );
                        return None;
                    }
                    return Some(Source::Body);
                }
                let all = map.first_of.as_deref().unwrap_or_default();
                if all.len() < 2 {
                    self.error(
                        &[path, &["first_of"]].concat(),
                        At::Key,
                        "`first_of` lists fewer than two sources",
                        "list the places in the order to try them",
                    );
                    return None;
                }
                let sources: Option<Vec<Source>> =
                    all.iter().map(|s| self.source(path, s, format)).collect();
                sources.map(Source::FirstOf)
            }
        }
    }

    /// A body field by name: a JSON path, or a form field.
    fn body_field(&mut self, path: &[&str], name: &str, format: BodyFormat) -> Option<Source> {
        match format {
            BodyFormat::Json => match json_path(name) {
                Ok(steps) => Some(Source::Json(steps)),
                Err(message) => {
                    self.error(path, At::Value, message, "write a JSON path such as `access_token`, `data.token` or `items[0].token`");
                    None
                }
            },
            BodyFormat::Form => Some(Source::Form(name.to_owned())),
            BodyFormat::Text | BodyFormat::None => {
                self.error(path, At::Value, format!("`{name}` names a body field, but the response format `{format}` has none"), "use `{ body: text }`, `{ header: NAME }` or `{ cookie: NAME }`, or change `format`");
                None
            }
        }
    }

    fn push_field(&mut self, response: &mut Response, path: &[&str], field: ResponseField) {
        if let Some(other) = response
            .fields
            .iter()
            .find(|f| f.field == field.field || f.name == field.name)
        {
            let message = format!(
                "`{}` and `{}` both become the Rust field `{}`",
                other.name, field.name, field.field
            );
            self.error(
                path,
                At::Key,
                message,
                "each response field may appear once",
            );
            return;
        }
        response.fields.push(field);
    }
}

fn field_reader(ty: FieldType, source: &Source) -> Reader {
    let text = !source.is_json();
    match ty {
        FieldType::String => Reader::String,
        FieldType::Secret => Reader::Secret,
        FieldType::Integer if text => Reader::IntNumberOrString,
        FieldType::Integer => Reader::IntNumber,
        FieldType::NumberOrString => Reader::IntNumberOrString,
        FieldType::Number => Reader::Number,
        FieldType::Boolean => Reader::Boolean,
        FieldType::Datetime => Reader::DateTime,
        FieldType::Duration => Reader::Duration,
        FieldType::Json => Reader::Json,
    }
}

/// `data.items[0].token` as steps.
pub fn json_path(text: &str) -> Result<Vec<PathStep>, String> {
    let mut steps = Vec::new();
    for segment in text.split('.') {
        let (key, mut rest) = match segment.find('[') {
            Some(open) => (&segment[..open], &segment[open..]),
            None => (segment, ""),
        };
        // An empty member name is allowed only before a leading index: `[0].token`.
        let leading_index = steps.is_empty() && !rest.is_empty();
        if key.is_empty() && !leading_index {
            return Err(format!(
                "`{text}` is not a JSON path: it has an empty member name"
            ));
        }
        if !key.is_empty() {
            steps.push(PathStep::Key(key.to_owned()));
        }
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .ok_or_else(|| format!("`{text}` has a `[` without its `]`"))?;
            let index: usize = rest[1..close]
                .parse()
                .map_err(|_| format!("`{text}` has an array index that is not a number"))?;
            steps.push(PathStep::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("`{text}` is not a JSON path"));
            }
        }
    }
    if steps.is_empty() {
        return Err("the JSON path is empty".into());
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths() {
        assert_eq!(json_path("a").unwrap(), vec![PathStep::Key("a".into())]);
        assert_eq!(
            json_path("data.items[0].token").unwrap(),
            vec![
                PathStep::Key("data".into()),
                PathStep::Key("items".into()),
                PathStep::Index(0),
                PathStep::Key("token".into())
            ]
        );
        assert_eq!(json_path("[1]").unwrap(), vec![PathStep::Index(1)]);
        for bad in ["", "a..b", "a.", "a[x]", "a[0", "a[0]b"] {
            assert!(json_path(bad).is_err(), "{bad}");
        }
    }
}
