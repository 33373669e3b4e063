//! Alibaba's simple authentication: `Authorization: APPCODE <code>`, the AppCode of an app
//! authorized for the API (the scheme in any case, one space or more before the code).

use std::collections::BTreeMap;

use http::HeaderMap;
use http::header::AUTHORIZATION;

/// Why a request failed AppCode authentication. Each displays as Alibaba's `X-Ca-Error-Message`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AppCodeError {
    /// No `Authorization` header.
    #[error("Header `Authorization` is Required")]
    Missing,
    /// `Authorization` is repeated, or not `APPCODE <code>`.
    #[error("Invalid AppCode `format error`")]
    Malformed,
    /// No app has this AppCode.
    #[error("Invalid AppCode `not exists`")]
    Unknown,
}

impl AppCodeError {
    /// The HTTP status Alibaba answers with.
    pub fn status(&self) -> u16 {
        400
    }

    /// The `X-Ca-Error-Code`.
    pub fn code(&self) -> &'static str {
        match self {
            AppCodeError::Missing => "I400MH",
            AppCodeError::Malformed | AppCodeError::Unknown => "A400AC",
        }
    }
}

/// Checks `Authorization: APPCODE <code>`; `appcodes` maps AppCode → the app's AppKey. Returns the
/// AppKey of the app the code belongs to.
pub fn verify(headers: &HeaderMap, appcodes: &BTreeMap<String, String>) -> Result<String, AppCodeError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(AppCodeError::Missing)?;
    if values.next().is_some() {
        return Err(AppCodeError::Malformed);
    }
    let value = value.to_str().map_err(|_| AppCodeError::Malformed)?.trim();
    let (scheme, code) = value.split_once([' ', '\t']).ok_or(AppCodeError::Malformed)?;
    let code = code.trim();
    if !scheme.eq_ignore_ascii_case("appcode") || code.is_empty() {
        return Err(AppCodeError::Malformed);
    }
    appcodes.get(code).cloned().ok_or(AppCodeError::Unknown)
}

/// The header value a client sends.
pub fn authorization(code: &str) -> String {
    format!("APPCODE {code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(values: &[&str]) -> Result<String, AppCodeError> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(AUTHORIZATION, value.parse().unwrap());
        }
        let codes = BTreeMap::from([("c0de".to_owned(), "203753234".to_owned())]);
        verify(&headers, &codes)
    }

    #[test]
    fn a_known_code_names_its_app() {
        assert_eq!(check(&[&authorization("c0de")]), Ok("203753234".to_owned()));
        assert_eq!(check(&["appcode   c0de "]), Ok("203753234".to_owned()));
    }

    #[test]
    fn refusals_say_what_alibaba_says() {
        assert_eq!(check(&[]), Err(AppCodeError::Missing));
        assert_eq!(check(&["APPCODE other"]).unwrap_err().to_string(), "Invalid AppCode `not exists`");
        for bad in ["APPCODE", "Bearer c0de", "APPCODEc0de"] {
            assert_eq!(check(&[bad]), Err(AppCodeError::Malformed), "{bad}");
        }
        assert_eq!(check(&["APPCODE c0de", "APPCODE c0de"]), Err(AppCodeError::Malformed));
        assert_eq!((AppCodeError::Unknown.status(), AppCodeError::Unknown.code()), (400, "A400AC"));
    }
}
