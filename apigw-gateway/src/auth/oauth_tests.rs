use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const PRIVATE: &[u8] = include_bytes!("../../tests/fixtures/oauth/private.pem");
const OTHER: &[u8] = include_bytes!("../../tests/fixtures/oauth/other-private.pem");
const JWK: &str = include_str!("../../tests/fixtures/oauth/public.jwk.json");

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn config(location: TokenLocation) -> OauthConfig {
    OauthConfig::new(JWK, location, None).unwrap()
}

fn token(key: &[u8], lifetime: Duration, at: SystemTime) -> String {
    let claims = serde_json::json!({"username": "ada"}).as_object().unwrap().clone();
    issue(key, claims, lifetime, at).unwrap()
}

fn with_header(name: &str, value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.append(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
    headers
}

fn check(headers: &HeaderMap) -> Result<serde_json::Map<String, serde_json::Value>, OauthError> {
    verify(headers, &config(TokenLocation::Header), now())
}

#[test]
fn a_token_from_the_configured_key_verifies_and_gives_its_claims() {
    let good = token(PRIVATE, Duration::from_secs(300), now());
    let claims = check(&with_header("authorization", &authorization(&good))).unwrap();
    assert_eq!(claims["username"], "ada");
    let cookie = format!("theme=dark; {TOKEN_COOKIE}={good}");
    let claims = verify(&with_header("cookie", &cookie), &config(TokenLocation::Cookie), now()).unwrap();
    assert_eq!(claims["exp"], 1_700_000_300);
}

#[test]
fn expired_early_foreign_and_forged_tokens_are_refused() {
    let verify_error = |headers: &HeaderMap| match check(headers) {
        Err(OauthError::Verify(why)) => why,
        other => panic!("{other:?}"),
    };
    let expired = token(PRIVATE, Duration::from_secs(300), now() - Duration::from_secs(301));
    assert_eq!(
        verify_error(&with_header("authorization", &authorization(&expired))),
        "the token has expired"
    );
    let early = token(PRIVATE, Duration::from_secs(300), now() + Duration::from_secs(60));
    assert_eq!(
        verify_error(&with_header("authorization", &authorization(&early))),
        "the token is not valid yet"
    );
    let foreign = token(OTHER, Duration::from_secs(300), now());
    assert!(
        verify_error(&with_header("authorization", &authorization(&foreign))).contains("InvalidSignature")
    );
    // alg "none", and HS256 keyed with the public key's text: both refused.
    let claims = URL_SAFE_NO_PAD.encode(br#"{"exp":9999999999}"#);
    for header in [r#"{"alg":"none","typ":"JWT"}"#, r#"{"alg":"HS256","typ":"JWT"}"#] {
        let forged = format!("{}.{claims}.", URL_SAFE_NO_PAD.encode(header));
        let message = check(&with_header("authorization", &authorization(&forged))).unwrap_err();
        assert!(matches!(message, OauthError::Verify(_)), "{header}: {message:?}");
    }
    let no_exp = {
        let key = EncodingKey::from_rsa_pem(PRIVATE).unwrap();
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &serde_json::json!({"sub": "x"}), &key).unwrap()
    };
    assert_eq!(
        verify_error(&with_header("authorization", &authorization(&no_exp))),
        "the token has no `exp`"
    );
}

#[test]
fn header_and_cookie_mistakes_have_tencents_messages() {
    assert_eq!(check(&HeaderMap::new()), Err(OauthError::NoAuthorizationHeader));
    assert_eq!(OauthError::NoAuthorizationHeader.to_string(), "Oauth found no authorization header");
    for bad in ["Basic abc", "Bearer", "id_token=\"x\""] {
        assert_eq!(check(&with_header("authorization", bad)), Err(OauthError::HeaderFormat), "{bad}");
    }
    for missing in ["Bearer token=\"x\"", "Bearer eyJ.e30.x", "Bearer id_token=\"\""] {
        assert_eq!(
            check(&with_header("authorization", missing)),
            Err(OauthError::MissingIdToken),
            "{missing}"
        );
    }
    assert_eq!(OauthError::MissingIdToken.to_string(), "Oauth miss Oauth id_token");
    let cookie = verify(&with_header("cookie", "a=b"), &config(TokenLocation::Cookie), now());
    assert_eq!(cookie, Err(OauthError::NoIdTokenCookie));
    assert!(OauthError::NoIdTokenCookie.is_missing_token() && !OauthError::HeaderFormat.is_missing_token());
    assert_eq!(OauthError::Verify("x".into()).to_string(), "Oauth id_token verify error");
}

#[test]
fn a_public_key_that_is_not_an_rsa_jwk_is_refused() {
    let not_json = OauthConfig::new("-----BEGIN PUBLIC KEY-----", TokenLocation::Header, None).unwrap_err();
    assert!(not_json.starts_with("the public key is not a JWK"), "{not_json}");
    let ec = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;
    assert_eq!(
        OauthConfig::new(ec, TokenLocation::Header, None).unwrap_err(),
        "the public key is not an RSA JWK (`\"kty\": \"RSA\"`)"
    );
}
