//! A loopback server that speaks raw bytes, for faults an HTTP mock cannot
//! produce: truncated bodies, resets, trickles, hangs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with each request (after reading its head and body).
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Writes these bytes and closes.
    Write(Vec<u8>),
    /// Writes the bytes one at a time, `delay` apart.
    Trickle(Vec<u8>, Duration),
    /// Never answers.
    Hang,
    /// Closes the connection with a TCP reset.
    Reset,
}

pub struct RawServer {
    pub url: String,
    requests: Arc<AtomicUsize>,
}

impl RawServer {
    /// Serves `behaviours[n]` to the n-th request (the last one repeats).
    pub async fn start(behaviours: Vec<Behaviour>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let counter = Arc::clone(&counter);
                let behaviours = behaviours.clone();
                tokio::spawn(async move { serve(socket, counter, behaviours).await });
            }
        });
        RawServer { url, requests }
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Every response closes its connection, so one request is served per
/// connection.
async fn serve(mut socket: TcpStream, counter: Arc<AtomicUsize>, behaviours: Vec<Behaviour>) {
    if !read_request(&mut socket).await {
        return;
    }
    let n = counter.fetch_add(1, Ordering::SeqCst);
    match behaviours[n.min(behaviours.len() - 1)].clone() {
        Behaviour::Write(bytes) => {
            let _ = socket.write_all(&bytes).await;
            let _ = socket.shutdown().await;
        }
        Behaviour::Trickle(bytes, delay) => {
            for byte in bytes {
                if socket.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(delay).await;
            }
        }
        Behaviour::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
        Behaviour::Reset => {
            let _ = socket.set_zero_linger();
        }
    }
}

/// Reads one request (head and Content-Length body); false on EOF.
async fn read_request(socket: &mut TcpStream) -> bool {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap_or(0));
            if buffer.len() >= end + 4 + length {
                return true;
            }
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// An HTTP/1.1 response with a correct Content-Length.
pub fn response(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len()).into_bytes();
    bytes.extend_from_slice(body);
    bytes
}
