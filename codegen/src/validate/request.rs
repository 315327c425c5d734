//! `operations.*.request`: query, headers, body and HTTP Basic.

use indexmap::IndexMap;

use super::template::Place;
use super::{At, Context, is_header_name};
use crate::model::*;
use crate::parse::spec;

impl Context<'_> {
    pub(super) fn request(
        &mut self,
        kind: OperationKind,
        method: Method,
        request: &spec::Request,
    ) -> Request {
        let op = kind.name();
        let base = ["operations", op, "request"];
        let out = self.request_at(&base, self.place_of(kind), method, request);
        let sends_token = out
            .templates()
            .any(|t| t.refs().iter().any(|r| matches!(r, Ref::Token(_))));
        if kind != OperationKind::Token && !sends_token {
            self.error(
                &base,
                At::Key,
                format!("the {op} operation sends no token"),
                "send the token the vendor expects, e.g. `refresh_token: \"{token.refresh_token}\"`",
            );
        }
        out
    }

    /// Where the templates of `kind`'s requests are used.
    pub(super) fn place_of(&self, kind: OperationKind) -> Place {
        match kind {
            OperationKind::Token => Place::TokenRequest,
            _ => Place::Request,
        }
    }

    /// A request at `base` (an operation's or a step's).
    pub(super) fn request_at(
        &mut self,
        base: &[&str],
        place: Place,
        method: Method,
        request: &spec::Request,
    ) -> Request {
        let query = self.entries(&[base, &["query"]].concat(), &request.query, place);
        let headers = self.entries(&[base, &["headers"]].concat(), &request.headers, place);
        for (name, template) in &headers {
            let here = [base, &["headers", name.as_str()]].concat();
            if !is_header_name(name) {
                self.error(
                    &here,
                    At::Key,
                    format!("`{name}` is not a valid HTTP header name"),
                    "use letters, digits and `-`",
                );
            }
            self.check_header_text(&here, template, "", "a header");
        }
        let body = match &request.body {
            None => Body::None,
            Some(body) => self.body(&[base, &["body"]].concat(), method, body, place),
        };
        let basic_auth = request.basic_auth.as_ref().map(|basic| {
            let path = [base, &["basic_auth"]].concat();
            if request
                .headers
                .keys()
                .any(|h| h.eq_ignore_ascii_case("authorization"))
            {
                self.error(
                    &path,
                    At::Key,
                    "both basic_auth and an `Authorization` header are declared",
                    "keep one of them",
                );
            }
            BasicAuth {
                username: self.scalar(&[&path[..], &["username"]].concat(), &basic.username, place),
                password: self.scalar(&[&path[..], &["password"]].concat(), &basic.password, place),
                form_encoded: basic.form_encoded,
            }
        });
        Request {
            query,
            headers,
            body,
            basic_auth,
        }
    }

    /// The literal text of a header (or cookie) value: control characters
    /// (but tab) are invalid in a header and would fail every call;
    /// `forbidden` adds characters the place cannot hold.
    pub(super) fn check_header_text(
        &mut self,
        path: &[&str],
        template: &Template,
        forbidden: &str,
        what: &str,
    ) {
        let bad = template.0.iter().find_map(|part| match part {
            Part::Text(text) => text
                .chars()
                .find(|c| (c.is_control() && *c != '\t') || forbidden.contains(*c)),
            Part::Ref(..) => None,
        });
        if let Some(c) = bad {
            self.error(
                path,
                At::Value,
                format!(
                    "the value holds {}, which {what} cannot carry",
                    c.escape_debug()
                ),
                "remove it: header values are visible text (and tabs)",
            );
        }
    }

    /// Named templates (query, headers, form fields, API-call entries), each
    /// name once.
    pub(super) fn entries(
        &mut self,
        path: &[&str],
        entries: &IndexMap<String, spec::Scalar>,
        place: Place,
    ) -> Vec<(String, Template)> {
        let mut out: Vec<(String, Template)> = Vec::new();
        for (name, value) in entries {
            let here: Vec<&str> = path.iter().copied().chain([name.as_str()]).collect();
            if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                self.error(
                    &here,
                    At::Key,
                    format!("`{name}` is declared twice"),
                    "each name may appear once",
                );
            }
            let template = self.scalar(&here, value, place);
            out.push((name.clone(), template));
        }
        out
    }

    fn body(&mut self, path: &[&str], method: Method, body: &spec::Body, place: Place) -> Body {
        if !method.has_body() {
            self.error(
                path,
                At::Key,
                format!("a {method} request carries no body, yet a body is declared"),
                "change the method to POST, or move the fields to `request.query`",
            );
        }
        let at = |key: &'static str| -> Vec<&str> { path.iter().copied().chain([key]).collect() };
        match (&body.form, &body.json, &body.text) {
            (Some(form), None, None) => {
                if form.is_empty() {
                    self.error(
                        &at("form"),
                        At::Key,
                        "the form declares no fields",
                        "list the fields, or remove `body` for a request without one",
                    );
                }
                Body::Form(self.entries(&at("form"), form, place))
            }
            (None, Some(json), None) => Body::Json(self.json(&at("json"), json, place)),
            (None, None, Some(text)) => Body::Text(self.template(&at("text"), text, place)),
            _ => {
                self.error(
                    path,
                    At::Key,
                    "a body needs exactly one of `form`, `json` or `text`",
                    "e.g. `body: { form: { grant_type: client_credentials } }`",
                );
                Body::None
            }
        }
    }

    pub(super) fn json(&mut self, path: &[&str], value: &serde_yaml::Value, place: Place) -> Json {
        use serde_yaml::Value as Y;
        match value {
            Y::Null => Json::Null,
            Y::Bool(b) => Json::Bool(*b),
            Y::Number(n) => Json::Number(n.to_string()),
            Y::String(text) => Json::Value(self.template(path, text, place)),
            Y::Sequence(items) => Json::Array(
                items
                    .iter()
                    .map(|item| self.json(path, item, place))
                    .collect(),
            ),
            Y::Mapping(map) => {
                let mut members: Vec<(String, Json)> = Vec::new();
                for (key, value) in map {
                    let Some(key) = key.as_str() else {
                        self.error(
                            path,
                            At::Key,
                            "JSON object keys must be text",
                            "quote the key",
                        );
                        continue;
                    };
                    let here: Vec<&str> = path.iter().copied().chain([key]).collect();
                    let value = self.json(&here, value, place);
                    members.push((key.to_owned(), value));
                }
                Json::Object(members)
            }
            Y::Tagged(_) => {
                self.error(
                    path,
                    At::Value,
                    "YAML tags have no JSON meaning",
                    "remove the `!tag`",
                );
                Json::Null
            }
        }
    }
}
