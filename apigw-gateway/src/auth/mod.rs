//! Authentication at the front door, as each vendor's gateway does it:
//!
//! | `auth` | module | vendor | the request carries |
//! |---|---|---|---|
//! | `key` | [`tencent_key`] | Tencent | `Authorization: hmac id="…", algorithm="…", headers="…", signature="…"` |
//! | `oauth` | [`oauth`] | Tencent | `Authorization: Bearer id_token="<JWT>"` (or a cookie) |
//! | `app` | [`aliyun_app`] | Alibaba | `X-Ca-Key`, `X-Ca-Signature`, `X-Ca-Timestamp`, `X-Ca-Nonce`, … |
//! | `appcode` | [`appcode`] | Alibaba | `Authorization: APPCODE <code>` |
//!
//! Each module verifies (returning what it verified, such as the key id) and signs (what a client
//! does, for `cargo apigw invoke --sign` and the tests). Their errors display as the vendor's own
//! refusal message and say which status (and, for Alibaba, which `X-Ca-Error-Code`) goes with it.

pub mod aliyun_app;
pub mod appcode;
pub mod nonce;
pub mod oauth;
pub mod tencent_key;

use hmac::Mac;
use hmac::digest::KeyInit;

/// The HMAC digests the vendors sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hmac {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hmac {
    /// The HMAC of `message` keyed with `key`.
    pub(crate) fn digest(self, key: &[u8], message: &[u8]) -> Vec<u8> {
        fn run<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
            // HMAC takes keys of any length: `new_from_slice` fails only for fixed-size MACs.
            match <M as KeyInit>::new_from_slice(key) {
                Ok(mut mac) => {
                    mac.update(message);
                    mac.finalize().into_bytes().to_vec()
                }
                Err(_) => Vec::new(),
            }
        }
        match self {
            Hmac::Sha1 => run::<hmac::Hmac<sha1::Sha1>>(key, message),
            Hmac::Sha256 => run::<hmac::Hmac<sha2::Sha256>>(key, message),
            Hmac::Sha384 => run::<hmac::Hmac<sha2::Sha384>>(key, message),
            Hmac::Sha512 => run::<hmac::Hmac<sha2::Sha512>>(key, message),
        }
    }

    /// Whether `expected` is the HMAC of `message`, compared in constant time.
    pub(crate) fn verify(self, key: &[u8], message: &[u8], expected: &[u8]) -> bool {
        let actual = self.digest(key, message);
        !actual.is_empty()
            && actual.len() == expected.len()
            && actual.iter().zip(expected).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
    }
}

/// Splits `name="value", name="value"` into pairs; the error says what is malformed.
pub(crate) fn parse_params(mut rest: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok(params);
        }
        let (name, after) = rest.split_once('=').ok_or("expected `name=\"value\"`")?;
        let name = name.trim_end();
        if name.is_empty() || name.contains(|c: char| c == ',' || c == '"' || c.is_whitespace()) {
            return Err("expected `name=\"value\"` parameters separated by commas".to_owned());
        }
        let quoted = after.trim_start().strip_prefix('"');
        let quoted = quoted.ok_or_else(|| format!("the value of `{name}` is not double-quoted"))?;
        let (value, after) =
            quoted.split_once('"').ok_or_else(|| format!("the value of `{name}` has no closing quote"))?;
        params.push((name, value));
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(next) => next,
            None if after.is_empty() => after,
            None => return Err(format!("expected `,` after the value of `{name}`")),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_known_answers() {
        // RFC 4231 test case 2 (key "Jefe").
        let message = b"what do ya want for nothing?";
        let hex = |bytes: Vec<u8>| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(Hmac::Sha256.digest(b"Jefe", message)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(hex(Hmac::Sha512.digest(b"Jefe", message))[..32], *"164b7a7bfcf819e2e395fbe73b56e0a3");
        // RFC 2202 test case 2.
        assert_eq!(hex(Hmac::Sha1.digest(b"Jefe", message)), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        assert!(Hmac::Sha384.verify(b"Jefe", message, &Hmac::Sha384.digest(b"Jefe", message)));
        assert!(!Hmac::Sha384.verify(b"Jefe", message, &Hmac::Sha384.digest(b"jefe", message)));
        assert!(!Hmac::Sha1.verify(b"Jefe", message, b""));
    }
}
