//! One accepted connection of a WebSocket API: each client message to the
//! transmission function, in order, one at a time; pushes to the client;
//! and the cleanup function once the connection has closed, whichever side
//! closed it.

use super::{Hub, Outbound};
use crate::function::{Function, Outcome};
use apigw_events::tencent::websocket::{
    Action, CleanupEvent, Closing, DataType, Message as Event, TransmissionEvent,
};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// An accepted connection and what serves it.
pub(crate) struct Session {
    /// Its `secConnectionID`.
    pub(crate) id: String,
    pub(crate) hub: Arc<Hub>,
    pub(crate) transmission: Arc<Function>,
    pub(crate) cleanup: Option<Arc<Function>>,
    pub(crate) function_timeout: Duration,
    pub(crate) gateway_timeout: Duration,
    pub(crate) idle_timeout: Duration,
}

/// How a connection ended.
enum Ended {
    /// The client sent a close frame, or went away.
    ByClient,
    /// A push closed it.
    ByPush,
    /// Nothing passed either way for the idle timeout.
    Idle,
    /// A message over the limit (closed with 1009).
    TooBig,
    /// The transmission function failed: the connection is dropped without
    /// a close frame (Tencent's "FIN").
    TransmissionFailed(String),
    /// Reading or writing failed.
    Broken(String),
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ended::ByClient => f.write_str("by the client"),
            Ended::ByPush => f.write_str("by a push"),
            Ended::Idle => f.write_str("idle for too long"),
            Ended::TooBig => f.write_str("a message over the limit"),
            Ended::TransmissionFailed(why) => write!(f, "the transmission function failed: {why}"),
            Ended::Broken(why) => write!(f, "the connection broke: {why}"),
        }
    }
}

/// Serves the connection until it ends, then calls the cleanup function.
pub(crate) async fn run<S>(ws: WebSocketStream<S>, session: Session)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let id = session.id.clone();
    let mut pushed = session.hub.join(&id);
    tracing::info!(connection = id, "WebSocket connection open");
    let (mut sink, mut stream) = ws.split();
    let mut idle_until = Instant::now() + session.idle_timeout;
    let ended = loop {
        tokio::select! {
            read = stream.next() => {
                idle_until = Instant::now() + session.idle_timeout;
                let message = match read {
                    None | Some(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) => break Ended::ByClient,
                    Some(Err(WsError::Capacity(e))) => {
                        let _ = sink.send(close(CloseCode::Size, &e.to_string())).await;
                        break Ended::TooBig;
                    }
                    Some(Err(e)) => break Ended::Broken(e.to_string()),
                    Some(Ok(m)) => m,
                };
                let (data_type, data) = match message {
                    Message::Text(text) => (DataType::Text, text.as_str().to_owned()),
                    Message::Binary(bytes) => (DataType::Binary, apigw_events::encode_base64(&bytes)),
                    Message::Close(_) => {
                        // tungstenite queued the reply; send it.
                        let _ = sink.flush().await;
                        break Ended::ByClient;
                    }
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                };
                if let Err(why) = transmit(&session, data_type, data).await {
                    break Ended::TransmissionFailed(why);
                }
                // The time the function took was not idle time.
                idle_until = Instant::now() + session.idle_timeout;
            }
            out = pushed.recv() => {
                idle_until = Instant::now() + session.idle_timeout;
                let sent = match out {
                    Some(Outbound::Send(m)) => sink.send(m).await,
                    Some(Outbound::Close) | None => {
                        let _ = sink.send(close(CloseCode::Normal, "closed by the server")).await;
                        break Ended::ByPush;
                    }
                };
                if let Err(e) = sent {
                    break Ended::Broken(e.to_string());
                }
            }
            () = tokio::time::sleep_until(idle_until) => {
                let _ = sink.send(close(CloseCode::Away, "idle timeout")).await;
                break Ended::Idle;
            }
        }
    };
    session.hub.leave(&id);
    drop(pushed);
    tracing::info!(connection = id, "WebSocket connection closed: {ended}");
    // Dropping both halves closes the socket: after a failed transmission,
    // with no close frame.
    drop((sink, stream));
    if let Some(cleanup) = &session.cleanup {
        let event = CleanupEvent {
            websocket: Closing {
                action: Action::Closing,
                sec_connection_id: id.clone(),
                ..Closing::default()
            },
            ..CleanupEvent::default()
        };
        if let Err(why) = call(&session, cleanup, &event).await {
            tracing::warn!(connection = id, "the cleanup function failed: {why}");
        }
    }
}

fn close(code: CloseCode, reason: &str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.to_owned().into() }))
}

/// One client message to the transmission function; `Err` says why it failed.
async fn transmit(session: &Session, data_type: DataType, data: String) -> Result<(), String> {
    let event = TransmissionEvent {
        websocket: Event {
            action: Action::DataRecv,
            sec_connection_id: session.id.clone(),
            data_type,
            data,
            ..Event::default()
        },
        ..TransmissionEvent::default()
    };
    call(session, &session.transmission, &event).await
}

/// Invokes `function` with `event`; its answer's body is ignored, only a
/// failure counts.
async fn call(session: &Session, function: &Function, event: &impl serde::Serialize) -> Result<(), String> {
    let body = Bytes::from(serde_json::to_vec(event).map_err(|e| e.to_string())?);
    let request_id = crate::gateway::new_request_id();
    let outcome = function
        .invoke_within(body, &request_id, session.function_timeout, Some(session.gateway_timeout))
        .await;
    match outcome {
        Ok(Outcome::Response(_)) => Ok(()),
        Ok(Outcome::Error(body)) => Err(format!("it failed: {}", String::from_utf8_lossy(&body))),
        Ok(Outcome::TimedOut(limit)) => Err(format!("it did not answer within {limit:?}")),
        Ok(Outcome::Crashed(why)) => Err(format!("it failed: {why}")),
        Err(_) => Err(format!("no answer within the gateway's {:?}", session.gateway_timeout)),
    }
}
