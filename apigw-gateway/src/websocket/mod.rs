//! WebSocket on the local gateway, two ways:
//!
//! - **WebSocket APIs** (`protocol = "websocket"` on a route): Tencent's
//!   WS/WSS front end with SCF event functions behind it. The gateway holds
//!   the client's connection, calls the registration function on connect
//!   (`handshake`), the transmission function for each client message and
//!   the cleanup function when the connection closes (`session`), and
//!   serves the push address the functions post to, to send data to a
//!   client or close it ([`push`]).
//! - **Native WebSocket on web functions**: an `Upgrade: websocket` request
//!   to a web function's route is passed through to the function, and the
//!   bytes piped both ways ([`crate::function::Function::tunnel`]).
//!
//! The [`Hub`] knows the open connections of the WebSocket APIs by their
//! `secConnectionID`, so a push reaches the right client.

pub(crate) mod handshake;
pub mod push;
pub(crate) mod session;

use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// How many frames may wait for one client before a push is refused.
const QUEUE: usize = 256;

/// What the push address asks a connection to do.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// Send this frame.
    Send(Message),
    /// Close the connection.
    Close,
}

/// Why a push was not delivered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Undelivered {
    /// No open connection has this id.
    Unknown,
    /// The client is not reading what it is sent.
    Full,
}

/// The WebSocket API connections open on the gateway, by `secConnectionID`.
#[derive(Debug, Default)]
pub struct Hub {
    connections: Mutex<HashMap<String, mpsc::Sender<Outbound>>>,
}

impl Hub {
    /// No connections.
    pub fn new() -> Self {
        Hub::default()
    }

    /// How many connections are open.
    pub fn open(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, mpsc::Sender<Outbound>>> {
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers connection `id`; what is pushed to it arrives on the receiver.
    pub(crate) fn join(&self, id: &str) -> mpsc::Receiver<Outbound> {
        let (tx, rx) = mpsc::channel(QUEUE);
        self.lock().insert(id.to_owned(), tx);
        rx
    }

    /// Forgets connection `id`: pushes to it are refused from now on.
    pub(crate) fn leave(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Hands `out` to connection `id`.
    pub(crate) fn deliver(&self, id: &str, out: Outbound) -> Result<(), Undelivered> {
        let tx = self.lock().get(id).cloned().ok_or(Undelivered::Unknown)?;
        tx.try_send(out).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => Undelivered::Full,
            mpsc::error::TrySendError::Closed(_) => Undelivered::Unknown,
        })
    }
}

/// Whether a request asks to be upgraded to WebSocket (`Upgrade:
/// websocket`, `Connection: upgrade`).
pub fn is_upgrade(headers: &http::HeaderMap) -> bool {
    let has = |name: http::header::HeaderName, token: &str| {
        headers
            .get_all(name)
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token))))
    };
    has(http::header::UPGRADE, "websocket") && has(http::header::CONNECTION, "upgrade")
}

/// A fresh `secConnectionID`: 16 random bytes in base64 (24 characters),
/// the shape of the ids in Tencent's demo output.
pub(crate) fn new_connection_id() -> String {
    let (a, b) = crate::gateway::random_words();
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&b.to_le_bytes());
    apigw_events::encode_base64(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_ids_are_24_characters_of_base64_and_differ() {
        let (a, b) = (new_connection_id(), new_connection_id());
        assert_eq!(a.len(), 24);
        assert!(a.ends_with("=="));
        assert_ne!(a, b);
    }

    #[test]
    fn a_push_reaches_only_its_connection() {
        let hub = Hub::new();
        let mut one = hub.join("one");
        let mut two = hub.join("two");
        hub.deliver("one", Outbound::Close).unwrap();
        assert!(matches!(one.try_recv(), Ok(Outbound::Close)));
        assert!(two.try_recv().is_err());
        hub.leave("one");
        assert_eq!(hub.deliver("one", Outbound::Close), Err(Undelivered::Unknown));
        assert_eq!(hub.open(), 1);
    }

    #[test]
    fn upgrades_are_told_by_both_headers() {
        let mut h = http::HeaderMap::new();
        h.insert("upgrade", http::HeaderValue::from_static("WebSocket"));
        assert!(!is_upgrade(&h));
        h.insert("connection", http::HeaderValue::from_static("keep-alive, Upgrade"));
        assert!(is_upgrade(&h));
    }
}
