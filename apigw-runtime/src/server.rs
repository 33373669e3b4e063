//! The HTTP server under the Alibaba `/invoke` protocol and web functions:
//! the [`connections`](crate::connections) accept loop, draining in-flight
//! requests on shutdown.

use crate::Error;
use crate::connections::ConnectionLimits;
use crate::shutdown::Shutdown;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub(crate) type Response = http::Response<Full<Bytes>>;

/// How long in-flight requests may take to finish after shutdown is asked for.
const DRAIN: Duration = Duration::from_secs(30);

/// Serves `handle` on `listener` within `limits` until shutdown, then lets
/// in-flight requests finish.
pub(crate) async fn serve<H, Fut>(
    listener: TcpListener,
    limits: &ConnectionLimits,
    handle: H,
    shutdown: Shutdown,
) -> Result<(), Error>
where
    H: Fn(http::Request<Incoming>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let handle = Arc::new(handle);
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "listening");
    }
    let service = move |_peer| {
        let handle = handle.clone();
        let service = hyper::service::service_fn(move |req| {
            let fut = handle(req);
            async move { Ok::<_, Infallible>(fut.await) }
        });
        (service, |_: &hyper::Error| {})
    };
    let stop = async {
        shutdown.requested().await;
        tracing::info!("shutting down: draining in-flight requests");
    };
    crate::connections::serve(listener, limits, service, stop, DRAIN).await;
    Ok(())
}

/// Reads a request body up to `limit` bytes. A body whose declared length
/// is over the limit is refused before any of it is read (and so before
/// hyper answers an `Expect: 100-continue`).
pub(crate) async fn read_body(
    headers: &http::HeaderMap,
    body: Incoming,
    limit: usize,
) -> Result<Bytes, String> {
    if crate::connections::declared_length(headers).is_some_and(|len| len > limit as u64) {
        return Err(format!("event larger than {limit} bytes"));
    }
    match Limited::new(body, limit).collect().await {
        Ok(b) => Ok(b.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            Err(format!("event larger than {limit} bytes"))
        }
        Err(e) => Err(format!("the request body could not be read: {e}")),
    }
}

/// A response with a JSON body.
pub(crate) fn json(status: u16, headers: &[(&'static str, &str)], body: Vec<u8>) -> Response {
    let mut res = http::Response::new(Full::new(Bytes::from(body)));
    *res.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let h = res.headers_mut();
    h.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    for (name, value) in headers {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            h.insert(*name, value);
        }
    }
    res
}

/// Binds the listener the config asks for.
pub(crate) async fn bind(config: &crate::Config) -> Result<TcpListener, Error> {
    let addr = std::net::SocketAddr::new(config.listen_ip, config.port);
    TcpListener::bind(addr).await.map_err(|source| Error::Bind { addr, source })
}
