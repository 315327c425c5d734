//! Generates a batch of specs from a seeded generator and compiles every
//! one the generator accepts into this crate.
//!
//! Each spec is a coherent vendor (its credentials are sent, its token has
//! a lifetime) in which slots are filled, with some probability, by hostile
//! atoms: Rust keywords and reserved names, Unicode, names that collide
//! once converted, descriptions with code fences and brackets, URLs with
//! ports, user-info, spaces and tricks, control characters in headers,
//! every closed set's members and non-members. A spec is then either
//! refused with diagnostics naming its file, or accepted and compiled;
//! the generator panicking, an internal error, or an accepted spec that
//! does not compile (or lint, or doc-test) fails the build.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

const DEFAULT_SEED: u64 = 20261125;
const DEFAULT_COUNT: usize = 160;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SPEC_FUZZ_SEED");
    println!("cargo:rerun-if-env-changed=SPEC_FUZZ_COUNT");
    let seed = env_number("SPEC_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let count = env_number("SPEC_FUZZ_COUNT").map_or(DEFAULT_COUNT, |n| n as usize);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("a build script"));
    let specs_dir = out.join("specs");
    let _ = std::fs::remove_dir_all(&specs_dir);
    std::fs::create_dir_all(&specs_dir).unwrap();

    let runtime: syn::Path = syn::parse_quote!(::vendor_auth);
    let mut generator = Generator {
        rng: fastrand::Rng::with_seed(seed),
        modules: Vec::new(),
    };
    let mut accepted: Vec<PathBuf> = Vec::new();
    let mut modules: Vec<String> = Vec::new();
    let mut refused = 0;
    let mut reasons: Vec<String> = Vec::new();
    for index in 0..count {
        let spec = generator.spec(index);
        let yaml = serde_yaml::to_string(&spec).unwrap();
        let path = specs_dir.join(format!("spec_{index:04}.yaml"));
        std::fs::write(&path, &yaml).unwrap();
        let outcome =
            std::panic::catch_unwind(|| vendor_auth_codegen::generate_one(&path, &yaml, &runtime))
                .unwrap_or_else(|_| panic!("the generator panicked on {}", path.display()));
        match outcome {
            Ok(generated) => {
                assert!(
                    !modules.contains(&generated.module),
                    "{}: module `{}` accepted twice (a reserved name?)",
                    path.display(),
                    generated.module
                );
                modules.push(generated.module);
                accepted.push(path);
            }
            Err(errors) => {
                let shown = errors.to_string();
                assert!(
                    shown.contains(&format!("spec_{index:04}.yaml")),
                    "a diagnostic does not name its file: {shown}"
                );
                assert!(
                    !shown.contains("internal error"),
                    "{}: {shown}",
                    path.display()
                );
                refused += 1;
                reasons.extend(
                    shown
                        .lines()
                        .filter(|l| l.starts_with("error: ") && !l.contains("problem"))
                        .map(str::to_owned),
                );
            }
        }
    }

    let mut config = vendor_auth_codegen::Config::new();
    config
        .out_dir(&out)
        .index_file("fuzzed.rs")
        .registry(true)
        .emit_rerun_if_changed(false);
    for path in &accepted {
        config.spec(path);
    }
    config
        .compile()
        .unwrap_or_else(|error| panic!("the accepted specs do not generate together: {error}"));
    std::fs::write(
        out.join("summary.rs"),
        format!("({seed}, {count}, {}, {refused})", accepted.len()),
    )
    .unwrap();
    write_kept(&out, &accepted);
    std::fs::write(out.join("refused.txt"), reasons.join("\n")).unwrap();
}

