//! The mock's answers: each request is routed to the spec's operation (or
//! step) whose method and path it has, checked against everything the spec
//! declares, and answered as the spec's response section reads it. Any
//! other request is an API call, checked for the declared authorization.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use time::OffsetDateTime;
use vendor_auth_codegen::model::{
    self as m, BodyFormat, ExpiryKind, OperationKind, PathStep, Reader, Role, Source,
};
use wiremock::{Request, ResponseTemplate};

use super::pattern::{self, Hole, Pattern};
use super::values::{Out, Values};
use super::{Exchange, Fault, Record};

/// How far a client's clock (`{now}`, `iat`) may be from the mock's.
pub(super) const CLOCK_SKEW: i64 = 300;
/// How long the refresh tokens the mock issues last, where a response says.
const REFRESH_LIFETIME: u64 = 30 * 24 * 3600;

/// Where the mock takes commands over HTTP (faults, the journal); never a
/// vendor's path.
const CONTROL: &str = "/__mock/";

pub(crate) struct Core {
    pub vendor: m::Vendor,
    pub values: Values,
    pub lifetime: Duration,
    pub base_url: String,
    pub state: Mutex<State>,
}

#[derive(Default)]
pub(crate) struct State {
    access: HashMap<String, Access>,
    refresh: HashMap<String, RefreshToken>,
    revoked: HashSet<u64>,
    next: u64,
    pub faults: Vec<(Exchange, Fault)>,
    pub journal: Vec<Record>,
}

struct Access {
    grant: u64,
    expires: Option<SystemTime>,
}

struct RefreshToken {
    grant: u64,
    live: bool,
}

/// Where a request was routed.
#[derive(Clone, Copy)]
enum Route<'a> {
    Step(&'a m::Operation, usize),
    Operation(&'a m::Operation),
    Api,
}

impl Route<'_> {
    fn exchange(self) -> Exchange {
        match self {
            Route::Step(..) => Exchange::Step,
            Route::Operation(op) => match op.kind {
                OperationKind::Token => Exchange::Token,
                OperationKind::Refresh => Exchange::Refresh,
                OperationKind::Revoke => Exchange::Revoke,
            },
            Route::Api => Exchange::Api,
        }
    }
}

/// What a request presented in its holes.
#[derive(Default)]
pub(super) struct Presented {
    pub(super) access: Option<String>,
    pub(super) refresh: Option<String>,
    /// `exp` of the self-issued JWT an API call carries.
    pub(super) self_issued_exp: Option<i64>,
}

/// A problem with a request, and the status the mock answers it with.
pub(super) struct Refusal {
    pub(super) status: u16,
    pub(super) error: &'static str,
    pub(super) description: String,
    /// A request the spec forbids (as opposed to a token the mock no
    /// longer honours): recorded as a problem.
    pub(super) mismatch: bool,
}

impl Refusal {
    pub(super) fn mismatch(description: String) -> Refusal {
        Refusal {
            status: 400,
            error: "invalid_request",
            description,
            mismatch: true,
        }
    }
}

