//! The nonces seen recently, for Alibaba's replay check: an `X-Ca-Nonce` may be used once per
//! [`NONCE_WINDOW`] for each AppKey.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

/// How long a nonce stays used: 15 minutes, Alibaba's window (the same as `X-Ca-Timestamp`'s).
pub const NONCE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The nonces of the last [`NONCE_WINDOW`], by AppKey. Memory is bounded by the requests of one
/// window: older entries are dropped as new ones come in.
#[derive(Debug, Default)]
pub struct NonceCache {
    seen: HashMap<(String, String), SystemTime>,
    order: VecDeque<(SystemTime, (String, String))>,
}

impl NonceCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `nonce` for `app_key` at `now`; `false` when it was already used within the window.
    pub fn use_once(&mut self, app_key: &str, nonce: &str, now: SystemTime) -> bool {
        self.forget_before(now.checked_sub(NONCE_WINDOW).unwrap_or(SystemTime::UNIX_EPOCH));
        let key = (app_key.to_owned(), nonce.to_owned());
        if let Some(at) = self.seen.get(&key)
            && within_window(*at, now)
        {
            return false;
        }
        self.seen.insert(key.clone(), now);
        self.order.push_back((now, key));
        true
    }

    /// How many nonces are held.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    fn forget_before(&mut self, cutoff: SystemTime) {
        while let Some((at, _)) = self.order.front() {
            if *at >= cutoff {
                break;
            }
            if let Some((at, key)) = self.order.pop_front()
                && self.seen.get(&key) == Some(&at)
            {
                self.seen.remove(&key);
            }
        }
    }
}

fn within_window(at: SystemTime, now: SystemTime) -> bool {
    let apart = now.duration_since(at).or_else(|_| at.duration_since(now)).unwrap_or(Duration::MAX);
    apart < NONCE_WINDOW
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_used_once_per_key_within_the_window() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut cache = NonceCache::new();
        assert!(cache.use_once("app", "n1", t0));
        assert!(!cache.use_once("app", "n1", t0 + Duration::from_secs(60)));
        assert!(cache.use_once("other-app", "n1", t0), "nonces are per AppKey");
        assert!(!cache.use_once("app", "n1", t0 + NONCE_WINDOW - Duration::from_secs(1)));
        assert!(cache.use_once("app", "n1", t0 + NONCE_WINDOW + Duration::from_secs(1)), "the window passed");
    }

    #[test]
    fn old_entries_are_dropped() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut cache = NonceCache::new();
        for i in 0..1000 {
            assert!(cache.use_once("app", &i.to_string(), t0));
        }
        assert_eq!(cache.len(), 1000);
        assert!(cache.use_once("app", "late", t0 + NONCE_WINDOW * 2));
        assert_eq!(cache.len(), 1, "everything from the first window is gone");
    }
}