/// Keeps the accepted specs' names beside the code, to find a failing one.
fn write_kept(out: &Path, accepted: &[PathBuf]) {
    let names: Vec<String> = accepted.iter().map(|p| p.display().to_string()).collect();
    std::fs::write(out.join("accepted.txt"), names.join("\n")).unwrap();
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

struct Generator {
    rng: fastrand::Rng,
    /// Hostile module names already given out: each goes to one spec, as
    /// two specs of one module are refused together, not one by one.
    modules: Vec<&'static str>,
}

/// Names a spec author might write, several colliding once converted.
const NAMES: &[&str] = &[
    "client_id",
    "client_secret",
    "api_key",
    "username",
    "password",
    "tenant",
    "region",
    "scope",
    "audience",
    "key_id",
    "private_key",
    "account",
    "domain_name",
    "tenant_id",
    "x",
    "a1",
    "session",
];

/// Variable names may be any placeholder name; some collide once converted.
const VARIABLE_NAMES: &[&str] = &[
    "domainName",
    "tenant-id",
    "region",
    "apiVersion",
    "x",
    "scope",
];

/// Names that must be refused, or handled, wherever a name goes.
const HOSTILE_NAMES: &[&str] = &[
    "type",
    "fn",
    "self",
    "Self",
    "crate",
    "super",
    "async",
    "await",
    "dyn",
    "match",
    "r#type",
    "environment",
    "token",
    "now",
    "uuid",
    "steps",
    "é",
    "straße",
    "名前",
    "Client_Id",
    "CLIENT",
    "1st",
    "a.b",
    "",
    "_",
    "__private",
    "VENDOR",
    "Config",
    "Credentials",
    "Client",
    "rt",
    "core",
    "std",
    "default",
    "new",
    "from_env",
    "from_settings",
    "settings",
    "scope_fn",
    "x-",
    "-x",
    "a b",
    "emoji🚀",
    "key_file",
    "key",
    "file",
    "http",
    "url",
    "vendors",
];

/// Text that must never become code, a broken link or a lint failure.
const HOSTILE_TEXT: &[&str] = &[
    "```\nfn main() { panic!() }\n```",
    "```rust\nassert!(false);\n```",
    "~~~\nexit 1\n~~~",
    "Example:\n\n    indented();\n",
    "see [the docs] and [`Foo`] and [a](b)",
    "<b>bold</b> and <script>alert(1)</script>",
    "`https://HOST/api/v3` and https://x.example/a_(b).",
    "*/ /* \" ' \\ #[doc = \"x\"]",
    "# Heading\n## Sub",
    "bell \u{7} and escape \u{1b}[31m",
    "carriage\r\nreturn",
    "tab\there",
    "emoji 🚀 and RTL \u{202e}txet",
    "{braces} and {{double}}",
    "trailing backslash \\",
    "`unclosed code",
    "```unclosed fence",
    "%s %d {0} $HOME",
    "",
    " ",
    "\u{feff}bom",
    "a line that is very long and goes on and on and on and on and on and on and on and on and on and on and on and on and on and on and on and on",
];

const BASE_URLS: &[&str] = &[
    "https://auth.example.com",
    "https://auth.example.com/oauth2",
    "http://127.0.0.1:8080",
    "http://[::1]:9000/base",
    "https://example.com:99999",
    "https://user:pw@auth.example.com",
    "https://a b.example.com",
    "https://auth.example.com/x?q=1",
    "https://auth.example.com/#frag",
    "ftp://auth.example.com",
    "https://auth.example.com\\@evil.example",
    "http://127.0.0.1.evil.example",
    "http://169.254.169.254",
    "https://ünïcode.example",
    "https://auth.example.com:0",
    "https://",
    "auth.example.com",
];

const METHODS: &[&str] = &["POST", "GET", "PUT", "PATCH", "DELETE", "post", "FETCH", ""];
const EXPIRY_KINDS: &[&str] = &[
    "relative_seconds",
    "relative_milliseconds",
    "relative_minutes",
    "unix_seconds",
    "unix_milliseconds",
    "datetime",
    "duration",
    "seconds",
    "",
];
const FIELD_TYPES: &[&str] = &[
    "string",
    "secret",
    "integer",
    "number_or_string",
    "number",
    "boolean",
    "datetime",
    "duration",
    "json",
    "float",
    "",
];
const ALGORITHMS: &[&str] = &[
    "RS256", "PS384", "ES256", "ES384", "EdDSA", "HS256", "HS512", "none", "rs256",
];
const PATHS: &[&str] = &[
    "/token",
    "/oauth2/token",
    "",
    "token",
    "/a/../token",
    "/t?x=1",
    "/ü",
    "/%2e%2e/x",
    "/a//b",
];
const HEADER_NAMES: &[&str] = &[
    "Authorization",
    "X-Api-Key",
    "Client-Id",
    "Bad Header",
    "X-Ünï",
    "",
    "X:Colon",
    "Content-Type",
];
const HEADER_TEXT: &[&str] = &[
    "Bearer ",
    "Key ",
    "",
    "a\u{7}b",
    "x\r\nInjected: 1",
    "tab\t",
    "é ",
    "; admin=1",
];

impl Generator {
    fn chance(&mut self, percent: u32) -> bool {
        self.rng.u32(0..100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.usize(0..items.len())]
    }

    /// A name: usually an ordinary one, sometimes hostile.
    fn name(&mut self, hostile_percent: u32) -> String {
        if self.chance(hostile_percent) {
            self.pick(HOSTILE_NAMES).to_owned()
        } else {
            self.pick(NAMES).to_owned()
        }
    }

    fn text(&mut self, hostile_percent: u32) -> Option<String> {
        if self.chance(10) {
            return None;
        }
        Some(if self.chance(hostile_percent) {
            self.pick(HOSTILE_TEXT).to_owned()
        } else {
            "Where the user finds it.".to_owned()
        })
    }

    fn described(&mut self, mut object: Map<String, Value>) -> Value {
        if let Some(text) = self.text(35) {
            object.insert("description".into(), text.into());
        }
        Value::Object(object)
    }

    fn spec(&mut self, index: usize) -> Value {
        let hostile = self.pick(HOSTILE_NAMES);
        let module = if self.chance(6) && !self.modules.contains(&hostile) {
            self.modules.push(hostile);
            hostile.to_owned()
        } else {
            format!("{}_{index}", self.pick(&["acme", "vendor", "api", "idp"]))
        };
        let mut spec = Map::new();
        spec.insert(
            "name".into(),
            json!(self.text(20).unwrap_or_else(|| "Acme".into())),
        );
        spec.insert("module".into(), json!(module));
        if let Some(text) = self.text(40) {
            spec.insert("description".into(), json!(text));
        }
        if self.chance(50) {
            let link = if self.chance(5) {
                "docs.example/x"
            } else {
                "https://docs.example/auth"
            };
            spec.insert("documentation".into(), json!(link));
        }

        // Variables first: environments and templates read them.
        let mut variables = Map::new();
        for _ in 0..self.rng.usize(0..3) {
            let name = if self.chance(40) {
                self.pick(VARIABLE_NAMES).to_owned()
            } else {
                self.name(6)
            };
            let mut variable = Map::new();
            match self.rng.u32(0..4) {
                0 => {
                    variable.insert("optional".into(), json!(true));
                }
                1 => {
                    variable.insert("type".into(), json!("integer"));
                    variable.insert(
                        "default".into(),
                        if self.chance(95) {
                            json!(60)
                        } else {
                            json!("sixty")
                        },
                    );
                }
                2 => {
                    let kind = if self.chance(95) {
                        self.pick(&["boolean", "string"])
                    } else {
                        "float"
                    };
                    variable.insert("type".into(), json!(kind));
                }
                _ => {}
            }
            variables.insert(name, self.described(variable));
        }
        let variable_names: Vec<String> = variables.keys().cloned().collect();

        let mut environments = Map::new();
        let mut ordinary = vec!["production", "sandbox", "uat", "eu", "us_east"];
        for _ in 0..self.rng.usize(1..4) {
            let name = if self.chance(6) {
                self.pick(&[
                    "fn",
                    "Custom",
                    "custom",
                    "é",
                    "1x",
                    "a-b",
                    "prod uction",
                    "type",
                    "",
                    "us-east",
                ])
                .to_owned()
            } else {
                ordinary
                    .remove(self.rng.usize(0..ordinary.len()))
                    .to_owned()
            };
            let mut environment = Map::new();
            if self.chance(10) && !environments.is_empty() {
                environment.insert("user_supplied".into(), json!(true));
            } else {
                let url = match (self.chance(25), variable_names.first()) {
                    (true, Some(variable)) => format!("https://{{{variable}}}.example.com"),
                    _ if self.chance(85) => BASE_URLS[self.rng.usize(0..4)].to_owned(),
                    _ => self.pick(BASE_URLS).to_owned(),
                };
                environment.insert("base_url".into(), json!(url));
            }
            if let Some(variable) = variable_names.first()
                && self.chance(10)
            {
                environment.insert("defaults".into(), json!({ variable: "eu" }));
            }
            environments.insert(name, self.described(environment));
        }
        if self.chance(50) {
            let first = environments.keys().next().cloned().unwrap_or_default();
            let default = if self.chance(95) {
                first
            } else {
                "missing".to_owned()
            };
            spec.insert("default_environment".into(), json!(default));
        }
        spec.insert("environments".into(), Value::Object(environments));
        if !variables.is_empty() {
            spec.insert("variables".into(), Value::Object(variables));
        }

        let mut credentials = Map::new();
        for _ in 0..self.rng.usize(1..4) {
            let name = self.name(5);
            let mut credential = Map::new();
            if self.chance(6) {
                credential.insert("json_fields".into(), json!(["client_email", "private_key"]));
            }
            credentials.insert(name, self.described(credential));
        }
        let credential_names: Vec<String> = credentials.keys().cloned().collect();
        // The first credential of a JSON credential is read by its field.
        let reference = |name: &str, credentials: &Map<String, Value>| -> String {
            match credentials[name].get("json_fields") {
                Some(_) => format!("{{{name}.client_email}}"),
                None => format!("{{{name}}}"),
            }
        };
        let mut sent: Vec<String> = credential_names
            .iter()
            .map(|name| reference(name, &credentials))
            .collect();
        spec.insert("credentials".into(), Value::Object(credentials.clone()));
        for variable in &variable_names {
            if self.chance(97) {
                sent.push(format!("{{{variable}}}"));
            }
        }

        let mut values = Map::new();
        let shape = self.rng.u32(0..10);
        if shape == 0 {
            // A self-issued token.
            let key = reference(&credential_names[0], &credentials)
                .replace(".client_email", ".private_key");
            values.insert("api_token".into(), self.jwt(&key, &sent));
            spec.insert("values".into(), Value::Object(values.clone()));
            spec.insert("operations".into(), json!({ "self_issued": "api_token" }));
        } else if shape == 1 {
            // Static credentials: API calls carry them.
            let mut headers = Map::new();
            for (i, value) in sent.iter().enumerate() {
                let name = if i == 0 {
                    "Authorization".to_owned()
                } else {
                    format!("X-Input-{i}")
                };
                let prefix = if self.chance(8) {
                    self.pick(HEADER_TEXT)
                } else {
                    "Key "
                };
                headers.insert(name, json!(format!("{prefix}{value}")));
            }
            spec.insert("authorization".into(), json!({ "headers": headers }));
        } else {
            let mut form = Map::new();
            form.insert("grant_type".into(), json!("client_credentials"));
            for (i, value) in sent.iter().enumerate() {
                form.insert(format!("field_{i}"), json!(value));
            }
            if self.chance(20) {
                let key = reference(&credential_names[0], &credentials)
                    .replace(".client_email", ".private_key");
                values.insert("assertion".into(), self.jwt(&key, &sent));
                form.insert("client_assertion".into(), json!("{assertion}"));
            }
            if self.chance(15) {
                values.insert("stamp".into(), json!({ "now": self.pick(&["[year][month][day]", "[bogus]", "[hour]:[minute]"]) }));
                form.insert("stamp".into(), json!("{stamp}"));
            }
            if !values.is_empty() {
                spec.insert("values".into(), Value::Object(values));
            }
            let mut request = Map::new();
            let method = if self.chance(85) {
                "POST"
            } else {
                self.pick(METHODS)
            };
            request.insert("body".into(), json!({ "form": form }));
            if self.chance(20) {
                let name = if self.chance(80) {
                    "X-Request-Source"
                } else {
                    self.pick(HEADER_NAMES)
                };
                let text = if self.chance(70) {
                    "vendor-auth "
                } else {
                    self.pick(HEADER_TEXT)
                };
                request.insert("headers".into(), json!({ name: format!("{text}x") }));
            }
            if self.chance(10) {
                request.insert("query".into(), json!({ "q": sent[0] }));
            }
            let mut response = Map::new();
            let source = if self.chance(92) {
                self.pick(&["access_token", "data.token", "items[0].token"])
            } else {
                self.pick(&["a..b", "[0]", "", "a.", "x[y]"])
            };
            response.insert("access_token".into(), json!(source));
            let kind = if self.chance(90) {
                "relative_seconds"
            } else {
                self.pick(EXPIRY_KINDS)
            };
            if self.chance(90) {
                response.insert(
                    "expiry".into(),
                    json!({ "field": "expires_in", "kind": kind }),
                );
            } else {
                response.insert("default_lifetime_seconds".into(), json!(3600));
            }
            if self.chance(30) {
                let mut fields = Map::new();
                for _ in 0..self.rng.usize(1..3) {
                    let name = self.name(25);
                    let kind = if self.chance(70) {
                        "string"
                    } else {
                        self.pick(FIELD_TYPES)
                    };
                    let from = format!("extra.{}", self.rng.u8(..));
                    let field = self.described(Map::from_iter([
                        ("from".to_owned(), json!(from)),
                        ("type".to_owned(), json!(kind)),
                    ]));
                    fields.insert(name, field);
                }
                response.insert("fields".into(), Value::Object(fields));
            }
            let path = if self.chance(90) {
                "/token"
            } else {
                self.pick(PATHS)
            };
            let mut operations = Map::new();
            let mut token = Map::from_iter([
                ("method".to_owned(), json!(method)),
                ("path".to_owned(), json!(path)),
                ("request".to_owned(), Value::Object(request)),
                ("response".to_owned(), Value::Object(response.clone())),
            ]);
            if let Some(text) = self.text(40) {
                token.insert("description".into(), json!(text));
            }
            operations.insert("token".into(), Value::Object(token));
            if self.chance(20) {
                response.insert("refresh_token".into(), json!("refresh_token"));
                operations.insert(
                    "refresh".into(),
                    json!({
                        "method": "POST",
                        "path": "/token",
                        "request": { "body": { "form": { "grant_type": "refresh_token", "refresh_token": "{token.refresh_token}" } } },
                        "response": response,
                    }),
                );
            }
            if self.chance(15) {
                operations.insert(
                    "revoke".into(),
                    json!({ "method": "POST", "path": "/revoke", "request": { "body": { "form": { "token": "{token.access_token}" } } } }),
                );
            }
            spec.insert("operations".into(), Value::Object(operations));
            if self.chance(25) {
                let name = if self.chance(70) {
                    "Authorization"
                } else {
                    self.pick(HEADER_NAMES)
                };
                let text = if self.chance(70) {
                    "Bearer "
                } else {
                    self.pick(HEADER_TEXT)
                };
                let mut authorization = Map::new();
                authorization.insert(
                    "headers".into(),
                    json!({ name: format!("{text}{{token.access_token}}") }),
                );
                if self.chance(30) {
                    authorization.insert(
                        "cookies".into(),
                        json!({ "session": format!("{text}{{token.access_token}}") }),
                    );
                }
                spec.insert("authorization".into(), Value::Object(authorization));
            }
        }
        if self.chance(10) {
            let statuses = json!({ self.pick(&["400", "401", "4XX", "5XX", "400", "999"]): self.text(50).unwrap_or_default() });
            spec.insert(
                "errors".into(),
                json!({ "statuses": statuses, "body_fields": ["error"] }),
            );
        }
        Value::Object(spec)
    }

    fn jwt(&mut self, key: &str, sent: &[String]) -> Value {
        let algorithm = if self.chance(92) {
            self.pick(&ALGORITHMS[..7])
        } else {
            self.pick(ALGORITHMS)
        };
        let mut claims = Map::new();
        for (i, value) in sent.iter().enumerate() {
            claims.insert(format!("c{i}"), json!(value));
        }
        claims.insert("jti".into(), json!("{uuid}"));
        if self.chance(5) {
            claims.insert(self.pick(&["exp", "iat", "nbf"]).into(), json!(1));
        }
        if self.chance(20) {
            claims.insert(
                "nested".into(),
                json!({ "list": [1, "{now.unix}", null, true] }),
            );
        }
        let lifetime = if self.chance(95) { 300 } else { 0 };
        json!({ "jwt": {
            "algorithm": algorithm,
            "key": key,
            "header": { "kid": "key-1" },
            "claims": claims,
            "lifetime_seconds": lifetime,
            "backdate_seconds": if self.chance(95) { self.pick(&["0", "30"]) } else { "400" }.parse::<u64>().unwrap(),
        }})
    }
}