pub(super) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Core {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the journal from the rest.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a token the client holds before any exchange (a seeded
    /// refresh token).
    pub fn seed_refresh_token(&self, token: String) {
        let mut state = self.state();
        let grant = state.next;
        state.next += 1;
        state
            .refresh
            .insert(token, RefreshToken { grant, live: true });
    }

    pub fn respond(&self, request: &Request) -> ResponseTemplate {
        if let Some(command) = request.url.path().strip_prefix(CONTROL) {
            return self.control(command, request);
        }
        let (route, checked) = self.select(request);
        let exchange = route.exchange();
        let fault = {
            let mut state = self.state();
            state
                .faults
                .iter()
                .position(|(e, _)| *e == exchange || *e == Exchange::Any)
                .map(|i| state.faults.remove(i).1)
        };
        let (response, status, problem) = match fault {
            Some(Fault::Slow(delay)) => {
                let (response, status, problem) = self.answer(route, request, checked, None);
                (response.set_delay(delay), status, problem)
            }
            fault => self.answer(route, request, checked, fault),
        };
        self.state().journal.push(Record {
            exchange,
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            status,
            problem,
        });
        response
    }

    /// `POST fail?exchange=..&fault=..&times=..` and `GET journal`.
    fn control(&self, command: &str, request: &Request) -> ResponseTemplate {
        let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let refuse = |message: String| {
            ResponseTemplate::new(400).set_body_json(serde_json::json!({ "error": message }))
        };
        match (request.method.as_str(), command) {
            ("POST", "fail") => {
                let exchange = query.get("exchange").map_or("any", String::as_str);
                let parsed = exchange.parse::<Exchange>().and_then(|exchange| {
                    let fault = query
                        .get("fault")
                        .ok_or("give the fault, e.g. fault=503")?
                        .parse::<Fault>()?;
                    let times = query.get("times").map_or(Ok(1), |t| {
                        t.parse::<usize>()
                            .map_err(|_| format!("`{t}` is not a count"))
                    })?;
                    Ok((exchange, fault, times))
                });
                match parsed {
                    Ok((exchange, fault, times)) => {
                        let mut state = self.state();
                        state
                            .faults
                            .extend(std::iter::repeat_n((exchange, fault), times.min(1000)));
                        ResponseTemplate::new(204)
                    }
                    Err(message) => refuse(message),
                }
            }
            ("GET", "journal") => {
                let records: Vec<Value> = self
                    .state()
                    .journal
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "exchange": format!("{:?}", r.exchange).to_ascii_lowercase(),
                            "method": r.method,
                            "path": r.path,
                            "status": r.status,
                            "problem": r.problem,
                        })
                    })
                    .collect();
                ResponseTemplate::new(200).set_body_json(records)
            }
            _ => refuse(format!(
                "the mock's commands are POST {CONTROL}fail and GET {CONTROL}journal"
            )),
        }
    }

    /// The operation or step the request is for: the first whose method,
    /// path and request section it matches (several may share a path, as
    /// Cognito's do), or else the first with its method and path, with
    /// what differs. No method and path of the spec's: an API call.
    fn select(&self, request: &Request) -> (Route<'_>, Result<Vec<(Hole, String)>, Refusal>) {
        let path = decoded_path(request);
        let method = request.method.as_str();
        let mut first_refused = None;
        for op in self.vendor.operations() {
            let steps = op.steps.iter().enumerate().map(|(i, step)| {
                (
                    Route::Step(op, i),
                    step.method,
                    &step.path,
                    &step.request,
                    "step",
                )
            });
            let own = std::iter::once((
                Route::Operation(op),
                op.method,
                &op.path,
                &op.request,
                op.kind.name(),
            ));
            for (route, spec_method, spec_path, spec_request, what) in steps.chain(own) {
                if spec_method.name() != method || !self.path_matches(spec_path, &path) {
                    continue;
                }
                match self.check_request(spec_request, request, what) {
                    Ok(holes) => return (route, Ok(holes)),
                    Err(refusal) => {
                        first_refused.get_or_insert((route, refusal));
                    }
                }
            }
        }
        match first_refused {
            Some((route, refusal)) => (route, Err(refusal)),
            None => (Route::Api, Ok(Vec::new())),
        }
    }

    fn answer(
        &self,
        route: Route<'_>,
        request: &Request,
        checked: Result<Vec<(Hole, String)>, Refusal>,
        fault: Option<Fault>,
    ) -> (ResponseTemplate, u16, Option<String>) {
        if let Some(fault) = fault
            && !matches!(fault, Fault::RejectedRefreshToken)
        {
            let success = match route {
                Route::Operation(op) => op.success.first().copied().unwrap_or(200),
                Route::Step(op, i) => op.steps[i].success.first().copied().unwrap_or(200),
                Route::Api => 200,
            };
            let response = fault_response(fault, success);
            return (response.0, response.1, None);
        }
        let result = checked.and_then(|holes| match route {
            Route::Api => self.api(request, fault.is_some()),
            Route::Step(op, index) => self.step(op, index, &holes),
            Route::Operation(op) => self.operation(op, &holes, fault.is_some()),
        });
        match result {
            Ok((response, status)) => (response, status, None),
            Err(refusal) => {
                let problem = refusal.mismatch.then(|| refusal.description.clone());
                (self.refuse(&refusal, route), refusal.status, problem)
            }
        }
    }

    fn refuse(&self, refusal: &Refusal, route: Route<'_>) -> ResponseTemplate {
        let description = format!("mock {}: {}", self.vendor.name, refusal.description);
        let mut body = serde_json::Map::new();
        body.insert("error".into(), refusal.error.into());
        body.insert("error_description".into(), description.clone().into());
        body.insert("message".into(), description.clone().into());
        // Where the spec reads its errors from, so the client shows them.
        if let Route::Operation(op) = route {
            for field in &op.errors.body_fields {
                body.entry(field.clone())
                    .or_insert_with(|| description.clone().into());
            }
        }
        let mut response = ResponseTemplate::new(refusal.status).set_body_json(Value::Object(body));
        if refusal.status == 401 && matches!(route, Route::Api) {
            response = response.insert_header("www-authenticate", "Bearer error=\"invalid_token\"");
        }
        response
    }

    fn path_matches(&self, template: &m::Template, path: &str) -> bool {
        let Some(pattern) = pattern::eval(template, &self.values) else {
            return false;
        };
        let expected = if pattern.0.is_empty() {
            Pattern(vec![pattern::Piece::Text("/".into())])
        } else {
            pattern
        };
        expected.matches(path, &mut Vec::new())
    }

    fn step(
        &self,
        op: &m::Operation,
        index: usize,
        holes: &[(Hole, String)],
    ) -> Result<(ResponseTemplate, u16), Refusal> {
        let step = &op.steps[index];
        self.check_holes(holes)?;
        let status = step.success.first().copied().unwrap_or(200);
        let mut writer = Writer::default();
        for (name, source) in &step.outputs {
            writer.put(source, &Out::Text(Values::step_output(index, name)));
        }
        Ok((writer.finish(step.format, status), status))
    }

    fn operation(
        &self,
        op: &m::Operation,
        holes: &[(Hole, String)],
        reject_refresh: bool,
    ) -> Result<(ResponseTemplate, u16), Refusal> {
        let presented = self.check_holes(holes)?;
        let status = op.success.first().copied().unwrap_or(200);
        let mut state = self.state();
        match op.kind {
            OperationKind::Token => {
                let grant = state.next;
                state.next += 1;
                drop(state);
                Ok((self.issue(op, grant, None), status))
            }
            OperationKind::Refresh => {
                let grant = self.renewable(&mut state, &presented, reject_refresh)?;
                let old = presented.refresh.clone();
                drop(state);
                Ok((self.issue(op, grant, old), status))
            }
            OperationKind::Revoke => {
                // RFC 7009: an unknown token is not an error.
                let grants: Vec<u64> = [
                    presented
                        .access
                        .as_ref()
                        .and_then(|t| state.access.get(t))
                        .map(|a| a.grant),
                    presented
                        .refresh
                        .as_ref()
                        .and_then(|t| state.refresh.get(t))
                        .map(|r| r.grant),
                ]
                .into_iter()
                .flatten()
                .collect();
                state.revoked.extend(grants);
                drop(state);
                let mut writer = Writer::default();
                self.write_extras(&op.response, &mut writer);
                Ok((writer.finish(op.response.format, status), status))
            }
        }
    }

    /// The grant a refresh renews, if the token it presents may be used.
    fn renewable(
        &self,
        state: &mut State,
        presented: &Presented,
        reject: bool,
    ) -> Result<u64, Refusal> {
        let grant_error = |description: &str| Refusal {
            status: 400,
            error: "invalid_grant",
            description: description.to_owned(),
            mismatch: false,
        };
        if let Some(token) = &presented.refresh {
            let Some(record) = state.refresh.get_mut(token) else {
                return Err(grant_error("the refresh token was not issued by this mock"));
            };
            if reject {
                record.live = false;
                return Err(grant_error(
                    "the refresh token was revoked (a fault asked for)",
                ));
            }
            if !record.live {
                return Err(grant_error(
                    "the refresh token was already used and rotated",
                ));
            }
            if state.revoked.contains(&record.grant) {
                return Err(grant_error("the refresh token was revoked"));
            }
            return Ok(record.grant);
        }
        if let Some(token) = &presented.access {
            // Renewal with the access token itself (Vault's renew-self).
            let Some(access) = state.access.get(token) else {
                return Err(grant_error("the token was not issued by this mock"));
            };
            let expired = access.expires.is_some_and(|at| at <= SystemTime::now());
            if reject || expired || state.revoked.contains(&access.grant) {
                return Err(grant_error("the token can no longer be renewed"));
            }
            return Ok(access.grant);
        }
        let grant = state.next;
        state.next += 1;
        Ok(grant)
    }

    /// A token response for `op`: a new access token (and refresh token,
    /// where the response has one; the presented one is then retired).
    fn issue(
        &self,
        op: &m::Operation,
        grant: u64,
        old_refresh: Option<String>,
    ) -> ResponseTemplate {
        let serial = {
            let mut state = self.state();
            state.next += 1;
            state.next
        };
        let access = format!("mock-access-{}-{serial}", self.values.module());
        let response = &op.response;
        let rotates = response.field(Role::RefreshToken).is_some();
        let refresh = format!("mock-refresh-{}-{serial}", self.values.module());
        let now = OffsetDateTime::now_utc();
        let mut writer = Writer::default();
        let mut told = None;
        for field in &response.fields {
            let value = match field.role {
                Role::AccessToken => Out::Text(access.clone()),
                Role::RefreshToken => Out::Text(refresh.clone()),
                Role::TokenType => Out::Text("Bearer".into()),
                Role::Scope => Out::Text("mock-scope".into()),
                Role::Expiry => {
                    let kind = expiry_kind(&response.expiry, &field.field);
                    let (value, seconds) = expiry(kind, field.reader, self.lifetime.as_secs(), now);
                    told = Some(seconds);
                    value
                }
                Role::RefreshTokenExpiry => {
                    let kind = expiry_kind(&response.refresh_token_expiry, &field.field);
                    expiry(kind, field.reader, REFRESH_LIFETIME, now).0
                }
                Role::Extra => match self.values.field(&field.name) {
                    Some(value) => value.clone(),
                    None => continue,
                },
            };
            writer.put(&field.source, &value);
        }
        // Without an expiry field, the client counts the documented default.
        let told = told.or(response.default_lifetime_seconds);
        let mut state = self.state();
        let expires = told.map(|seconds| SystemTime::now() + Duration::from_secs(seconds));
        state.access.insert(access, Access { grant, expires });
        if rotates {
            if let Some(old) = old_refresh.and_then(|old| state.refresh.get_mut(&old)) {
                old.live = false;
            }
            state
                .refresh
                .insert(refresh, RefreshToken { grant, live: true });
        }
        drop(state);
        let status = op.success.first().copied().unwrap_or(200);
        writer.finish(response.format, status)
    }

    fn write_extras(&self, response: &m::Response, writer: &mut Writer) {
        for field in &response.fields {
            if let Some(value) = self.values.field(&field.name) {
                writer.put(&field.source, value);
            }
        }
    }

    fn api(
        &self,
        request: &Request,
        unauthorized: bool,
    ) -> Result<(ResponseTemplate, u16), Refusal> {
        let deny = |description: String| Refusal {
            status: 401,
            error: "invalid_token",
            description,
            mismatch: false,
        };
        if unauthorized {
            return Err(deny("the token was refused (a fault asked for)".into()));
        }
        let authorization = &self.vendor.authorization;
        let mut holes = Vec::new();
        let mut problems = Vec::new();
        let query = query_pairs(request);
        self.expect_headers(&authorization.headers, request, &mut holes, &mut problems);
        let kind = "query parameter";
        self.expect_pairs(
            &authorization.query,
            &query,
            kind,
            false,
            &mut holes,
            &mut problems,
        );
        let cookies = cookies(request);
        for (name, template) in &authorization.cookies {
            let actual = cookies
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str());
            self.expect(
                template,
                actual,
                &format!("cookie `{name}`"),
                &mut holes,
                &mut problems,
            );
        }
        if !problems.is_empty() {
            return Err(deny(format!(
                "the API call is not authorized as the spec declares: {}",
                problems.join("; ")
            )));
        }
        let presented = self.check_holes(&holes).map_err(|r| deny(r.description))?;
        if let Some(exp) = presented.self_issued_exp
            && exp <= now_unix()
        {
            return Err(deny("the self-issued token has expired".into()));
        }
        if let Some(token) = &presented.access {
            let state = self.state();
            match state.access.get(token) {
                None if self.vendor.self_issued.is_none() => {
                    return Err(deny("the token was not issued by this mock".into()));
                }
                Some(access) if state.revoked.contains(&access.grant) => {
                    return Err(deny("the token was revoked".into()));
                }
                Some(access) if access.expires.is_some_and(|at| at <= SystemTime::now()) => {
                    return Err(deny("the token has expired".into()));
                }
                _ => {}
            }
        }
        let body = serde_json::json!({ "ok": true, "path": request.url.path() });
        Ok((ResponseTemplate::new(200).set_body_json(body), 200))
    }
}

