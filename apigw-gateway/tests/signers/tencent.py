"""Tencent's own signers, as the gateway's tests use them (installed by
scripts/signers.sh):

  tencent.py key '<spec>'   headers from PyPI `tencentcloud-apigateway-authorization`'s
                            `Auth(secretId, secretKey, headers).generateHeaders()`;
                            spec {"id", "secret", "headers": {...}, "clock_offset_secs": n}
                            (the clock the package reads for `Date`, moved by n seconds)
  tencent.py oauth          an RSA key and tokens made as Tencent's OAuth demo makes them,
                            with `jwcrypto` and `python_jwt.generate_jwt(..., 'RS256', ...)`:
                            {"jwk": <public JWK>, "tokens": {"good", "expired", "early", "foreign"}}

Each prints one line of JSON.
"""

import datetime
import json
import sys


def key(spec):
    import apigateway.auth as auth

    offset = datetime.timedelta(seconds=spec.get("clock_offset_secs", 0))

    class Clock(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return datetime.datetime.utcnow() + offset

    class Module:
        datetime = Clock

    auth.datetime = Module
    headers = auth.Auth(spec["id"], spec["secret"], dict(spec.get("headers", {}))).generateHeaders()
    return list(headers.items())


def oauth():
    import python_jwt
    from jwcrypto import jwk

    key = jwk.JWK.generate(kty="RSA", size=2048)
    foreign = jwk.JWK.generate(kty="RSA", size=2048)
    claims = {"username": "ada"}
    now = datetime.datetime.utcnow()
    minutes = datetime.timedelta(minutes=1)
    return {
        "jwk": json.loads(key.export_public()),
        "tokens": {
            "good": python_jwt.generate_jwt(claims, key, "RS256", 5 * minutes),
            "expired": python_jwt.generate_jwt(claims, key, "RS256", expires=now - minutes, not_before=now - 10 * minutes),
            "early": python_jwt.generate_jwt(claims, key, "RS256", expires=now + 20 * minutes, not_before=now + 10 * minutes),
            "foreign": python_jwt.generate_jwt(claims, foreign, "RS256", 5 * minutes),
        },
    }


def main():
    if sys.argv[1] == "key":
        print(json.dumps(key(json.loads(sys.argv[2]))))
    elif sys.argv[1] == "oauth":
        print(json.dumps(oauth()))
    else:
        sys.exit(f"tencent.py: unknown command {sys.argv[1]!r}")


if __name__ == "__main__":
    main()
