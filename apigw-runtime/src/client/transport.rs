//! The socket under the client, and where the thread waits on it.
//!
//! Waiting in the async reactor costs an `epoll_wait` and a wake-up through
//! epoll on every exchange. On the virtual machines functions run in, where
//! system calls and cross-CPU wake-ups are dear, that is most of what an
//! invocation costs the runtime (see BENCHMARKS.md). So when no task but the
//! runtime's own is alive on the async runtime — nothing else could use the
//! thread — the socket is left in blocking mode and read with a short
//! timeout, as a plain loop would. An answer that takes longer than
//! [`WINDOW`] (an idle function waiting in `next`) moves the socket into the
//! reactor, so a SIGTERM, a timer or a task spawned meanwhile is never held
//! up for longer than that.

use bytes::BytesMut;
use std::io::{ErrorKind, IoSlice, Read, Write};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The longest a blocking read or write holds the thread.
pub(super) const WINDOW: Duration = Duration::from_millis(20);
/// The most one blocking read asks for.
const BLOCKING_READ: usize = 64 * 1024;

pub(super) struct Transport {
    socket: Socket,
    /// Where blocking reads land before they are appended to the caller's
    /// buffer: zeroed once, where reading into the buffer's spare room would
    /// need it zeroed on every read.
    scratch: Vec<u8>,
    /// Blocking waits are allowed while at most this many tasks are alive;
    /// `None` never blocks.
    block_below: Option<usize>,
}

enum Socket {
    Blocking(std::net::TcpStream),
    Reactor(tokio::net::TcpStream),
    /// A move between modes failed half-way; every use fails.
    Lost,
}

fn lost() -> std::io::Error {
    std::io::Error::other("the socket was lost moving between blocking and async mode")
}

