"""Real sign-in servers for the single sign-on tests: Debian's slapd with a directory made
for the test, and a small OpenID Connect provider (discovery, authorize with automatic
consent, token, JWKS, userinfo) signing its ID tokens with its own RSA key."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

SUFFIX = "dc=credfile,dc=test"
READER_DN = f"cn=reader,{SUFFIX}"
READER_PASSWORD = "reader-secret"
SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}")


def require_tools(*paths: str) -> None:
    """Skip where the tools are missing, except in CI (CI=true), where that is a failure."""
    missing = [p for p in paths if not (os.path.exists(p) or shutil.which(p))]
    if not missing:
        return
    message = (
        f"missing {missing}: apt-get install slapd ldap-utils (as .ci/run does) to run the "
        "directory tests"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Directory:
    """A running slapd on 127.0.0.1 with an mdb database under a temporary directory."""

    uri: str
    root_dn: str
    root_password: str

    def modify(self, ldif: str) -> None:
        _ldap_tool("ldapmodify", self, ldif)

    def add(self, ldif: str) -> None:
        _ldap_tool("ldapadd", self, ldif)


def _ldap_tool(tool: str, directory: Directory, ldif: str) -> None:
    subprocess.run(
        [tool, "-x", "-H", directory.uri, "-D", directory.root_dn, "-w", directory.root_password],
        input=ldif.encode(),
        check=True,
        capture_output=True,
        timeout=30,
    )


def person(uid: str, password: str, given: str, surname: str) -> str:
    return f"""dn: uid={uid},ou=people,{SUFFIX}
objectClass: inetOrgPerson
uid: {uid}
cn: {given} {surname}
givenName: {given}
sn: {surname}
displayName: {surname}{given}
mail: {uid}@credfile.test
userPassword: {password}
"""


def group(cn: str, *uids: str) -> str:
    members = "\n".join(f"member: uid={uid},ou=people,{SUFFIX}" for uid in uids)
    return f"""dn: cn={cn},ou=groups,{SUFFIX}
