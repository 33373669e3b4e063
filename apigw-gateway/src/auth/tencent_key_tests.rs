use super::*;

const DATE: &str = "Mon, 05 Jun 2017 08:52:43 GMT";

fn now() -> SystemTime {
    httpdate::parse_http_date(DATE).unwrap()
}

fn keys() -> BTreeMap<String, String> {
    BTreeMap::from([("AKID1".to_owned(), "secret1".to_owned()), ("AKID2".to_owned(), "secret2".to_owned())])
}

fn request(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
    }
    headers
}

/// A request with `X-Date: date` and `Source: app`, both signed with key AKID1.
fn signed_at(date: &str) -> HeaderMap {
    let authorization = sign("AKID1", "secret1", &[("X-Date", date), ("Source", "app")]);
    request(&[("x-date", date), ("source", "app"), ("authorization", &authorization)])
}

fn verify_at(headers: &HeaderMap) -> Result<String, KeyPairError> {
    verify(headers, &keys(), now())
}

#[test]
fn known_answer_signature() {
    // printf 'x-date: Mon, 05 Jun 2017 08:52:43 GMT\nsource: test' | openssl dgst -sha1 -hmac secret -binary | base64
    let value = sign("id", "secret", &[("x-date", DATE), ("source", "test")]);
    assert_eq!(
        value,
        r#"hmac id="id", algorithm="hmac-sha1", headers="x-date source", signature="X12/64CSGsNYuMzwEqHFQaqXSl0=""#
    );
}

