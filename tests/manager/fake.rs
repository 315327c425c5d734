//! A scripted `TokenClient`: no HTTP, so tests can run on a paused clock.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use vendor_auth::{ApiAuthorization, Error, Token, TokenClient};

pub static AUTHORIZATION: ApiAuthorization = ApiAuthorization::bearer("Fake");

pub type Script = Box<dyn Fn(usize) -> Result<Token, Error> + Send + Sync>;
pub type RefreshScript = Box<dyn Fn(usize, &Token) -> Result<Token, Error> + Send + Sync>;

#[derive(Clone)]
pub struct Fake {
    pub fetches: Arc<AtomicUsize>,
    pub refreshes: Arc<AtomicUsize>,
    fetch: Arc<Script>,
    refresh: Option<Arc<RefreshScript>>,
    delay: Duration,
    /// Tokens fetched and refreshed so far, in order, for assertions.
    pub issued: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    /// A vendor whose n-th fetch (1-based) answers `fetch(n)` after `delay`.
    pub fn new(
        delay: Duration,
        fetch: impl Fn(usize) -> Result<Token, Error> + Send + Sync + 'static,
    ) -> Self {
        Fake {
            fetches: Arc::default(),
            refreshes: Arc::default(),
            fetch: Arc::new(Box::new(fetch)),
            refresh: None,
            delay,
            issued: Arc::default(),
        }
    }

    /// Tokens named `token-1`, `token-2`, ... living `lifetime`.
    pub fn issuing(delay: Duration, lifetime: Duration) -> Self {
        Fake::new(delay, move |n| {
            Ok(Token::new(format!("token-{n}"), lifetime))
        })
    }

    pub fn with_refresh(
        mut self,
        refresh: impl Fn(usize, &Token) -> Result<Token, Error> + Send + Sync + 'static,
    ) -> Self {
        self.refresh = Some(Arc::new(Box::new(refresh)));
        self
    }

    pub fn fetch_count(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    pub fn refresh_count(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }

    fn record(&self, result: &Result<Token, Error>) {
        if let Ok(token) = result {
            use vendor_auth::ExposeSecret;
            self.issued
                .lock()
                .unwrap()
                .push(token.access_token().expose_secret().to_owned());
        }
    }
}

pub fn status(status: u16) -> Error {
    Error::Status {
        vendor: "Fake",
        operation: "token",
        status,
        meaning: None,
        details: None,
        retry_after: None,
    }
}

impl TokenClient for Fake {
    fn vendor(&self) -> &'static str {
        "Fake"
    }

    async fn fetch_token(&self) -> Result<Token, Error> {
        let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(self.delay).await;
        let result = (self.fetch)(n);
        self.record(&result);
        result
    }

    fn supports_refresh(&self) -> bool {
        self.refresh.is_some()
    }

    async fn refresh_token(&self, current: &Token) -> Result<Token, Error> {
        let n = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(self.delay).await;
        let result = (self.refresh.as_ref().expect("refresh is scripted"))(n, current);
        self.record(&result);
        result
    }

    fn api_authorization(&self) -> &'static ApiAuthorization {
        &AUTHORIZATION
    }
}
