//! Stage 2: a parsed spec to the [`model`](crate::model), collecting every
//! problem in the file (not only the first) as a located diagnostic. One
//! module per spec section; `template` resolves the value grammar for all.

mod authorization;
mod jwt;
mod request;
mod response;
mod steps;
mod template;

use heck::{ToSnakeCase, ToUpperCamelCase};
use indexmap::IndexMap;

use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::parse::{Locations, Parsed, spec};
use template::Place;

/// Validates one parsed spec. `source_name` is the file name shown in the
/// `@generated` header.
pub fn validate(parsed: &Parsed, source_name: &str) -> Result<Vendor, Vec<Diagnostic>> {
    let spec = &parsed.spec;
    let mut cx = Context {
        locations: &parsed.locations,
        diagnostics: Vec::new(),
        spec,
        variables: Vec::new(),
        named: IndexMap::new(),
        assertions: Vec::new(),
        fingerprints: Vec::new(),
        token_fields: token_field_names(spec),
        step_outputs: Vec::new(),
        sent: Vec::new(),
        place: Place::TokenRequest,
    };
    let vendor = cx.vendor(source_name);
    if cx.diagnostics.is_empty() {
        Ok(vendor)
    } else {
        Err(cx.diagnostics)
    }
}

/// The names a later request may read as `{token.NAME}`: the token
/// operation's response fields.
fn token_field_names(spec: &spec::Spec) -> Vec<String> {
    let mut names = vec!["access_token".to_owned(), "refresh_token".to_owned()];
    let operations = [&spec.operations.token, &spec.operations.refresh];
    for response in operations
        .into_iter()
        .flatten()
        .filter_map(|op| op.response.as_ref())
    {
        if response.token_type.is_some() {
            names.push("token_type".into());
        }
        if response.scope.is_some() {
            names.push("scope".into());
        }
        names.extend(response.fields.keys().cloned());
    }
    names.dedup();
    names
}