#[test]
fn every_listed_algorithm_verifies() {
    for algorithm in
        [Algorithm::HmacSha1, Algorithm::HmacSha256, Algorithm::HmacSha384, Algorithm::HmacSha512]
    {
        let authorization = sign_with(algorithm, "AKID1", "secret1", &[("date", DATE)]);
        assert!(authorization.contains(&format!(r#"algorithm="{}""#, algorithm.as_str())));
        let headers = request(&[("date", DATE), ("authorization", &authorization)]);
        assert_eq!(verify_at(&headers), Ok("AKID1".to_owned()), "{algorithm:?}");
        let other = authorization.replace(algorithm.as_str(), "hmac-sha1");
        if algorithm != Algorithm::HmacSha1 {
            let headers = request(&[("date", DATE), ("authorization", &other)]);
            assert_eq!(verify_at(&headers), Err(KeyPairError::BadSignature), "{algorithm:?}");
        }
    }
}

#[test]
fn signed_request_verifies_and_returns_the_key_id() {
    assert_eq!(verify_at(&signed_at(DATE)), Ok("AKID1".to_owned()));
    let authorization = sign("AKID2", "secret2", &[("Date", DATE)]);
    let headers = request(&[("date", DATE), ("authorization", &authorization)]);
    assert_eq!(verify_at(&headers), Ok("AKID2".to_owned()));
}

#[test]
fn date_is_signed_but_its_age_is_not_checked() {
    let hour = Duration::from_secs(3600);
    for date in [httpdate::fmt_http_date(now() - hour * 24), httpdate::fmt_http_date(now() + hour)] {
        let authorization = sign("AKID1", "secret1", &[("date", &date)]);
        let headers = request(&[("date", &date), ("authorization", &authorization)]);
        assert_eq!(verify_at(&headers), Ok("AKID1".to_owned()), "{date}");
    }
    let authorization = sign("AKID1", "secret1", &[("date", "yesterday")]);
    let headers = request(&[("date", "yesterday"), ("authorization", &authorization)]);
    assert_eq!(verify_at(&headers), Ok("AKID1".to_owned()), "Date is not even read as a date");
}

#[test]
fn x_date_more_than_900_seconds_away_is_out_of_date() {
    let secs = |s: u64| Duration::from_secs(s);
    assert_eq!(
        verify_at(&signed_at(&httpdate::fmt_http_date(now() - secs(901)))),
        Err(KeyPairError::StaleXDate)
    );
    assert_eq!(
        verify_at(&signed_at(&httpdate::fmt_http_date(now() + secs(901)))),
        Err(KeyPairError::StaleXDate)
    );
    assert!(verify_at(&signed_at(&httpdate::fmt_http_date(now() - secs(900)))).is_ok());
    assert!(verify_at(&signed_at(&httpdate::fmt_http_date(now() + secs(899)))).is_ok());
    // An X-Date beside a signed Date is checked too, signed or not.
    let authorization = sign("AKID1", "secret1", &[("date", DATE)]);
    let stale = httpdate::fmt_http_date(now() - secs(3600));
    let headers = request(&[("date", DATE), ("x-date", &stale), ("authorization", &authorization)]);
    assert_eq!(verify_at(&headers), Err(KeyPairError::StaleXDate));
}

#[test]
fn garbage_x_date_is_refused() {
    assert_eq!(verify_at(&signed_at("yesterday")), Err(KeyPairError::BadXDate("yesterday".to_owned())));
}

#[test]
fn missing_and_repeated_authorization() {
    assert_eq!(verify_at(&request(&[("date", DATE)])), Err(KeyPairError::MissingAuthorization));
    let mut headers = signed_at(DATE);
    headers.append(AUTHORIZATION, sign("AKID1", "secret1", &[("x-date", DATE)]).parse().unwrap());
    assert_eq!(verify_at(&headers), Err(KeyPairError::RepeatedHeader("authorization".to_owned())));
}

#[test]
fn unknown_key_and_unsupported_algorithm() {
    let authorization = sign("AKID9", "secret1", &[("date", DATE)]);
    let headers = request(&[("date", DATE), ("authorization", &authorization)]);
    assert_eq!(verify_at(&headers), Err(KeyPairError::UnknownKey("AKID9".to_owned())));
    let authorization = sign("AKID1", "secret1", &[("date", DATE)]).replace("hmac-sha1", "hmac-md5");
    let headers = request(&[("date", DATE), ("authorization", &authorization)]);
    assert_eq!(verify_at(&headers), Err(KeyPairError::UnsupportedAlgorithm("hmac-md5".to_owned())));
}

#[test]
fn tampered_header_or_wrong_secret_is_a_bad_signature() {
    let mut headers = signed_at(DATE);
    headers.insert("source", "other-app".parse().unwrap());
    assert_eq!(verify_at(&headers), Err(KeyPairError::BadSignature));
    let authorization = sign("AKID1", "secret2", &[("date", DATE)]);
    let headers = request(&[("date", DATE), ("authorization", &authorization)]);
    assert_eq!(verify_at(&headers), Err(KeyPairError::BadSignature));
    let authorization = r#"hmac id="AKID1", algorithm="hmac-sha1", headers="date", signature="not base64!""#;
    let headers = request(&[("date", DATE), ("authorization", authorization)]);
    assert_eq!(verify_at(&headers), Err(KeyPairError::BadSignature));
}

#[test]
fn a_date_must_be_signed() {
    let authorization = sign("AKID1", "secret1", &[("source", "app")]);
    let headers = request(&[("date", DATE), ("source", "app"), ("authorization", &authorization)]);
    assert_eq!(verify_at(&headers), Err(KeyPairError::MissingDate));
}

#[test]
fn every_signed_header_must_be_sent_once() {
    let mut headers = signed_at(DATE);
    headers.remove("source");
    assert_eq!(verify_at(&headers), Err(KeyPairError::MissingSignedHeader("source".to_owned())));
    let mut headers = signed_at(DATE);
    headers.append("source", "app".parse().unwrap());
    assert_eq!(verify_at(&headers), Err(KeyPairError::RepeatedHeader("source".to_owned())));
    let authorization = sign("AKID1", "secret1", &[("date", DATE), ("b@d", "x")]);
    let headers = request(&[("date", DATE), ("authorization", &authorization)]);
    assert_eq!(verify_at(&headers), Err(KeyPairError::MissingSignedHeader("b@d".to_owned())));
}

#[test]
fn refusals_display_as_tencent_messages() {
    let cases = [
        (
            KeyPairError::MissingAuthorization,
            "HMAC signature cannot be verified, a validate authorization header is required",
        ),
        (KeyPairError::UnsupportedAlgorithm("hmac-md5".into()), "HMAC algorithm hmac-md5 not supported"),
        (
            KeyPairError::MissingSignedHeader("source".into()),
            "HMAC signature cannot be verified, a valid source header is required",
        ),
        (
            KeyPairError::StaleXDate,
            "HMAC signature cannot be verified, the x-date header is out of date for HMAC Authentication",
        ),
        (KeyPairError::BadSignature, "HMAC signature does not match"),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
        assert_eq!(error.status(), 401);
    }
}

#[test]
fn malformed_authorization_headers() {
    let cases = [
        (r#"Basic dXNlcjpwYXNz"#, Some("scheme")),
        ("hmac", None),
        (r#"hmac id="a", headers="date", signature="s""#, Some("missing parameter `algorithm`")),
        (r#"hmac id=a, algorithm="hmac-sha1""#, Some("not double-quoted")),
        (r#"hmac id="a"#, Some("no closing quote")),
        (r#"hmac id="a" algorithm="b""#, Some("expected `,`")),
        (r#"hmac id="a", id="b""#, Some("appears twice")),
        (r#"hmac id"#, Some("expected `name=\"value\"`")),
    ];
    for (value, why) in cases {
        let parsed = Authorization::parse(value);
        match (why, &parsed) {
            (Some(why), Err(KeyPairError::Malformed(message))) => {
                assert!(message.contains(why), "{value}: {message}")
            }
            (None, Err(KeyPairError::MissingIdOrSignature)) => {}
            other => panic!("{value}: {other:?}"),
        }
        let headers = request(&[("date", DATE), ("authorization", value)]);
        assert_eq!(verify_at(&headers).as_ref().err(), parsed.as_ref().err(), "{value}");
    }
    let no_list = r#"hmac id="a", algorithm="hmac-sha1", signature="s""#;
    assert_eq!(Authorization::parse(no_list), Err(KeyPairError::InvalidHeaderList));
    let no_signature = r#"hmac id="a", algorithm="hmac-sha1", headers="date""#;
    assert_eq!(Authorization::parse(no_signature), Err(KeyPairError::MissingIdOrSignature));
    let mut headers = request(&[("date", DATE)]);
    headers.insert(AUTHORIZATION, http::HeaderValue::from_bytes(b"hmac id=\"\xff\"").unwrap());
    assert!(matches!(verify_at(&headers), Err(KeyPairError::Malformed(_))));
}

#[test]
fn parse_accepts_any_order_spacing_and_case() {
    let value =
        r#"HMAC signature="c2ln",headers="X-Date  Source" ,  extra="1", algorithm="HMAC-SHA1",id="k","#;
    let parsed = Authorization::parse(value).unwrap();
    assert_eq!(
        parsed,
        Authorization {
            id: "k".to_owned(),
            algorithm: "HMAC-SHA1".to_owned(),
            headers: vec!["x-date".to_owned(), "source".to_owned()],
            signature: "c2ln".to_owned(),
        }
    );
    let authorization = sign("AKID1", "secret1", &[("date", DATE)]).replacen("hmac ", "Hmac  ", 1);
    let authorization = authorization.replace("hmac-sha1", "HMAC-SHA1").replace(", ", ",");
    let headers = request(&[("date", DATE), ("authorization", &authorization)]);
    assert_eq!(verify_at(&headers), Ok("AKID1".to_owned()));
}