fn fault_response(fault: Fault, success: u16) -> (ResponseTemplate, u16) {
    let error = |status: u16, error: &str| {
        (
            ResponseTemplate::new(status).set_body_json(serde_json::json!({
                "error": error,
                "error_description": "a fault the test asked the mock for",
            })),
            status,
        )
    };
    match fault {
        Fault::Status(status) => error(status, "server_error"),
        Fault::RateLimited { retry_after } => {
            let (response, status) = error(429, "slow_down");
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            (
                response.insert_header("retry-after", seconds.to_string().as_str()),
                status,
            )
        }
        Fault::InvalidJson => (
            ResponseTemplate::new(success)
                .set_body_raw("{\"access_token\": \"mock", "application/json"),
            success,
        ),
        Fault::Unauthorized => {
            let (response, status) = error(401, "invalid_token");
            (
                response.insert_header("www-authenticate", "Bearer error=\"invalid_token\""),
                status,
            )
        }
        Fault::RejectedRefreshToken => error(400, "invalid_grant"),
        // Handled by the caller: the normal answer, late.
        Fault::Slow(_) => error(500, "server_error"),
    }
}

fn expiry_kind(expiry: &Option<m::Expiry>, field: &str) -> ExpiryKind {
    match expiry {
        Some(m::Expiry::Field { field: f, kind }) if f == field => *kind,
        _ => ExpiryKind::RelativeSeconds,
    }
}