struct Context<'a> {
    locations: &'a Locations,
    diagnostics: Vec<Diagnostic>,
    spec: &'a spec::Spec,
    variables: Vec<Variable>,
    /// Named values resolved so far (`None` while being resolved: a cycle).
    named: IndexMap<String, Option<Template>>,
    /// Signed values resolved so far.
    assertions: Vec<Assertion>,
    /// Key fingerprints templates read.
    fingerprints: Vec<(usize, String, JwtAlgorithm)>,
    token_fields: Vec<String>,
    /// The steps of the operation being validated, with their outputs.
    step_outputs: Vec<(String, Vec<String>)>,
    /// Templates the current operation's response reads back (`sent`).
    sent: Vec<Template>,
    /// Where the current operation's templates are used.
    place: Place,
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

    /// An error about `needle`, a part of the value at `path` (a
    /// placeholder of a template): the caret points at that part.
    fn error_in(
        &mut self,
        path: &[&str],
        needle: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let span = self
            .locations
            .value(path)
            .map(|span| self.locations.narrow(span, needle));
        self.diagnostics
            .push(Diagnostic::new(message, span).help(help));
    }

    fn vendor(&mut self, source_name: &str) -> Vendor {
        let spec = self.spec;
        if spec.name.trim().is_empty() {
            self.error(
                &["name"],
                At::Value,
                "the vendor name is empty",
                "write the vendor and product name, e.g. `Verbio Speech Center`",
            );
        }
        if RESERVED_MODULES.contains(&spec.module.as_str()) {
            self.error(
                &["module"],
                At::Value,
                format!("`{}` is a name the generated code already uses (a runtime module, a dependency or the index file)", spec.module),
                "rename the module, e.g. after the vendor and product (`acme_billing`)",
            );
        } else if !is_snake_identifier(&spec.module) {
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
        let plain_http = match spec.plain_http.as_deref() {
            None => PlainHttp::LoopbackOnly,
            Some("link_local_metadata") => {
                if !spec.credentials.is_empty() {
                    self.error(&["plain_http"], At::Key, "plain http to a metadata endpoint is allowed only for a spec without credentials", "remove the credentials (metadata endpoints take none), or use https");
                }
                PlainHttp::LinkLocalMetadata
            }
            Some(other) => {
                self.error(
                    &["plain_http"],
                    At::Value,
                    format!("`{other}` is not a plain-http allowance"),
                    "use `link_local_metadata`, or remove the key (http is always allowed to loopback)",
                );
                PlainHttp::LoopbackOnly
            }
        };
        self.variables = self.variables_of();
        let credentials = self.credentials();
        self.check_name_clashes();
        let environments = self.environments(plain_http);
        let default_environment = self.default_environment(spec, &environments);

        let vendor_errors = spec.errors.as_ref();
        let token = spec
            .operations
            .token
            .as_ref()
            .map(|op| self.operation(OperationKind::Token, op, vendor_errors));
        let refresh = spec
            .operations
            .refresh
            .as_ref()
            .map(|op| self.operation(OperationKind::Refresh, op, vendor_errors));
        let revoke = spec
            .operations
            .revoke
            .as_ref()
            .map(|op| self.operation(OperationKind::Revoke, op, vendor_errors));
        let self_issued = self.self_issued();
        let authorization = self.authorization(&spec.authorization);

        let vendor = Vendor {
            name: spec.name.clone(),
            module: spec.module.clone(),
            description: spec.description.clone(),
            documentation: spec.documentation.clone(),
            source_name: source_name.to_owned(),
            environments,
            default_environment,
            plain_http,
            variables: self.variables.clone(),
            credentials,
            refresh_ahead_seconds: spec.refresh_ahead_seconds,
            token,
            refresh,
            revoke,
            self_issued,
            assertions: self.assertions.clone(),
            fingerprints: self.fingerprints.clone(),
            authorization,
        };
        self.check_token_sources(&vendor);
        self.check_every_input_is_used(&vendor);
        vendor
    }

    fn variables_of(&mut self) -> Vec<Variable> {
        let mut out: Vec<Variable> = Vec::new();
        for (name, variable) in &self.spec.variables {
            let path = ["variables", name.as_str()];
            let field = rust_field_name(name);
            if out.iter().any(|v| v.field == field) || field == "environment" {
                self.error(
                    &path,
                    At::Key,
                    format!(
                        "variable `{name}` becomes the Rust field `{field}`, which is already taken"
                    ),
                    "rename one of the variables",
                );
            }
            let var_type = match variable.var_type.as_deref() {
                None => VariableType::String,
                Some(text) => VariableType::from_name(text).unwrap_or_else(|| {
                    self.error(
                        &[&path[..], &["type"]].concat(),
                        At::Value,
                        format!("`{text}` is not a variable type"),
                        format!("use {}", VariableType::one_of()),
                    );
                    VariableType::String
                }),
            };
            let presence = match (&variable.default, variable.optional) {
                (None, false) => Presence::Required,
                (None, true) => Presence::Optional,
                (Some(_), true) => {
                    self.error(&[&path[..], &["optional"]].concat(), At::Key, format!("variable `{name}` has both a default and `optional`"), "keep `default` (it is used when unset), or `optional: true` (omitted when unset)");
                    Presence::Optional
                }
                (Some(value), false) => {
                    let text = value.text();
                    let fits = matches!(
                        (var_type, value),
                        (VariableType::String, spec::Scalar::Text(_))
                            | (VariableType::Integer, spec::Scalar::Integer(_))
                            | (VariableType::Boolean, spec::Scalar::Bool(_))
                    );
                    if !fits {
                        self.error(
                            &[&path[..], &["default"]].concat(),
                            At::Value,
                            format!(
                                "the default `{text}` is not {}",
                                with_article(var_type.name())
                            ),
                            format!(
                                "give {} default, or change `type`",
                                with_article(var_type.name())
                            ),
                        );
                    }
                    Presence::Default(text)
                }
            };
            out.push(Variable {
                name: name.clone(),
                field,
                description: variable.description.clone(),
                var_type,
                presence,
                environment_defaults: Vec::new(),
            });
        }
        out
    }

    /// `environments.NAME.defaults`: per-environment variable defaults.
    fn environment_defaults(&mut self, index: usize, name: &str, env: &spec::Environment) {
        for (variable, value) in &env.defaults {
            let path = ["environments", name, "defaults", variable.as_str()];
            let Some(at) = self.variables.iter().position(|v| &v.name == variable) else {
                self.error(
                    &path,
                    At::Key,
                    format!("`{variable}` is not a declared variable"),
                    "declare it under `variables:` with a `default` for the other environments",
                );
                continue;
            };
            let declared = &self.variables[at];
            if !matches!(declared.presence, Presence::Default(_)) {
                self.error(&path, At::Key, format!("variable `{variable}` has no `default`"), "give it a `default`: it applies to the other environments and to `Environment::Custom`");
                continue;
            }
            let var_type = declared.var_type;
            let fits = matches!(
                (var_type, value),
                (VariableType::String, spec::Scalar::Text(_))
                    | (VariableType::Integer, spec::Scalar::Integer(_))
                    | (VariableType::Boolean, spec::Scalar::Bool(_))
            );
            if !fits {
                self.error(
                    &path,
                    At::Value,
                    format!(
                        "`{}` is not {}",
                        value.text(),
                        with_article(var_type.name())
                    ),
                    format!(
                        "give {}, as the variable's type says",
                        with_article(var_type.name())
                    ),
                );
                continue;
            }
            self.variables[at]
                .environment_defaults
                .push((index, value.text()));
        }
    }

    /// Credentials, variables and named values share one namespace in
    /// templates (`{name}`), and the reserved names of generated values.
    fn check_name_clashes(&mut self) {
        let spec = self.spec;
        let mut seen: Vec<(&str, &str)> = Vec::new();
        let groups: [(&str, Vec<&String>); 3] = [
            ("credentials", spec.credentials.keys().collect()),
            ("variables", spec.variables.keys().collect()),
            ("values", spec.values.keys().collect()),
        ];
        for (group, names) in groups {
            for name in names {
                if template::RESERVED.contains(&name.as_str()) {
                    self.error(
                        &[group, name],
                        At::Key,
                        format!("`{name}` is a reserved template name"),
                        format!(
                            "rename it; {} are generated values and token fields",
                            template::RESERVED.join(", ")
                        ),
                    );
                } else if let Some((other, _)) = seen.iter().find(|(_, n)| *n == name.as_str()) {
                    self.error(
                        &[group, name],
                        At::Key,
                        format!("`{name}` is declared under `{other}` too"),
                        "templates name both the same way (`{name}`): rename one",
                    );
                }
                if group != "credentials" && !is_template_name(name) {
                    self.error(
                        &[group, name],
                        At::Key,
                        format!("`{name}` cannot be written as a placeholder"),
                        "name it with ASCII letters, digits, `_` and `-` (templates read it as `{name}`)",
                    );
                }
                seen.push((group, name));
            }
        }
        self.check_environment_variable_names();
    }

    /// Each credential and variable is read from its own environment
    /// variable (`MODULE_FIELD`, and `MODULE_FIELD_FILE` for a credential
    /// in a file): two that map to one would read each other's values,
    /// and a secret could land in a URL.
    fn check_environment_variable_names(&mut self) {
        let spec = self.spec;
        let mut taken: Vec<(String, &str, &str)> = Vec::new();
        let credentials = spec
            .credentials
            .keys()
            .map(|name| ("credentials", name.as_str(), name.clone()));
        let variables = spec
            .variables
            .keys()
            .map(|name| ("variables", name.as_str(), rust_field_name(name)));
        for (group, name, field) in credentials.chain(variables).collect::<Vec<_>>() {
            let mut reads = vec![env_var_name(&spec.module, &field)];
            if group == "credentials" {
                reads.push(format!("{}_FILE", reads[0]));
            }
            for variable in reads {
                if let Some((_, other_group, other)) = taken.iter().find(|(v, _, _)| *v == variable)
                {
                    // Same name, or two variables of one field: reported already.
                    if *other == name || (*other_group == "variables" && group == "variables") {
                        break;
                    }
                    self.error(
                        &[group, name],
                        At::Key,
                        format!("`{name}` and `{other}` (under `{other_group}`) would both be read from the environment variable {variable}"),
                        "rename one of them",
                    );
                    break;
                }
                taken.push((variable, group, name));
            }
        }
    }

    fn environments(&mut self, plain_http: PlainHttp) -> Vec<Environment> {
        let spec = self.spec;
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
                    let path = ["environments", name.as_str(), "base_url"];
                    let template = self.template(&path, url, Place::BaseUrl);
                    self.check_base_url(&path, url, plain_http);
                    BaseUrl::Template {
                        text: url.clone(),
                        template,
                    }
                }
                (None, true) => BaseUrl::UserSupplied,
                (Some(_), true) => {
                    self.error(
                        &["environments", name, "user_supplied"],
                        At::Key,
                        format!("environment `{name}` has both a `base_url` and `user_supplied`"),
                        "keep `base_url` if the URL is known, else `user_supplied: true`",
                    );
                    BaseUrl::UserSupplied
                }
                (None, false) => {
                    self.error(&["environments", name], At::Key, format!("environment `{name}` has no base_url"), "add `base_url: https://...`, or `user_supplied: true` if the vendor gives each customer its own URL");
                    BaseUrl::UserSupplied
                }
            };
            self.environment_defaults(out.len(), name, env);
            out.push(Environment {
                name: name.clone(),
                variant,
                description: env.description.clone(),
                base_url,
            });
        }
        out
    }

    /// The URL's structure, with each placeholder standing for a plain host
    /// label: scheme, host, no query; plain http only where the shared rule
    /// admits it (checked again on the real value at run time).
    fn check_base_url(&mut self, path: &[&str], url: &str, plain_http: PlainHttp) {
        let sample = template::sample(url);
        let parsed = match url::Url::parse(&sample) {
            Ok(parsed) => parsed,
            Err(error) => {
                self.error(
                    path,
                    At::Value,
                    format!("the base URL is not a URL: {error}"),
                    "write it as `https://host[:port][/path]`, with `{variable}` placeholders",
                );
                return;
            }
        };
        if !matches!(parsed.scheme(), "http" | "https") || !url.contains("://") {
            self.error(
                path,
                At::Value,
                format!("the URL scheme `{}` is not supported", parsed.scheme()),
                "use `https://`",
            );
            return;
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            self.error(
                path,
                At::Value,
                "the base URL has a query or fragment",
                "put query parameters under the operation's `request.query`",
            );
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            self.error(
                path,
                At::Value,
                "the base URL has user information (`user:password@`)",
                "send credentials with `basic_auth` or a header, never in the URL",
            );
        }
        if let Err(reason) = vendor_auth_rules::check_transport(&parsed, plain_http) {
            self.error(path, At::Value, reason, "use `https://`; `http://` is accepted only for loopback addresses (localhost, 127.0.0.1, [::1]) and, with `plain_http: link_local_metadata`, metadata endpoints");
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

    fn credentials(&mut self) -> Vec<Credential> {
        let mut out = Vec::new();
        for (name, credential) in &self.spec.credentials {
            if !is_snake_identifier(name) {
                self.error(
                    &["credentials", name],
                    At::Key,
                    format!("credential `{name}` is not a usable Rust field name"),
                    "use lower snake_case, e.g. `client_secret`",
                );
            }
            self.check_json_fields(name, credential);
            out.push(Credential {
                field: name.clone(),
                description: credential.description.clone(),
                refresh_token: credential.refresh_token,
                json_fields: credential.json_fields.clone(),
            });
        }
        out
    }

    fn operation(
        &mut self,
        kind: OperationKind,
        op: &spec::Operation,
        vendor_errors: Option<&spec::Errors>,
    ) -> Operation {
        let base = ["operations", kind.name()];
        let at = |tail: &[&'static str]| -> Vec<&str> {
            base.iter().copied().chain(tail.iter().copied()).collect()
        };
        self.place = self.place_of(kind);
        self.sent.clear();
        let steps = self.steps(kind, &op.steps);
        let method = self.method(&at(&["method"]), &op.method);
        let path = self.path(&at(&["path"]), &op.path);
        let success = self.success(&at(&["success_status"]), op.success_status.as_ref());
        let request = self.request(kind, method, &op.request);
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
        self.step_outputs.clear();
        Operation {
            kind,
            description: op.description.clone(),
            method,
            path_text: op.path.clone(),
            path,
            success,
            request,
            response,
            errors,
            steps,
        }
    }

    fn method(&mut self, path: &[&str], text: &str) -> Method {
        Method::from_name(&text.to_ascii_uppercase()).unwrap_or_else(|| {
            self.error(
                path,
                At::Value,
                format!("`{text}` is not a supported HTTP method"),
                format!("use {}", Method::one_of()),
            );
            Method::Post
        })
    }

    fn path(&mut self, path: &[&str], text: &str) -> Template {
        if !(text.is_empty() || text.starts_with('/')) || text.contains(['?', '#', ' ', '\\']) {
            self.error(path, At::Value, format!("`{text}` is not a path"), "write the path from the base URL starting with `/` (or empty), with no query string");
        }
        self.template(path, text, Place::Path)
    }

    fn success(&mut self, path: &[&str], statuses: Option<&spec::OneOrMany>) -> Vec<u16> {
        let success = match statuses {
            None => vec![200],
            Some(spec::OneOrMany::One(status)) => vec![*status],
            Some(spec::OneOrMany::Many(statuses)) => statuses.clone(),
        };
        if success.is_empty() {
            self.error(
                path,
                At::Value,
                "no success status is declared",
                "list the 2xx statuses the vendor answers with, e.g. `[200, 201]`",
            );
        }
        for status in success.iter().filter(|s| !(200..300).contains(*s)) {
            self.error(
                path,
                At::Value,
                format!("{status} is not a success status"),
                "use 2xx statuses, e.g. `200` or `[200, 201]`; error statuses go under `errors`",
            );
        }
        success
    }

    /// Where the token comes from: a token operation, a refresh operation
    /// seeded by a credential, or nowhere (static credentials).
    fn check_token_sources(&mut self, vendor: &Vendor) {
        let seeds: Vec<&Credential> = vendor
            .credentials
            .iter()
            .filter(|c| c.refresh_token)
            .collect();
        for extra in seeds.iter().skip(1) {
            self.error(
                &["credentials", &extra.field, "refresh_token"],
                At::Key,
                "only one credential can seed the refresh token",
                "keep `refresh_token: true` on one credential",
            );
        }
        if let Some(seed) = seeds.first() {
            if vendor.refresh.is_none() {
                self.error(
                    &["credentials", &seed.field, "refresh_token"],
                    At::Key,
                    "a refresh-token credential needs a `refresh` operation",
                    "declare `operations.refresh`, which sends `{token.refresh_token}`",
                );
            }
            if vendor.token.is_some() {
                self.error(
                    &["credentials", &seed.field, "refresh_token"],
                    At::Key,
                    "a spec with a token operation obtains its refresh tokens itself",
                    "remove `refresh_token: true`, or the token operation",
                );
            }
        } else if vendor.token.is_none() && vendor.refresh.is_some() {
            self.error(
                &["operations", "refresh"],
                At::Key,
                "a refresh operation without a token operation needs a first refresh token",
                "mark the credential that holds it with `refresh_token: true`",
            );
        }
        if vendor.is_static() {
            if vendor.revoke.is_some() {
                self.error(
                    &["operations", "revoke"],
                    At::Key,
                    "a spec without a token operation has no token to revoke",
                    "declare the `token` (or `refresh`) operation, or remove `revoke`",
                );
            }
            let auth = &vendor.authorization;
            let reads_token = auth
                .headers
                .iter()
                .chain(&auth.query)
                .chain(&auth.cookies)
                .any(|(_, t)| t.refs().iter().any(|r| matches!(r, Ref::Token(_))));
            let declared = &self.spec.authorization;
            let declared = !(declared.headers.is_empty()
                && declared.query.is_empty()
                && declared.cookies.is_empty());
            if reads_token && declared {
                self.error(&["authorization"], At::Key, "API calls read the token, but this spec obtains none (it has no token operation)", "send the credential itself, e.g. `Authorization: \"Bearer {api_key}\"`, or declare `operations.token`");
            } else if reads_token {
                self.error(
                    &["authorization"],
                    At::Key,
                    "a spec without a token operation must say how API calls carry its credentials",
                    "e.g. `authorization: { headers: { Authorization: \"Bearer {api_key}\" } }`",
                );
            }
        }
    }

    fn check_every_input_is_used(&mut self, vendor: &Vendor) {
        let mut used_credentials: Vec<bool> =
            vendor.credentials.iter().map(|c| c.refresh_token).collect();
        let mut used_variables = vec![false; vendor.variables.len()];
        let env_templates = vendor
            .environments
            .iter()
            .filter_map(|e| match &e.base_url {
                BaseUrl::Template { template, .. } => Some(template),
                BaseUrl::UserSupplied => None,
            });
        let op_templates = vendor.operations().flat_map(Operation::templates);
        let auth = &vendor.authorization;
        let auth_templates = auth
            .headers
            .iter()
            .chain(&auth.query)
            .chain(&auth.cookies)
            .map(|(_, t)| t);
        let signed = vendor.assertions.iter().flat_map(Assertion::templates);
        for template in env_templates
            .chain(op_templates)
            .chain(auth_templates)
            .chain(signed)
        {
            for reference in template.refs() {
                match reference {
                    Ref::Credential(i) => used_credentials[*i] = true,
                    Ref::JsonField { credential, .. } => used_credentials[*credential] = true,
                    Ref::PublicKeySha256 { credential, .. } => used_credentials[*credential] = true,
                    Ref::Variable(i) => used_variables[*i] = true,
                    _ => {}
                }
            }
        }
        for (credential, used) in vendor.credentials.iter().zip(used_credentials) {
            if !used {
                let name = &credential.field;
                self.error(
                    &["credentials", name],
                    At::Key,
                    format!("credential `{name}` is declared but never sent"),
                    format!(
                        "send it as `{{{name}}}` in a request or in `authorization`, or remove it"
                    ),
                );
            }
        }
        for (variable, used) in vendor.variables.iter().zip(used_variables) {
            if !used {
                let name = &variable.name;
                self.error(
                    &["variables", name],
                    At::Key,
                    format!("variable `{name}` is declared but never used"),
                    format!(
                        "use it as `{{{name}}}` in a base_url, a path or a request, or remove it"
                    ),
                );
            }
        }
        for name in self.spec.values.keys() {
            if !self.named.contains_key(name) {
                self.error(
                    &["values", name],
                    At::Key,
                    format!("value `{name}` is declared but never used"),
                    format!("use it as `{{{name}}}` in a template, or remove it"),
                );
            }
        }
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
}

/// `a string`, `an integer`.
fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Module names the generated code cannot take: the runtime's own modules
/// and dependencies (the bundled vendors live beside them in the runtime
/// crate), the standard crates, and the default index file (`vendors.rs`).
const RESERVED_MODULES: &[&str] = &[
    "alloc",
    "arc_swap",
    "authorize",
    "aws_lc_rs",
    "base64",
    "bytes",
    "client",
    "core",
    "error",
    "fastrand",
    "http",
    "jwt",
    "manager",
    "percent_encoding",
    "registry",
    "reqwest",
    "retry",
    "rustls_pki_types",
    "secrecy",
    "serde",
    "serde_json",
    "std",
    "thiserror",
    "time",
    "token",
    "tokio",
    "tracing",
    "url",
    "uuid",
    "value",
    "vendor_auth",
    "vendor_auth_rules",
    "vendors",
    "wire",
];

/// The environment variable `from_env` reads a credential or variable
/// from; the same rule as the emitter's.
pub fn env_var_name(module: &str, field: &str) -> String {
    format!("{module}_{field}").to_ascii_uppercase()
}

/// A name templates can write as `{name}`.
fn is_template_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

pub(crate) fn is_snake_identifier(name: &str) -> bool {
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

pub(crate) fn is_keyword(name: &str) -> bool {
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
