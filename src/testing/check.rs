//! How the mock checks a request against the spec: every place the request
//! section declares, then what the client filled in (tokens, UUIDs, times,
//! signed JWTs, checked with the keys the mock generated).

use base64::Engine as _;
use serde_json::Value;
use time::OffsetDateTime;
use vendor_auth_codegen::model::{self as m, NowFormat};
use wiremock::Request;

use super::pattern::{self, Hole};
use super::serve::{CLOCK_SKEW, Core, Presented, Refusal, now_unix, query_pairs};

impl Core {
    pub(super) fn expect(
        &self,
        template: &m::Template,
        actual: Option<&str>,
        place: &str,
        holes: &mut Vec<(Hole, String)>,
        problems: &mut Vec<String>,
    ) {
        let expected = pattern::eval(template, &self.values);
        match (expected, actual) {
            (None, None) => {}
            (None, Some(_)) => problems.push(format!(
                "{place} is sent, but `{}` reads an unset setting, so it must be left out",
                pattern::describe(template, &self.vendor)
            )),
            (Some(_), None) => problems.push(format!(
                "{place} is missing; the spec sends `{}`",
                pattern::describe(template, &self.vendor)
            )),
            (Some(pattern), Some(actual)) => {
                if !pattern.matches(actual, holes) {
                    problems.push(format!(
                        "{place} is not `{}`",
                        pattern::describe(template, &self.vendor)
                    ));
                }
            }
        }
    }