objectClass: groupOfNames
cn: {cn}
{members}
"""


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    require_tools(SLAPD, "ldapadd", "ldapmodify")
    home: Path = tmp_path_factory.mktemp("slapd")
    (home / "db").mkdir()
    port = free_port()
    root_password = secrets.token_urlsafe(12)
    conf = home / "slapd.conf"
    conf.write_text(
        f"""include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {home}/slapd.pid
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "cn=admin,{SUFFIX}"
rootpw {root_password}
directory {home}/db
"""
    )
    uri = f"ldap://127.0.0.1:{port}"
    # -d 0: stays in the foreground (so the test owns the process) and logs nothing.
    process = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", f"{uri}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port)
        directory = Directory(uri=uri, root_dn=f"cn=admin,{SUFFIX}", root_password=root_password)
        directory.add(
            f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: credfile
o: credfile test

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: {READER_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: {READER_PASSWORD}

"""
            + "\n".join(
                [
                    person("ma.li", "Directory-pass-1", "Li", "Ma"),
                    person("he.jun", "Directory-pass-2", "Jun", "He"),
                    person("guo.yu", "Directory-pass-3", "Yu", "Guo"),
                    person("li.na", "Directory-pass-4", "Na", "Li"),
                    person("qian.bo", "Directory-pass-5", "Bo", "Qian"),
                    group("credit-managers", "ma.li"),
                    group("sales-managers", "he.jun", "li.na"),
                    group("executives", "qian.bo"),
                    group("canteen", "guo.yu", "ma.li"),
                ]
            )
        )
        yield directory
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- OpenID Connect ---------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Provider:
    """A provider for one client; `claims` is the person who signs in next, `tamper` spoils
    the next ID token on purpose ("signature", "audience", "nonce", "issuer")."""

    issuer: str
    client_id: str
    client_secret: str
    claims: dict[str, Any] = field(default_factory=dict)
    tamper: str = ""
    key: Any = None
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    # The provider's own sign-ins (by subject), which its logout endpoint ends; the logout
    # requests it took; False leaves end_session_endpoint out of the discovery document.
    sessions: set[str] = field(default_factory=set)
    logouts: list[dict[str, str]] = field(default_factory=list)
    end_session: bool = True

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        body = {
            **grant["claims"],
            "iss": self.issuer,
            "aud": "another-client" if self.tamper == "audience" else self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": "not-the-nonce" if self.tamper == "nonce" else grant["nonce"],
        }
        if self.tamper == "issuer":
            body["iss"] = "http://127.0.0.1:1/elsewhere"
        key = self.key
        if self.tamper == "signature":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": "k1"})

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()

        def encode(n: int) -> str:
            return _b64(n.to_bytes((n.bit_length() + 7) // 8, "big"))

        return {
            "keys": [
                {
                    "kty": "RSA",
                    "kid": "k1",
                    "use": "sig",
                    "alg": "RS256",
                    "n": encode(numbers.n),
                    "e": encode(numbers.e),
                }
            ]
        }


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def server_key(self) -> Any:
            return provider.key.public_key()

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            provider.requests.append(url.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(
                    200,
                    {
                        "issuer": provider.issuer,
                        "authorization_endpoint": f"{provider.issuer}/authorize",
                        "token_endpoint": f"{provider.issuer}/token",
                        "userinfo_endpoint": f"{provider.issuer}/userinfo",
                        "jwks_uri": f"{provider.issuer}/jwks",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "code_challenge_methods_supported": ["S256"],
                        **(
                            {"end_session_endpoint": f"{provider.issuer}/logout"}
                            if provider.end_session
                            else {}
                        ),
                    },
                )
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/authorize":
                # Consent is automatic: the person in provider.claims has signed in here.
                if (
                    query.get("client_id") != provider.client_id
                    or "openid" not in query.get("scope", "").split()
                ):
                    self._json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(16)
                provider.sessions.add(str(provider.claims.get("sub")))
                provider.codes[code] = {
                    "claims": dict(provider.claims),
                    "nonce": query.get("nonce"),
                    "redirect_uri": query["redirect_uri"],
                    "challenge": query.get("code_challenge"),
                }
                target = f"{query['redirect_uri']}?" + urlencode(
                    {"code": code, "state": query["state"]}
                )
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            elif url.path == "/logout":
                # RP-Initiated Logout 1.0: the hint must be an ID token this provider issued
                # to this client; its subject's session here ends.
                provider.logouts.append(query)
                try:
                    hint = jwt.decode(
                        query.get("id_token_hint", ""),
                        self.server_key(),
                        algorithms=["RS256"],
                        audience=provider.client_id,
                        issuer=provider.issuer,
                    )
                except jwt.PyJWTError:
                    self._json(400, {"error": "invalid_request"})
                    return
                if query.get("client_id") != provider.client_id:
                    self._json(400, {"error": "invalid_client"})
                    return
                provider.sessions.discard(str(hint["sub"]))
                self.send_response(302)
                self.send_header("Location", query["post_logout_redirect_uri"])
                self.end_headers()
            elif url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                grant = provider.tokens.get(token)
                if grant is None:
                    self._json(401, {"error": "invalid_token"})
                    return
                self._json(200, grant["claims"])
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            provider.requests.append(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path != "/token":
                self._json(404, {"error": "not_found"})
                return
            grant = provider.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = _b64(hashlib.sha256(verifier.encode()).digest())
            if (
                grant is None
                or form.get("client_id") != provider.client_id
                or form.get("client_secret") != provider.client_secret
                or form.get("redirect_uri") != grant["redirect_uri"]
                or grant["challenge"] != challenge
            ):
                self._json(400, {"error": "invalid_grant"})
                return
            access = secrets.token_urlsafe(16)
            provider.tokens[access] = grant
            self._json(
                200,
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(grant),
                },
            )

    return Handler


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    port = free_port()
    provider = Provider(
        issuer=f"http://127.0.0.1:{port}",
        client_id="credfile",
        client_secret=secrets.token_urlsafe(16),
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(provider))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
