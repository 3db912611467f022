"""A local fake of Google's identity provider: a JWKS endpoint and a token endpoint."""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "parley-test.apps.googleusercontent.com"
ISSUER = "https://accounts.google.com"


class FakeGoogle:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def id_token(self, *, key=None, **overrides) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "1234567890",
            "email": "hana@example.com",
            "email_verified": True,
            "name": "Hana Sato",
            "iat": now,
            "exp": now + 600,
            **overrides,
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def issue_code(self, **claims) -> str:
        code = uuid.uuid4().hex
        self.codes[code] = claims
        return code

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):  # noqa: N802
                jwk = json.loads(RSAAlgorithm.to_jwk(idp.key.public_key()))
                jwk.update({"kid": idp.kid, "use": "sig", "alg": "RS256"})
                self._json(200, {"keys": [jwk]})

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                idp.token_requests.append(form)
                claims = idp.codes.pop(form.get("code"), None)
                if claims is None:
                    self._json(400, {"error": "invalid_grant"})
                    return
                self._json(200, {"access_token": "at", "id_token": idp.id_token(**claims), "token_type": "Bearer"})

        return Handler
