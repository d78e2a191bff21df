"""A test signing key for Bot Framework tokens: OpenID metadata and its JWKS served on loopback
from another thread (botbuilder fetches them with blocking `requests` inside async code), and
JWTs signed with the key, well-formed or wrong in one chosen way."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"
KEY_ID = "coachbot-test-key"


class SigningKey:
    """An RSA key published under `KEY_ID`; `token(...)` signs claims with it."""

    def __init__(self) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": KEY_ID, "use": "sig", "endorsements": ["msteams"]}]}

    def token(
        self,
        *,
        audience: str,
        service_url: str,
        issuer: str = ISSUER,
        expires_in: int = 3600,
        kid: str = KEY_ID,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + expires_in,
            **claims,
        }
        return jwt.encode(payload, self.private_key, algorithm="RS256", headers={"kid": kid})


def unsigned_token(*, audience: str, service_url: str) -> str:
    """A token with `alg: none` (no signature), otherwise well-formed."""
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": audience,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
    }
    return jwt.encode(payload, None, algorithm="none", headers={"kid": KEY_ID})


@contextmanager
def openid_metadata(key: SigningKey) -> Iterator[str]:
    """Serve the key's OpenID metadata and JWKS on loopback in a thread; yields the metadata
    URL. botbuilder's key cache is class-wide, so it is cleared before and after."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            documents = {
                "/.well-known/openidconfiguration": {
                    "issuer": ISSUER,
                    "jwks_uri": f"{base}/keys",
                    "id_token_signing_alg_values_supported": ["RS256"],
                },
                "/keys": key.jwks,
            }
            document = documents.get(self.path)
            body = json.dumps(document).encode()
            self.send_response(200 if document is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    JwtTokenExtractor.metadataCache.clear()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/openidconfiguration"
    finally:
        JwtTokenExtractor.metadataCache.clear()
        server.shutdown()
        server.server_close()
        thread.join()