/// The expiry written as `kind` says, and the lifetime it tells (minutes
/// cannot tell every number of seconds).
fn expiry(kind: ExpiryKind, reader: Reader, seconds: u64, now: OffsetDateTime) -> (Out, u64) {
    let number = |n: i64| match reader {
        Reader::IntString | Reader::String => Out::Text(n.to_string()),
        _ => Out::Int(n),
    };
    let unix = now.unix_timestamp();
    match kind {
        ExpiryKind::RelativeSeconds => (number(seconds as i64), seconds),
        ExpiryKind::RelativeMilliseconds => (number(seconds as i64 * 1000), seconds),
        ExpiryKind::RelativeMinutes => {
            let minutes = (seconds / 60).max(1);
            (number(minutes as i64), minutes * 60)
        }
        ExpiryKind::UnixSeconds => (number(unix + seconds as i64), seconds),
        ExpiryKind::UnixMilliseconds => (number((unix + seconds as i64) * 1000), seconds),
        ExpiryKind::Datetime => {
            let at = now + time::Duration::seconds(seconds as i64);
            let text = at
                .replace_nanosecond(0)
                .unwrap_or(at)
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            (Out::Text(text), seconds)
        }
        ExpiryKind::Duration => (Out::Text(format!("PT{seconds}S")), seconds),
    }
}