    pub(super) fn expect_headers(
        &self,
        declared: &[(String, m::Template)],
        request: &Request,
        holes: &mut Vec<(Hole, String)>,
        problems: &mut Vec<String>,
    ) {
        for (name, template) in declared {
            let actual = request
                .headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok());
            self.expect(
                template,
                actual,
                &format!("header `{name}`"),
                holes,
                problems,
            );
        }
    }

    /// Query parameters or form fields: each declared one sent once as
    /// the spec says; with `only_declared`, nothing else.
    pub(super) fn expect_pairs(
        &self,
        declared: &[(String, m::Template)],
        sent: &[(String, String)],
        kind: &str,
        only_declared: bool,
        holes: &mut Vec<(Hole, String)>,
        problems: &mut Vec<String>,
    ) {
        for (name, template) in declared {
            let found: Vec<&str> = sent
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect();
            if found.len() > 1 {
                problems.push(format!("{kind} `{name}` is sent {} times", found.len()));
            }
            let place = format!("{kind} `{name}`");
            self.expect(template, found.first().copied(), &place, holes, problems);
        }
        if only_declared {
            for (name, _) in sent {
                if !declared.iter().any(|(n, _)| n == name) {
                    problems.push(format!("{kind} `{name}` is not in the spec"));
                }
            }
        }
    }

    /// Every check of the request section; the holes' values on success.
    pub(super) fn check_request(
        &self,
        spec: &m::Request,
        request: &Request,
        what: &str,
    ) -> Result<Vec<(Hole, String)>, Refusal> {
        let mut holes = Vec::new();
        let mut problems = Vec::new();
        let query = query_pairs(request);
        let kind = "query parameter";
        self.expect_pairs(&spec.query, &query, kind, true, &mut holes, &mut problems);
        self.expect_headers(&spec.headers, request, &mut holes, &mut problems);
        if let Some(basic) = &spec.basic_auth {
            self.check_basic(basic, request, &mut problems);
        }
        // A declared Content-Type (Cognito's `application/x-amz-json-1.1`)
        // replaces the encoding's own, and was checked with the headers.
        let declared_type = spec
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
        self.check_body(
            &spec.body,
            request,
            declared_type,
            &mut holes,
            &mut problems,
        );
        if problems.is_empty() {
            Ok(holes)
        } else {
            Err(Refusal::mismatch(format!(
                "the {what} request does not match the spec: {}",
                problems.join("; ")
            )))
        }
    }

    fn check_basic(&self, basic: &m::BasicAuth, request: &Request, problems: &mut Vec<String>) {
        let user = pattern::eval(&basic.username, &self.values).and_then(|p| p.literal());
        let password = pattern::eval(&basic.password, &self.values).and_then(|p| p.literal());
        let actual = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        let (Some(user), Some(password)) = (user, password) else {
            if actual.is_some_and(|a| a.starts_with("Basic ")) {
                problems.push(
                    "Basic credentials are sent, but the spec's read an unset setting".into(),
                );
            }
            return;
        };
        let encode = |text: &str| -> String {
            if basic.form_encoded {
                url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
            } else {
                text.to_owned()
            }
        };
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                encode(&user),
                encode(&password)
            ))
        );
        if actual != Some(expected.as_str()) {
            problems.push(format!(
                "the Authorization header is not Basic `{}:{}`{}",
                pattern::describe(&basic.username, &self.vendor),
                pattern::describe(&basic.password, &self.vendor),
                if basic.form_encoded {
                    ", each form-encoded"
                } else {
                    ""
                }
            ));
        }
    }

    fn check_body(
        &self,
        body: &m::Body,
        request: &Request,
        declared_type: bool,
        holes: &mut Vec<(Hole, String)>,
        problems: &mut Vec<String>,
    ) {
        let content_type = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let wants = |media: &str, problems: &mut Vec<String>| {
            if !declared_type && !content_type.starts_with(media) {
                problems.push(format!("Content-Type is `{content_type}`, not `{media}`"));
            }
        };
        match body {
            m::Body::None => {
                if !request.body.is_empty() {
                    problems.push("a body is sent, and the spec sends none".into());
                }
            }
            m::Body::Form(fields) => {
                wants("application/x-www-form-urlencoded", problems);
                let sent: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
                    .into_owned()
                    .collect();
                self.expect_pairs(fields, &sent, "form field", true, holes, problems);
            }
            m::Body::Json(json) => {
                wants("application/json", problems);
                match serde_json::from_slice::<Value>(&request.body) {
                    Ok(actual) => self.check_json(json, &actual, "body", holes, problems),
                    Err(_) => problems.push("the body is not JSON".into()),
                }
            }
            m::Body::Text(template) => {
                wants("text/plain", problems);
                let text = String::from_utf8_lossy(&request.body);
                let actual = (!text.is_empty()).then_some(&*text);
                self.expect(template, actual, "the body", holes, problems);
            }
        }
    }

    fn check_json(
        &self,
        expected: &m::Json,
        actual: &Value,
        at: &str,
        holes: &mut Vec<(Hole, String)>,
        problems: &mut Vec<String>,
    ) {
        match (expected, actual) {
            (m::Json::Null, Value::Null) => {}
            (m::Json::Bool(b), Value::Bool(a)) if a == b => {}
            (m::Json::Number(n), Value::Number(a)) if n.parse::<f64>().ok() == a.as_f64() => {}
            (m::Json::Value(template), actual) => {
                let text = match actual {
                    Value::String(text) => text.clone(),
                    Value::Number(_) | Value::Bool(_) => actual.to_string(),
                    _ => {
                        problems.push(format!("`{at}` is not a string, a number or a boolean"));
                        return;
                    }
                };
                self.expect(template, Some(&text), &format!("`{at}`"), holes, problems);
            }
            (m::Json::Array(items), Value::Array(actual)) => {
                if items.len() != actual.len() {
                    problems.push(format!(
                        "`{at}` has {} items, not {}",
                        actual.len(),
                        items.len()
                    ));
                    return;
                }
                for (i, (item, value)) in items.iter().zip(actual).enumerate() {
                    self.check_json(item, value, &format!("{at}[{i}]"), holes, problems);
                }
            }
            (m::Json::Object(members), Value::Object(actual)) => {
                for (name, member) in members {
                    let place = format!("{at}.{name}");
                    let absent = matches!(member, m::Json::Value(t) if pattern::eval(t, &self.values).is_none());
                    match (actual.get(name), absent) {
                        (None, true) => {}
                        (Some(_), true) => problems
                            .push(format!("`{place}` is sent, but it reads an unset setting")),
                        (None, false) => problems.push(format!("`{place}` is missing")),
                        (Some(value), false) => {
                            self.check_json(member, value, &place, holes, problems)
                        }
                    }
                }
                for name in actual.keys() {
                    if !members.iter().any(|(n, _)| n == name) {
                        problems.push(format!("`{at}.{name}` is not in the spec"));
                    }
                }
            }
            _ => problems.push(format!("`{at}` does not have the spec's type")),
        }
    }

    /// Checks what the client filled in: tokens, UUIDs, times, signatures.
    pub(super) fn check_holes(&self, holes: &[(Hole, String)]) -> Result<Presented, Refusal> {
        let mut presented = Presented::default();
        for (hole, value) in holes {
            match hole {
                Hole::AccessToken => {
                    if let Some(index) = self.vendor.self_issued {
                        let exp = self
                            .verify_jwt(&self.vendor.assertions[index], value)
                            .map_err(|why| {
                                Refusal::mismatch(format!("the self-issued token {why}"))
                            })?;
                        presented.self_issued_exp = Some(exp);
                    }
                    presented.access = Some(value.clone());
                }
                Hole::RefreshToken => presented.refresh = Some(value.clone()),
                Hole::Uuid => {
                    if uuid::Uuid::parse_str(value).is_err() {
                        return Err(Refusal::mismatch("a `{uuid}` is not a UUID".into()));
                    }
                }
                Hole::Now(format) => {
                    if !is_now(*format, value) {
                        return Err(Refusal::mismatch(format!(
                            "a `{{now.{}}}` is not the current time in that format",
                            format.name()
                        )));
                    }
                }
                Hole::Jwt(index) => {
                    let assertion = &self.vendor.assertions[*index];
                    self.verify_jwt(assertion, value).map_err(|why| {
                        Refusal::mismatch(format!("the signed value `{}` {why}", assertion.name))
                    })?;
                }
                Hole::Opaque => {
                    if value.is_empty() {
                        return Err(Refusal::mismatch("a value is empty".into()));
                    }
                }
            }
        }
        Ok(presented)
    }

    /// Verifies a JWT as `assertion` declares it: header, signature with the
    /// key the mock handed out, every claim, and its lifetime. Its `exp`.
    fn verify_jwt(&self, assertion: &m::Assertion, jwt: &str) -> Result<i64, String> {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let parts: Vec<&str> = jwt.split('.').collect();
        let [header, claims, signature] = parts[..] else {
            return Err("is not a JWT (three base64url parts)".into());
        };
        let decode = |part: &str| -> Result<serde_json::Map<String, Value>, String> {
            let bytes = b64
                .decode(part)
                .map_err(|_| "has a part that is not base64url".to_owned())?;
            serde_json::from_slice(&bytes)
                .map_err(|_| "has a header or claims that are not a JSON object".to_owned())
        };
        let header_json = decode(header)?;
        let claims_json = decode(claims)?;
        let signature = b64
            .decode(signature)
            .map_err(|_| "has a signature that is not base64url".to_owned())?;
        if header_json.get("alg").and_then(Value::as_str) != Some(assertion.algorithm.name()) {
            return Err(format!("is not signed with {}", assertion.algorithm));
        }
        let verifier = self
            .values
            .verifier(assertion)
            .ok_or_else(|| "is signed with a key the mock did not hand out".to_owned())?;
        let message = format!("{header}.{claims}");
        if !verifier.verify(assertion.algorithm, message.as_bytes(), &signature) {
            return Err("has a signature that does not verify with the mock's key".into());
        }
        let mut problems = Vec::new();
        let mut holes = Vec::new();
        let mut header_members = assertion.header.clone();
        if !header_members.iter().any(|(n, _)| n == "typ") {
            header_members.push(("typ".into(), m::Json::Value(m::Template::literal("JWT"))));
        }
        header_members.push((
            "alg".into(),
            m::Json::Value(m::Template::literal(assertion.algorithm.name())),
        ));
        self.check_json(
            &m::Json::Object(header_members),
            &Value::Object(header_json),
            "header",
            &mut holes,
            &mut problems,
        );
        let number = |name: &str| claims_json.get(name).and_then(Value::as_i64);
        let (Some(iat), Some(exp)) = (number("iat"), number("exp")) else {
            return Err("has no numeric `iat` and `exp`".into());
        };
        let mut claim_members = assertion.claims.clone();
        for name in ["iat", "exp"]
            .into_iter()
            .chain(assertion.not_before.then_some("nbf"))
        {
            if let Some(value) = claims_json.get(name) {
                claim_members.push((name.into(), m::Json::Number(value.to_string())));
            }
        }
        self.check_json(
            &m::Json::Object(claim_members),
            &Value::Object(claims_json.clone()),
            "claims",
            &mut holes,
            &mut problems,
        );
        if exp - iat != assertion.lifetime_seconds as i64 {
            problems.push(format!(
                "`exp - iat` is {}, not {}",
                exp - iat,
                assertion.lifetime_seconds
            ));
        }
        if (iat + assertion.backdate_seconds as i64 - now_unix()).abs() > CLOCK_SKEW {
            problems.push("`iat` is not the current time".into());
        }
        if assertion.not_before && number("nbf").is_none() {
            problems.push("has no `nbf`".into());
        }
        if let Err(refusal) = self.check_holes(&holes) {
            problems.push(refusal.description);
        }
        if problems.is_empty() {
            Ok(exp)
        } else {
            Err(problems.join("; "))
        }
    }
}

fn is_now(format: NowFormat, value: &str) -> bool {
    let now = now_unix();
    let at = match format {
        NowFormat::Unix => value.parse::<i64>().ok(),
        NowFormat::UnixMillis => value.parse::<i64>().ok().map(|ms| ms / 1000),
        NowFormat::Rfc3339 | NowFormat::Rfc3339Millis => {
            OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
                .ok()
                .map(OffsetDateTime::unix_timestamp)
        }
    };
    at.is_some_and(|at| (at - now).abs() <= CLOCK_SKEW)
}
