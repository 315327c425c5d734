//! The hot path allocates nothing while the token is fresh: counted with a
//! global allocator (this test is alone in its binary so that nothing else
//! allocates while it counts).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use vendor_auth::{ApiAuthorization, Error, Token, TokenClient, TokenManager};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

static AUTHORIZATION: ApiAuthorization = ApiAuthorization::bearer("Fixed");

struct Fixed;

impl TokenClient for Fixed {
    fn vendor(&self) -> &'static str {
        "Fixed"
    }
    async fn fetch_token(&self) -> Result<Token, Error> {
        Ok(Token::new("a-long-lived-token", Duration::from_secs(3600)))
    }
    fn api_authorization(&self) -> &'static ApiAuthorization {
        &AUTHORIZATION
    }
}

#[test]
fn a_fresh_token_costs_no_allocation() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tokens = TokenManager::new(Fixed);
        tokens.token().await.unwrap();
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        let mut header_bytes = 0;
        for _ in 0..10_000 {
            let cached = tokens.token().await.unwrap();
            header_bytes += cached.header("authorization").unwrap().len();
            let _ = cached.header("authorization").unwrap().clone();
        }
        let allocations = ALLOCATIONS.load(Ordering::SeqCst) - before;
        assert_eq!(header_bytes, 10_000 * "Bearer a-long-lived-token".len());
        assert_eq!(
            allocations, 0,
            "the hot path allocated {allocations} times in 10,000 calls"
        );
    });
}