impl Transport {
    pub(super) async fn connect(addr: &str, block_below: Option<usize>) -> std::io::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        let _ = stream.set_nodelay(true);
        let mut transport = Transport { socket: Socket::Reactor(stream), scratch: Vec::new(), block_below };
        if block_below.is_some() {
            // Timeouts bound blocking calls; they stay with the socket.
            transport.enter_blocking()?;
            if let Socket::Blocking(s) = &transport.socket {
                s.set_read_timeout(Some(WINDOW))?;
                s.set_write_timeout(Some(WINDOW))?;
            }
        }
        transport.prepare();
        Ok(transport)
    }

    /// Whether a blocking wait would hold up nothing but this one.
    fn may_block(&self) -> bool {
        let Some(limit) = self.block_below else { return false };
        tokio::runtime::Handle::try_current().is_ok_and(|h| h.metrics().num_alive_tasks() <= limit)
    }

    /// Puts the socket in the mode the next exchange should wait in.
    pub(super) fn prepare(&mut self) {
        let moved = match (&self.socket, self.may_block()) {
            (Socket::Reactor(_), true) => self.enter_blocking(),
            (Socket::Blocking(_), false) => self.enter_reactor(),
            _ => Ok(()),
        };
        if let Err(e) = moved {
            tracing::debug!(error = %e, "runtime API socket could not change mode");
        }
    }

    fn enter_blocking(&mut self) -> std::io::Result<()> {
        if let Socket::Reactor(s) = std::mem::replace(&mut self.socket, Socket::Lost) {
            let s = s.into_std()?;
            s.set_nonblocking(false)?;
            self.socket = Socket::Blocking(s);
        }
        Ok(())
    }

    fn enter_reactor(&mut self) -> std::io::Result<()> {
        if let Socket::Blocking(s) = std::mem::replace(&mut self.socket, Socket::Lost) {
            s.set_nonblocking(true)?;
            self.socket = Socket::Reactor(tokio::net::TcpStream::from_std(s)?);
        }
        Ok(())
    }

    /// Writes `head` then `body`, in one system call when the socket takes both.
    pub(super) async fn write_all(&mut self, mut head: &[u8], mut body: &[u8]) -> std::io::Result<()> {
        while !head.is_empty() || !body.is_empty() {
            let bufs = [IoSlice::new(head), IoSlice::new(body)];
            let written = match &mut self.socket {
                Socket::Blocking(s) => s.write_vectored(&bufs),
                Socket::Reactor(s) => s.write_vectored(&bufs).await,
                Socket::Lost => Err(lost()),
            };
            let n = match written {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if timed_out(&e) && matches!(self.socket, Socket::Blocking(_)) => {
                    self.enter_reactor()?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let from_head = n.min(head.len());
            head = &head[from_head..];
            body = &body[n - from_head..];
        }
        Ok(())
    }

    /// Reads what is there into `buf`, at least some of `want` bytes when it
    /// is known; `Ok(0)` at the end of the stream.
    pub(super) async fn read_buf(&mut self, buf: &mut BytesMut, want: usize) -> std::io::Result<usize> {
        loop {
            let read = match &mut self.socket {
                Socket::Blocking(s) => {
                    if self.scratch.is_empty() {
                        self.scratch = vec![0; BLOCKING_READ];
                    }
                    read_blocking(s, &mut self.scratch, buf)
                }
                Socket::Reactor(s) => {
                    buf.reserve(want.clamp(8 * 1024, 1 << 20));
                    s.read_buf(buf).await
                }
                Socket::Lost => Err(lost()),
            };
            match read {
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if timed_out(&e) && matches!(self.socket, Socket::Blocking(_)) => {
                    self.enter_reactor()?
                }
                other => return other,
            }
        }
    }
}

/// A read into `scratch`, appended to `buf`.
fn read_blocking(
    s: &mut std::net::TcpStream,
    scratch: &mut [u8],
    buf: &mut BytesMut,
) -> std::io::Result<usize> {
    let n = s.read(scratch)?;
    buf.extend_from_slice(&scratch[..n]);
    Ok(n)
}

/// A blocking call ran out its timeout (`EAGAIN`, reported as either kind).
fn timed_out(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    impl Transport {
        fn is_blocking(&self) -> bool {
            matches!(self.socket, Socket::Blocking(_))
        }
    }

    /// A peer that accepts one connection and writes `bytes` after `delay`.
    fn peer(delay: Duration, bytes: &'static [u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            std::thread::sleep(delay);
            conn.write_all(bytes).unwrap();
            // Held open until the test's read is done.
            std::thread::sleep(Duration::from_secs(5));
        });
        addr
    }

    fn current_thread() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    #[test]
    fn blocks_only_while_no_other_task_is_alive() {
        current_thread().block_on(async {
            let mut t = Transport::connect(&peer(Duration::ZERO, b""), Some(0)).await.unwrap();
            assert!(t.is_blocking(), "alone on the runtime");
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            let other = tokio::spawn(async move {
                let _ = rx.await;
            });
            t.prepare();
            assert!(!t.is_blocking(), "another task could need the thread");
            tx.send(()).unwrap();
            other.await.unwrap();
            t.prepare();
            assert!(t.is_blocking(), "alone again");
        });
    }

    #[test]
    fn never_blocks_unless_allowed() {
        current_thread().block_on(async {
            let t = Transport::connect(&peer(Duration::ZERO, b""), None).await.unwrap();
            assert!(!t.is_blocking());
        });
    }

    #[test]
    fn an_answer_slower_than_the_window_is_awaited_in_the_reactor() {
        current_thread().block_on(async {
            let mut t = Transport::connect(&peer(WINDOW * 10, b"late"), Some(0)).await.unwrap();
            assert!(t.is_blocking());
            // A timer shorter than the wait fires while the read is pending:
            // the thread was handed back to the async runtime.
            let mut buf = BytesMut::new();
            let started = std::time::Instant::now();
            let (read, ticked) =
                tokio::join!(async { (t.read_buf(&mut buf, 0).await, started.elapsed()) }, async {
                    tokio::time::sleep(WINDOW * 2).await;
                    started.elapsed()
                });
            let (read, read_at) = read;
            assert_eq!(read.unwrap(), 4);
            assert_eq!(&buf[..], b"late");
            assert!(ticked < read_at, "the timer fired at {ticked:?}, before the answer at {read_at:?}");
            assert!(!t.is_blocking(), "the socket moved to the reactor");
        });
    }
}
