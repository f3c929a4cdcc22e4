"""A learning platform's LTI 1.3 launch logs a student in to the course's hub.

The test plays the platform: it makes an RSA key, serves its public half as a JSON Web
Key Set on a loopback port, and starts the hub with jupyterhub-ltiauthenticator
(`start_hub.py --lti13`). Then, as a browser would between the platform and the hub:
the platform's login initiation, the hub's redirect to the platform's authorisation
URL (with state and nonce), the platform's signed id_token posted back. The student
is then logged in to the hub under the name the launch gives. A launch signed with
another key, or for a user the course does not list, is refused.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from browser.labdriver import free_port

from hub.hubdriver import Hub

pytestmark = pytest.mark.hub

ISSUER = "https://platform.example.org"
CLIENT_ID = "course-hub-test"
DEPLOYMENT = "1"


class Platform:
    """The platform's side: its signing key and a JWKS endpoint on 127.0.0.1."""

    def __init__(self):
        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.kid = uuid.uuid4().hex
        jwks = json.dumps(
            {"keys": [public | {"kid": self.kid, "alg": "RS256", "use": "sig"}]}
        )

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                body = jwks.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def settings(self) -> dict:
        base = f"http://127.0.0.1:{self.port}"
        return {
            "issuer": ISSUER,
            "client_id": CLIENT_ID,
            "authorize_url": f"{base}/authorize",
            "jwks_endpoint": f"{base}/jwks",
            "username_key": "sub",
        }

    def id_token(self, user: str, nonce: str, target: str, key=None) -> str:
        import jwt

        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "sub": user,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti/claim/message_type": (
                "LtiResourceLinkRequest"
            ),
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": DEPLOYMENT,
            "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": target,
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": {
                "id": "lesson-02"
            },
            "https://purl.imsglobal.org/spec/lti/claim/roles": [
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
            ],
            "https://purl.imsglobal.org/spec/lti/claim/context": {
                "id": "attention-transformers",
                "label": "ATT",
            },
        }
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": self.kid}
        )

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def launch(hub: Hub, platform: Platform, user: str, key=None):
    """The three requests of an LTI 1.3 launch; returns (session, last response)."""
    import requests

    session = requests.Session()
    target = f"{hub.url}/hub/"
    start = session.post(
        f"{hub.url}/hub/lti13/oauth_login",
        data={
            "iss": ISSUER,
            "login_hint": user,
            "target_link_uri": target,
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert start.status_code == 302, start.text[:500]
    redirect = urlparse(start.headers["Location"])
    assert redirect.path == "/authorize", start.headers["Location"]
    query = {name: values[0] for name, values in parse_qs(redirect.query).items()}
    assert query["client_id"] == CLIENT_ID and query["response_mode"] == "form_post"
    token = platform.id_token(user, query["nonce"], target, key=key)
    answer = session.post(
        query["redirect_uri"],
        data={"id_token": token, "state": query["state"]},
        allow_redirects=False,
        timeout=30,
    )
    return session, answer


def test_an_lti13_launch_logs_the_student_in(machine, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import rsa

    root, users, python = machine
    instructor = users.add("inst")
    student = users.add("lti")
    stranger = users.add("nolist")
    platform = Platform()
    settings = tmp_path / "lti.json"
    settings.write_text(json.dumps(platform.settings()))

    hub = Hub(
        [
            f"--root={root / 'hub'}",
            f"--instructor={instructor}",
            f"--students={student}",
            f"--python={python}",
            f"--lti13={settings}",
        ],
        tmp_path / "hub.log",
        free_port(),
    )
    try:
        hub.start()
        session, answer = launch(hub, platform, student)
        assert answer.status_code == 302, (answer.status_code, answer.text[:1000])
        home = session.get(f"{hub.url}/hub/home", allow_redirects=False, timeout=30)
        assert home.status_code == 200 and student in home.text, home.status_code

        forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _, refused = launch(hub, platform, student, key=forged)
        assert refused.status_code in (400, 401, 403), refused.status_code

        _, unlisted = launch(hub, platform, stranger)
        assert unlisted.status_code in (400, 403), unlisted.status_code
    except Exception:
        print(hub.log_tail())
        raise
    finally:
        hub.stop()
        platform.close()