fn decoded_path(request: &Request) -> String {
    percent_encoding::percent_decode_str(request.url.path())
        .decode_utf8_lossy()
        .into_owned()
}

pub(super) fn query_pairs(request: &Request) -> Vec<(String, String)> {
    request.url.query_pairs().into_owned().collect()
}

fn cookies(request: &Request) -> Vec<(String, String)> {
    request
        .headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// A response being written, field by field, wherever the spec reads each.
#[derive(Default)]
struct Writer {
    json: Option<Value>,
    form: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    text: Option<String>,
}

impl Writer {
    fn put(&mut self, source: &Source, value: &Out) {
        match source {
            Source::Json(path) => {
                let root = self
                    .json
                    .get_or_insert_with(|| Value::Object(Default::default()));
                set_path(root, path, value.to_json());
            }
            Source::Form(name) => self.form.push((name.clone(), value.to_text())),
            Source::Header(name) => self.headers.push((name.clone(), value.to_text())),
            Source::Cookie(name) => self.headers.push((
                "set-cookie".into(),
                format!("{name}={}; Path=/; HttpOnly", value.to_text()),
            )),
            Source::Body => self.text = Some(value.to_text()),
            Source::FirstOf(all) => {
                if let Some(first) = all.iter().find(|s| !matches!(s, Source::Sent(_))) {
                    self.put(first, value);
                }
            }
            Source::Sent(_) => {}
        }
    }

    fn finish(self, format: BodyFormat, status: u16) -> ResponseTemplate {
        let mut response = ResponseTemplate::new(status);
        for (name, value) in &self.headers {
            // wiremock panics on a name or value it cannot send: a field
            // named with characters a header cannot hold is sent as `-`.
            let text: String = value
                .chars()
                .map(|c| {
                    if c == ' ' || c.is_ascii_graphic() {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::try_from(name.as_str()),
                reqwest::header::HeaderValue::try_from(text),
            ) {
                response = response.append_header(name, value);
            }
        }
        match format {
            BodyFormat::Json => {
                let body = self
                    .json
                    .unwrap_or_else(|| Value::Object(Default::default()));
                response.set_body_raw(body.to_string(), "application/json")
            }
            BodyFormat::Form => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                for (name, value) in &self.form {
                    form.append_pair(name, value);
                }
                response.set_body_raw(form.finish(), "application/x-www-form-urlencoded")
            }
            BodyFormat::Text => response.set_body_raw(self.text.unwrap_or_default(), "text/plain"),
            BodyFormat::None => response,
        }
    }
}

fn set_path(root: &mut Value, path: &[PathStep], value: Value) {
    let Some((step, rest)) = path.split_first() else {
        *root = value;
        return;
    };
    let child = match step {
        PathStep::Key(key) => {
            if !root.is_object() {
                *root = Value::Object(Default::default());
            }
            let Value::Object(map) = root else { return };
            map.entry(key.clone()).or_insert(Value::Null)
        }
        PathStep::Index(index) => {
            if !root.is_array() {
                *root = Value::Array(Vec::new());
            }
            let Value::Array(items) = root else { return };
            while items.len() <= *index {
                items.push(Value::Null);
            }
            &mut items[*index]
        }
    };
    set_path(child, rest, value);
}
