//! Stage 2: a parsed spec to the [`model`](crate::model), collecting every
//! problem in the file (not only the first) as a located diagnostic.

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::parse::{Locations, Parsed, spec};

/// Validates one parsed spec. `source_name` is the file name shown in the
/// `@generated` header.
pub fn validate(parsed: &Parsed, source_name: &str) -> Result<Vendor, Vec<Diagnostic>> {
    let mut cx = Context {
        locations: &parsed.locations,
        diagnostics: Vec::new(),
    };
    let vendor = cx.vendor(&parsed.spec, source_name);
    if cx.diagnostics.is_empty() {
        Ok(vendor)
    } else {
        Err(cx.diagnostics)
    }
}

struct Context<'a> {
    locations: &'a Locations,
    diagnostics: Vec<Diagnostic>,
}

/// Which part of a `key: value` pair a diagnostic points at.
#[derive(Clone, Copy)]
enum At {
    Key,
    Value,
}

impl Context<'_> {
    fn error(
        &mut self,
        path: &[&str],
        at: At,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let span = match at {
            At::Key => self.locations.key(path),
            At::Value => self.locations.value(path),
        };
        self.diagnostics
            .push(Diagnostic::new(message, span).help(help));
    }

    fn vendor(&mut self, spec: &spec::Spec, source_name: &str) -> Vendor {
        if spec.name.trim().is_empty() {
            self.error(
                &["name"],
                At::Value,
                "the vendor name is empty",
                "write the vendor and product name, e.g. `Verbio Speech Center`",
            );
        }
        if !is_snake_identifier(&spec.module) {
            self.error(
                &["module"],
                At::Value,
                format!("`{}` is not a usable Rust module name", spec.module),
                "use lower snake_case letters, digits and `_`, starting with a letter, and not a Rust keyword",
            );
        }
        if let Some(url) = &spec.documentation
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            self.error(
                &["documentation"],
                At::Value,
                "the documentation link is not an http(s) URL",
                "give the full address of the vendor's document",
            );
        }
        let variables = self.variables(spec);
        let environments = self.environments(spec, &variables);
        let default_environment = self.default_environment(spec, &environments);
        let credentials = self.credentials(spec);

        let vendor_errors = spec.errors.as_ref();
        let token = self.operation(
            spec,
            OperationKind::Token,
            &spec.operations.token,
            vendor_errors,
        );
        let refresh = spec
            .operations
            .refresh
            .as_ref()
            .map(|op| self.operation(spec, OperationKind::Refresh, op, vendor_errors));
        let revoke = spec
            .operations
            .revoke
            .as_ref()
            .map(|op| self.operation(spec, OperationKind::Revoke, op, vendor_errors));

        let vendor = Vendor {
            name: spec.name.clone(),
            module: spec.module.clone(),
            description: spec.description.clone(),
            documentation: spec.documentation.clone(),
            source_name: source_name.to_owned(),
            environments,
            default_environment,
            variables,
            credentials,
            refresh_ahead_seconds: spec.refresh_ahead_seconds,
            token,
            refresh,
            revoke,
            authorization: self.authorization(&spec.authorization),
        };
        self.check_every_credential_is_used(&vendor);
        self.check_every_variable_is_used(spec, &vendor);
        vendor
    }

    fn variables(&mut self, spec: &spec::Spec) -> Vec<Variable> {
        let mut out: Vec<Variable> = Vec::new();
        for (name, variable) in &spec.variables {
            let field = rust_field_name(name);
            if out.iter().any(|v| v.field == field) || field == "environment" {
                self.error(
                    &["variables", name],
                    At::Key,
                    format!(
                        "variable `{name}` becomes the Rust field `{field}`, which is already taken"
                    ),
                    "rename one of the variables",
                );
            }
            out.push(Variable {
                template_name: name.clone(),
                field,
                description: variable.description.clone(),
            });
        }
        out
    }

    fn environments(&mut self, spec: &spec::Spec, variables: &[Variable]) -> Vec<Environment> {
        if spec.environments.is_empty() {
            self.error(
                &["environments"],
                At::Key,
                "no environment is declared",
                "declare at least one, e.g. `production: { base_url: https://auth.example.com }`",
            );
        }
        let mut out: Vec<Environment> = Vec::new();
        for (name, env) in &spec.environments {
            let variant = name.to_upper_camel_case();
            if variant.is_empty() || !variant.starts_with(|c: char| c.is_ascii_alphabetic()) {
                self.error(
                    &["environments", name],
                    At::Key,
                    format!("environment `{name}` has no usable name"),
                    "name it with letters, e.g. `production` or `uat`",
                );
            } else if variant == "Custom" || out.iter().any(|e| e.variant == variant) {
                self.error(
                    &["environments", name],
                    At::Key,
                    format!("environment `{name}` becomes the variant `{variant}`, which is already taken"),
                    "rename it; `custom` is reserved for URLs given at run time",
                );
            }
            let base_url = match (&env.base_url, env.user_supplied) {
                (Some(url), false) => {
                    self.check_base_url(&["environments", name, "base_url"], url, variables);
                    BaseUrl::Template(url.clone())
                }
                (None, true) => BaseUrl::UserSupplied,
                (Some(_), true) => {
                    self.error(
                        &["environments", name, "user_supplied"],
                        At::Key,
                        format!("environment `{name}` has both a base_url and user_supplied"),
                        "keep `base_url` if the URL is known, else `user_supplied: true`",
                    );
                    BaseUrl::UserSupplied
                }
                (None, false) => {
                    self.error(&["environments", name], At::Key, format!("environment `{name}` has no base_url"), "add `base_url: https://...`, or `user_supplied: true` if the vendor gives each customer its own URL");
                    BaseUrl::UserSupplied
                }
            };
            out.push(Environment {
                name: name.clone(),
                variant,
                description: env.description.clone(),
                base_url,
            });
        }
        out
    }

    fn check_base_url(&mut self, path: &[&str], url: &str, variables: &[Variable]) {
        let mut placeholders = Vec::new();
        match template_placeholders(url) {
            Ok(found) => placeholders = found,
            Err(message) => self.error(
                path,
                At::Value,
                message,
                "write placeholders as `{name}` with a declared variable name",
            ),
        }
        for placeholder in &placeholders {
            if !variables.iter().any(|v| &v.template_name == placeholder) {
                self.error(
                    path,
                    At::Value,
                    format!("the URL template uses `{{{placeholder}}}`, which is not declared"),
                    format!(
                        "declare it under `variables:` as `{placeholder}: {{ description: ... }}`"
                    ),
                );
            }
        }
        let (scheme, rest) = match url.split_once("://") {
            Some(parts) => parts,
            None => {
                self.error(
                    path,
                    At::Value,
                    "the base URL has no scheme",
                    "write it as `https://host[:port][/path]`",
                );
                return;
            }
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host_name = host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                name
            } else {
                host
            }
        });
        if host.is_empty() {
            self.error(
                path,
                At::Value,
                "the base URL has no host",
                "write it as `https://host[:port][/path]`",
            );
        }
        if rest.contains(['?', '#']) {
            self.error(
                path,
                At::Value,
                "the base URL has a query or fragment",
                "put query parameters under the operation's `request.query`",
            );
        }
        match scheme {
            "https" => {}
            "http" if is_loopback(host_name) => {}
            "http" => self.error(
                path,
                At::Value,
                "plain `http://` sends credentials in the clear",
                "use `https://`; `http://` is accepted only for loopback addresses (localhost, 127.0.0.1, [::1])",
            ),
            other => self.error(path, At::Value, format!("the URL scheme `{other}` is not supported"), "use `https://`"),
        }
    }

    fn default_environment(
        &mut self,
        spec: &spec::Spec,
        environments: &[Environment],
    ) -> Option<usize> {
        match &spec.default_environment {
            Some(name) => {
                match spec.environments.get_index_of(name) {
                    Some(index)
                        if environments
                            .get(index)
                            .is_some_and(|e| e.base_url == BaseUrl::UserSupplied) =>
                    {
                        self.error(&["default_environment"], At::Value, format!("the default environment `{name}` needs a URL from the user"), "choose an environment with a `base_url`, or remove `default_environment`");
                        None
                    }
                    Some(index) => Some(index),
                    None => {
                        let known: Vec<&str> =
                            spec.environments.keys().map(String::as_str).collect();
                        self.error(
                            &["default_environment"],
                            At::Value,
                            format!("`{name}` is not a declared environment"),
                            format!("use one of: {}", known.join(", ")),
                        );
                        None
                    }
                }
            }
            None if environments.len() == 1
                && environments[0].base_url != BaseUrl::UserSupplied =>
            {
                Some(0)
            }
            None => None,
        }
    }

    fn credentials(&mut self, spec: &spec::Spec) -> Vec<Credential> {
        let mut out = Vec::new();
        for (name, credential) in &spec.credentials {
            if !is_snake_identifier(name) {
                self.error(
                    &["credentials", name],
                    At::Key,
                    format!("credential `{name}` is not a usable Rust field name"),
                    "use lower snake_case, e.g. `client_secret`",
                );
            }
            out.push(Credential {
                field: name.clone(),
                description: credential.description.clone(),
            });
        }
        out
    }

    fn operation(
        &mut self,
        spec: &spec::Spec,
        kind: OperationKind,
        op: &spec::Operation,
        vendor_errors: Option<&spec::Errors>,
    ) -> Operation {
        let base = ["operations", kind.name()];
        let at = |tail: &[&'static str]| -> Vec<&str> {
            base.iter().copied().chain(tail.iter().copied()).collect()
        };

        let method = op.method.to_ascii_uppercase();
        if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
            self.error(
                &at(&["method"]),
                At::Value,
                format!("`{}` is not a supported HTTP method", op.method),
                "use GET, POST, PUT, PATCH or DELETE",
            );
        }
        if !(op.path.is_empty() || op.path.starts_with('/')) || op.path.contains(['?', '#', ' ']) {
            self.error(&at(&["path"]), At::Value, format!("`{}` is not a path", op.path), "write the path from the base URL starting with `/` (or empty), with no query string");
        }
        let success_status = op.success_status.unwrap_or(200);
        if !(200..300).contains(&success_status) {
            self.error(
                &at(&["success_status"]),
                At::Value,
                format!("{success_status} is not a success status"),
                "use a 2xx status",
            );
        }
        let request = self.request(spec, kind, &method, &op.request);
        let response = self.response(kind, op.response.as_ref());
        let errors = match op.errors.as_ref().or(vendor_errors) {
            Some(errors) => {
                let path: Vec<&str> = if op.errors.is_some() {
                    at(&["errors"])
                } else {
                    vec!["errors"]
                };
                self.errors(&path, errors)
            }
            None => Errors::default(),
        };
        Operation {
            kind,
            description: op.description.clone(),
            method,
            path: op.path.clone(),
            success_status,
            request,
            response,
            errors,
        }
    }

    fn request(
        &mut self,
        spec: &spec::Spec,
        kind: OperationKind,
        method: &str,
        request: &spec::Request,
    ) -> Request {
        let op = kind.name();
        let mut out = Request {
            query: self.params(
                spec,
                kind,
                &["operations", op, "request", "query"],
                &request.query,
            ),
            headers: self.params(
                spec,
                kind,
                &["operations", op, "request", "headers"],
                &request.headers,
            ),
            ..Request::default()
        };
        for param in &out.headers {
            if !is_header_name(&param.wire) {
                self.error(
                    &["operations", op, "request", "headers", &param.wire],
                    At::Key,
                    format!("`{}` is not a valid HTTP header name", param.wire),
                    "use letters, digits and `-`",
                );
            }
        }
        if let Some(body) = &request.body {
            let path = ["operations", op, "request", "body"];
            let encoding = match body.encoding.as_str() {
                "json" => Encoding::Json,
                "form" => Encoding::Form,
                other => {
                    self.error(
                        &[&path[..], &["encoding"]].concat(),
                        At::Value,
                        format!("`{other}` is not a body encoding"),
                        "use `json` or `form`; for parameters in the URL use `request.query`",
                    );
                    Encoding::Json
                }
            };
            if matches!(method, "GET" | "DELETE") {
                self.error(
                    &path,
                    At::Key,
                    format!("a {method} request carries no body, yet body fields are declared"),
                    "change the method to POST, or move the fields to `request.query`",
                );
            }
            if body.fields.is_empty() {
                self.error(
                    &path,
                    At::Key,
                    "the body declares no fields",
                    "list the fields, or remove `body` for a request without one",
                );
            }
            let fields = self.params(spec, kind, &[&path[..], &["fields"]].concat(), &body.fields);
            out.body = Some(Body { encoding, fields });
        }
        if let Some(basic) = &request.basic_auth {
            for (role, name) in [("username", &basic.username), ("password", &basic.password)] {
                if !spec.credentials.contains_key(name) {
                    self.error(
                        &["operations", op, "request", "basic_auth", role],
                        At::Value,
                        format!("`{name}` is not a declared credential"),
                        declared_help("credentials", spec.credentials.keys()),
                    );
                }
            }
            if request
                .headers
                .keys()
                .any(|h| h.eq_ignore_ascii_case("authorization"))
            {
                self.error(
                    &["operations", op, "request", "basic_auth"],
                    At::Key,
                    "both basic_auth and an `Authorization` header are declared",
                    "keep one of them",
                );
            }
            out.basic_auth = Some(BasicAuth {
                username: basic.username.clone(),
                password: basic.password.clone(),
                form_encoded: basic.form_encoded,
            });
        }
        self.check_unique_fields(op, &out);
        let tokens_sent = out.params().any(|p| matches!(p.source, Source::Token(_)));
        if kind != OperationKind::Token && !tokens_sent {
            self.error(
                &["operations", op, "request"],
                At::Key,
                format!("the {op} operation sends no token"),
                "send the token the vendor expects, e.g. `refreshToken: { token: refresh_token }`",
            );
        }
        out
    }

    fn params(
        &mut self,
        spec: &spec::Spec,
        kind: OperationKind,
        path: &[&str],
        values: &indexmap::IndexMap<String, spec::Value>,
    ) -> Vec<Param> {
        let mut out = Vec::new();
        for (wire, value) in values {
            let here: Vec<&str> = path.iter().copied().chain([wire.as_str()]).collect();
            let Some(source) = self.source(spec, kind, &here, value) else {
                continue;
            };
            out.push(Param {
                wire: wire.clone(),
                field: rust_field_name(wire),
                source,
            });
        }
        out
    }

    fn source(
        &mut self,
        spec: &spec::Spec,
        kind: OperationKind,
        path: &[&str],
        value: &spec::Value,
    ) -> Option<Source> {
        let set = [
            value.credential.is_some(),
            value.value.is_some(),
            value.token.is_some(),
            value.variable.is_some(),
        ];
        if set.iter().filter(|s| **s).count() != 1 {
            self.error(path, At::Key, "a request value needs exactly one source", "write one of `{ credential: NAME }`, `{ value: CONSTANT }`, `{ token: refresh_token }` or `{ variable: NAME }`");
            return None;
        }
        let inner =
            |key: &'static str| -> Vec<&str> { path.iter().copied().chain([key]).collect() };
        if let Some(name) = &value.credential {
            if !spec.credentials.contains_key(name) {
                self.error(
                    &inner("credential"),
                    At::Value,
                    format!("`{name}` is not a declared credential"),
                    declared_help("credentials", spec.credentials.keys()),
                );
            }
            return Some(Source::Credential(name.clone()));
        }
        if let Some(constant) = &value.value {
            return Some(Source::Constant(constant.clone()));
        }
        if let Some(name) = &value.variable {
            if !spec.variables.contains_key(name) {
                self.error(
                    &inner("variable"),
                    At::Value,
                    format!("`{name}` is not a declared variable"),
                    declared_help("variables", spec.variables.keys()),
                );
            }
            return Some(Source::Variable(rust_field_name(name)));
        }
        let token = value.token.as_deref().unwrap_or_default();
        let field = match token {
            "access_token" => TokenField::AccessToken,
            "refresh_token" => TokenField::RefreshToken,
            other => {
                self.error(
                    &inner("token"),
                    At::Value,
                    format!("`{other}` is not a token field"),
                    "use `access_token` or `refresh_token`",
                );
                return None;
            }
        };
        if kind == OperationKind::Token {
            self.error(
                path,
                At::Key,
                "the token operation cannot send a token: it is the one that obtains it",
                "send credentials here, and tokens from `refresh` or `revoke`",
            );
        }
        Some(Source::Token(field))
    }

    fn check_unique_fields(&mut self, op: &str, request: &Request) {
        let groups: [(&str, &[Param]); 2] =
            [("query", &request.query), ("headers", &request.headers)];
        let body = request
            .body
            .as_ref()
            .map(|b| b.fields.as_slice())
            .unwrap_or_default();
        for (group, params) in groups.into_iter().chain([("body", body)]) {
            for (i, param) in params.iter().enumerate() {
                if let Some(other) = params[..i].iter().find(|p| p.field == param.field) {
                    let tail: &[&str] = if group == "body" {
                        &["body", "fields"]
                    } else {
                        &[group]
                    };
                    let path: Vec<&str> = ["operations", op, "request"]
                        .into_iter()
                        .chain(tail.iter().copied())
                        .chain([param.wire.as_str()])
                        .collect();
                    self.error(
                        &path,
                        At::Key,
                        format!("`{}` and `{}` both become the Rust field `{}`", other.wire, param.wire, param.field),
                        "wire names must differ after conversion to snake_case; remove the duplicate",
                    );
                }
            }
        }
    }

    fn response(&mut self, kind: OperationKind, response: Option<&spec::Response>) -> Response {
        let op = kind.name();
        let path = ["operations", op, "response"];
        let issues_token = kind != OperationKind::Revoke;
        let Some(response) = response else {
            if issues_token {
                self.error(
                    &["operations", op],
                    At::Key,
                    format!("the {op} operation has no `response`"),
                    "describe the response, at least `access_token: <wire name>`",
                );
            }
            return Response::default();
        };
        let mut out = Response {
            nested_under: response.nested_under.clone(),
            default_lifetime_seconds: response.default_lifetime_seconds,
            ..Response::default()
        };
        let roles = [
            (
                Role::AccessToken,
                "access_token",
                &response.access_token,
                WireType::Secret,
            ),
            (
                Role::TokenType,
                "token_type",
                &response.token_type,
                WireType::String,
            ),
            (
                Role::RefreshToken,
                "refresh_token",
                &response.refresh_token,
                WireType::Secret,
            ),
            (Role::Scope, "scope", &response.scope, WireType::String),
        ];
        for (role, key, wire, wire_type) in roles {
            let Some(wire) = wire else { continue };
            if !issues_token {
                self.error(
                    &[&path[..], &[key]].concat(),
                    At::Key,
                    format!("a revoke response issues no `{key}`"),
                    "list the fields it returns under `fields:`",
                );
            }
            self.push_field(
                &mut out,
                &[&path[..], &[key]].concat(),
                ResponseField {
                    wire: wire.clone(),
                    field: rust_field_name(wire),
                    role,
                    wire_type,
                    required: role == Role::AccessToken,
                    description: None,
                },
            );
        }
        if issues_token && response.access_token.is_none() {
            self.error(
                &path,
                At::Key,
                "the response does not say which field holds the access token",
                "add `access_token: <wire name>`, e.g. `access_token: accessToken`",
            );
        }
        for (key, expiry, role) in [
            ("expiry", &response.expiry, Role::Expiry),
            (
                "refresh_token_expiry",
                &response.refresh_token_expiry,
                Role::RefreshTokenExpiry,
            ),
        ] {
            let Some(expiry) = expiry else { continue };
            let here: Vec<&str> = [&path[..], &[key]].concat();
            if let Some((kind, wire_type)) = self.expiry(&here, expiry) {
                let field = rust_field_name(&expiry.field);
                let required = role == Role::Expiry && response.default_lifetime_seconds.is_none();
                self.push_field(
                    &mut out,
                    &[&here[..], &["field"]].concat(),
                    ResponseField {
                        wire: expiry.field.clone(),
                        field: field.clone(),
                        role,
                        wire_type,
                        required,
                        description: None,
                    },
                );
                let parsed = Expiry { field, kind };
                match role {
                    Role::Expiry => out.expiry = Some(parsed),
                    _ => out.refresh_token_expiry = Some(parsed),
                }
            }
        }
        if issues_token && response.expiry.is_none() && response.default_lifetime_seconds.is_none()
        {
            self.error(&path, At::Key, "the token's lifetime is unknown: no `expiry` field and no `default_lifetime_seconds`", "add `expiry: { field: expires_in, kind: relative_seconds }`, or `default_lifetime_seconds: N` with the lifetime the vendor documents");
        }
        if response.default_lifetime_seconds == Some(0) {
            self.error(
                &[&path[..], &["default_lifetime_seconds"]].concat(),
                At::Value,
                "a default lifetime of 0 seconds makes every token expired on arrival",
                "use the lifetime the vendor documents, in seconds",
            );
        }
        for (wire, field) in &response.fields {
            let here: Vec<&str> = [&path[..], &["fields", wire.as_str()]].concat();
            let wire_type = match field.wire_type.as_str() {
                "string" => WireType::String,
                "secret" => WireType::Secret,
                "integer" => WireType::Integer,
                "number" => WireType::Number,
                "boolean" => WireType::Boolean,
                "json" => WireType::Json,
                other => {
                    self.error(
                        &[&here[..], &["type"]].concat(),
                        At::Value,
                        format!("`{other}` is not a field type"),
                        "use string, secret, integer, number, boolean or json",
                    );
                    continue;
                }
            };
            self.push_field(
                &mut out,
                &here,
                ResponseField {
                    wire: wire.clone(),
                    field: rust_field_name(wire),
                    role: Role::Extra,
                    wire_type,
                    required: field.required,
                    description: field.description.clone(),
                },
            );
        }
        out
    }

    fn expiry(&mut self, path: &[&str], expiry: &spec::Expiry) -> Option<(ExpiryKind, WireType)> {
        let kind = match expiry.kind.as_str() {
            "relative_seconds" => ExpiryKind::RelativeSeconds,
            "unix_time" => ExpiryKind::UnixTime,
            "iso8601" => ExpiryKind::Iso8601,
            other => {
                self.error(&[path, &["kind"]].concat(), At::Value, format!("`{other}` is not an expiry kind"), "use `relative_seconds` (expires_in), `unix_time` (absolute epoch seconds) or `iso8601` (a date-time string)");
                return None;
            }
        };
        let wire_type = match (kind, expiry.wire_type.as_deref()) {
            (ExpiryKind::Iso8601, None) => WireType::DateTime,
            (ExpiryKind::Iso8601, Some(_)) => {
                self.error(
                    &[path, &["type"]].concat(),
                    At::Key,
                    "an `iso8601` expiry is always a string; `type` does not apply",
                    "remove `type`",
                );
                return None;
            }
            (_, None | Some("number")) => WireType::IntNumber,
            (_, Some("string")) => WireType::IntString,
            (_, Some("number_or_string")) => WireType::IntNumberOrString,
            (_, Some(other)) => {
                self.error(
                    &[path, &["type"]].concat(),
                    At::Value,
                    format!("`{other}` is not an expiry wire type"),
                    "use `number`, `string` or `number_or_string`",
                );
                return None;
            }
        };
        Some((kind, wire_type))
    }

    fn push_field(&mut self, response: &mut Response, path: &[&str], field: ResponseField) {
        if let Some(other) = response
            .fields
            .iter()
            .find(|f| f.wire == field.wire || f.field == field.field)
        {
            let message = if other.wire == field.wire {
                format!("the wire name `{}` is mapped twice", field.wire)
            } else {
                format!(
                    "`{}` and `{}` both become the Rust field `{}`",
                    other.wire, field.wire, field.field
                )
            };
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

    fn errors(&mut self, path: &[&str], errors: &spec::Errors) -> Errors {
        let mut out = Errors {
            body_fields: errors.body_fields.clone(),
            ..Errors::default()
        };
        for (key, meaning) in &errors.statuses {
            let text = key.to_string();
            let status = match key {
                spec::StatusKey::Code(code) if (400..600).contains(code) => {
                    Some(StatusMatch::Exact(*code))
                }
                // Bytes, not `str` slices: a key may be any text, and slicing
                // inside a multi-byte character panics (found by fuzzing).
                spec::StatusKey::Text(text) => match text.as_bytes() {
                    [class @ (b'4' | b'5'), x, y]
                        if x.eq_ignore_ascii_case(&b'x') && y.eq_ignore_ascii_case(&b'x') =>
                    {
                        Some(StatusMatch::Class(u16::from(class - b'0') * 100))
                    }
                    _ => None,
                },
                _ => None,
            };
            match status {
                Some(status) => out.statuses.push(ErrorStatus {
                    status,
                    meaning: meaning.clone(),
                }),
                None => self.error(
                    &[path, &["statuses", text.as_str()]].concat(),
                    At::Key,
                    format!("`{text}` is not an error status"),
                    "use a 4xx or 5xx code such as `401`, or a class such as `5XX`",
                ),
            }
        }
        out
    }

    fn authorization(&mut self, auth: &spec::Authorization) -> Authorization {
        let header = auth
            .header
            .clone()
            .unwrap_or_else(|| "Authorization".to_owned());
        if !is_header_name(&header) {
            self.error(
                &["authorization", "header"],
                At::Value,
                format!("`{header}` is not a valid HTTP header name"),
                "use letters, digits and `-`, e.g. `Authorization`",
            );
        }
        let scheme = match auth.scheme.as_deref() {
            None => Some("Bearer".to_owned()),
            Some("") => None,
            Some(scheme) => Some(scheme.to_owned()),
        };
        let mut headers = Vec::new();
        for (name, value) in &auth.headers {
            let path = ["authorization", "headers", name.as_str()];
            if !is_header_name(name) || name.eq_ignore_ascii_case(&header) {
                self.error(
                    &path,
                    At::Key,
                    format!("`{name}` cannot be a per-request header"),
                    "use a valid header name other than the token's own header",
                );
            }
            let value = match (
                &value.value,
                value.generate.as_deref(),
                value.format.as_deref(),
            ) {
                (Some(constant), None, None) => ApiHeaderValue::Constant(constant.clone()),
                (None, Some("uuid_v4"), None) => ApiHeaderValue::UuidV4,
                (None, Some("utc_now"), format) => {
                    let format = match format {
                        Some("iso8601_seconds") => TimeFormat::Iso8601Seconds,
                        Some("iso8601_millis") => TimeFormat::Iso8601Millis,
                        Some("unix_seconds") => TimeFormat::UnixSeconds,
                        Some("unix_millis") => TimeFormat::UnixMillis,
                        _ => {
                            self.error(&[&path[..], &["format"]].concat(), At::Key, "`utc_now` needs a `format`", "use iso8601_seconds (2025-05-16T09:30:00Z), iso8601_millis (2025-05-16T09:30:00.000Z), unix_seconds or unix_millis");
                            continue;
                        }
                    };
                    ApiHeaderValue::UtcNow(format)
                }
                (None, Some(other), _) if other != "uuid_v4" && other != "utc_now" => {
                    self.error(
                        &[&path[..], &["generate"]].concat(),
                        At::Value,
                        format!("`{other}` is not a generated value"),
                        "use `uuid_v4` or `utc_now`",
                    );
                    continue;
                }
                _ => {
                    self.error(&path, At::Key, "a header needs either `value` or `generate` (with `format` only for utc_now)", "e.g. `{ value: application/json }` or `{ generate: uuid_v4 }`");
                    continue;
                }
            };
            headers.push(ApiHeader {
                name: name.clone(),
                value,
            });
        }
        Authorization {
            header,
            scheme,
            headers,
        }
    }

    fn check_every_credential_is_used(&mut self, vendor: &Vendor) {
        for credential in &vendor.credentials {
            let name = &credential.field;
            let used = vendor.operations().any(|op| {
                op.request
                    .params()
                    .any(|p| p.source == Source::Credential(name.clone()))
                    || op
                        .request
                        .basic_auth
                        .as_ref()
                        .is_some_and(|b| &b.username == name || &b.password == name)
            });
            if !used {
                self.error(
                    &["credentials", name],
                    At::Key,
                    format!("credential `{name}` is declared but never sent"),
                    "place it in an operation's `request` (query, body field, header or basic_auth), or remove it",
                );
            }
        }
    }

    fn check_every_variable_is_used(&mut self, spec: &spec::Spec, vendor: &Vendor) {
        for variable in &vendor.variables {
            let in_url = spec.environments.values().any(|env| {
                env.base_url
                    .as_deref()
                    .and_then(|url| template_placeholders(url).ok())
                    .is_some_and(|found| found.contains(&variable.template_name))
            });
            let in_request = vendor.operations().any(|op| {
                op.request
                    .params()
                    .any(|p| p.source == Source::Variable(variable.field.clone()))
            });
            if !in_url && !in_request {
                self.error(
                    &["variables", &variable.template_name],
                    At::Key,
                    format!("variable `{}` is declared but never used", variable.template_name),
                    "use it as `{name}` in a base_url or as `{ variable: name }` in a request, or remove it",
                );
            }
        }
    }
}

fn declared_help<'a>(what: &str, names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        format!("declare it under `{what}:`")
    } else {
        format!(
            "declare it under `{what}:`, or use one of: {}",
            names.join(", ")
        )
    }
}

/// The `{name}` placeholders of a URL template, in order.
pub fn template_placeholders(template: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("the URL template has a `}` without its `{`".to_owned());
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or("the URL template has a `{` without its `}`")?;
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`{{{name}}}` is not a valid placeholder"));
        }
        out.push(name.to_owned());
        rest = &after[close + 1..];
    }
    Ok(out)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_snake_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !is_keyword(name)
}

/// The Rust field name for a wire name: snake_case, never a keyword.
pub fn rust_field_name(wire: &str) -> String {
    let mut name: String = wire
        .to_snake_case()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "field_");
    }
    if is_keyword(&name) {
        name.push('_');
    }
    name
}

fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
    )
}
