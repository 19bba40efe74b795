"""Signed tokens: the persisted RS256 key, access and id tokens, and their verification.

Access tokens look like the ones Entra issues for Exchange Online (v1.0 shape:
``aud`` ``https://outlook.office.com``, ``iss`` ``https://sts.windows.net/{tid}/``,
``scp`` ``SMTP.Send``, ``upn``, ``unique_name``, ``tid``, ``oid``, ``appid``), plus
``preferred_username``. Their issuer does not contain the simulator's port, so tokens
stay valid when a later run listens elsewhere. Id tokens use the discovery document's
issuer (``{base_url}/{tid}/v2.0``), as MSAL expects.
"""
from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from panel_tui.sim.atomic_file import SimFileError, write_bytes_atomic
from panel_tui.sim.tenant import OUTLOOK_RESOURCE, SMTP_SEND, User

ACCESS_TOKEN_LIFETIME = 3600  # Entra picks 60-90 min; the lower bound makes "+1 h" expire it
ID_TOKEN_LIFETIME = 3600


def access_token_issuer(tenant_id: str) -> str:
    return f"https://sts.windows.net/{tenant_id}/"


class SigningKey:
    """The RSA key that signs every token, created once and kept in the data directory."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self.private_key = private_key
        self.public_key = private_key.public_key()
        der = self.public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:20]).rstrip(b"=").decode()

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        """The key in `path`, made there if there is none. A file that is there but unusable
        stops the start (SimFileError) and is kept: a new key would void every sign-in."""
        fix = (f"The simulator did not start and changed nothing. Restore {path} from a backup, or delete "
               "it: the simulator makes a new key, and every sign-in it issued must be made again.")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = None
        except OSError as error:
            raise SimFileError(path, f"cannot read the token signing key ({error.strerror or error})", fix) from None
        if data is not None:
            try:
                key = serialization.load_pem_private_key(data, password=None)
            except (ValueError, TypeError, UnsupportedAlgorithm) as error:
                raise SimFileError(path, f"the token signing key is not a PEM private key ({error})", fix) from None
            if not isinstance(key, rsa.RSAPrivateKey):
                raise SimFileError(path, "the token signing key is not an RSA key", fix)
            return cls(key)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        write_bytes_atomic(path, pem, mode=0o600)
        return cls(key)

    def jwks(self) -> dict[str, object]:
        """The public key as a JSON Web Key Set (served at the discovery's ``jwks_uri``)."""
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.public_key))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def sign(self, claims: dict[str, object]) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    id_token: str
    expires_in: int
    scope: str


class TokenIssuer:
    """Mints the tokens of a successful device code or refresh token grant."""

    def __init__(self, key: SigningKey, tenant_id: str) -> None:
        self.key = key
        self.tenant_id = tenant_id

    def issue(self, *, user: User, client_id: str, app_name: str, scopes: list[str],
              now: float, auth_time: float, id_token_issuer: str, nonce: str = "") -> IssuedTokens:
        iat = int(now)
        resource_scopes = [s.rsplit("/", 1)[-1] for s in scopes if s.startswith(OUTLOOK_RESOURCE)]
        access_claims = {
            "aud": OUTLOOK_RESOURCE,
            "iss": access_token_issuer(self.tenant_id),
            "iat": iat,
            "nbf": iat,
            "exp": iat + ACCESS_TOKEN_LIFETIME,
            "auth_time": int(auth_time),
            "acr": "1",
            "amr": ["pwd"],
            "appid": client_id,
            "app_displayname": app_name,
            "appidacr": "0",
            "idtyp": "user",
            "name": user.display_name,
            "oid": user.object_id,
            "scp": " ".join(resource_scopes),
            "sub": _pairwise_subject(user.object_id, client_id),
            "tid": self.tenant_id,
            "unique_name": user.upn,
            "upn": user.upn,
            "preferred_username": user.upn,
            "uti": uuid.uuid4().hex[:22],
            "ver": "1.0",
        }
        id_claims = {
            "aud": client_id,
            "iss": id_token_issuer,
            "iat": iat,
            "nbf": iat,
            "exp": iat + ID_TOKEN_LIFETIME,
            "name": user.display_name,
            "oid": user.object_id,
            "preferred_username": user.upn,
            "sub": _pairwise_subject(user.object_id, client_id),
            "tid": self.tenant_id,
            "ver": "2.0",
        }
        if nonce:  # an authorization code request's nonce (OpenID Connect)
            id_claims["nonce"] = nonce
        return IssuedTokens(
            access_token=self.key.sign(access_claims),
            id_token=self.key.sign(id_claims),
            expires_in=ACCESS_TOKEN_LIFETIME,
            scope=" ".join(s for s in scopes if s.startswith(OUTLOOK_RESOURCE)),
        )

    def client_info(self, user: User) -> str:
        """MSAL's ``client_info``: base64url JSON with the home account's uid and utid."""
        raw = json.dumps({"uid": user.object_id, "utid": self.tenant_id}).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# A token's claims as PyJWT decodes them (its values are whatever the token carries).
Claims = dict[str, Any]


class TokenRejected(Exception):
    """The access token is not acceptable; the text says why (never shown to clients)."""


def verify_access_token(token: str, *, key: SigningKey, tenant_id: str, now: float) -> Claims:
    """Check signature, issuer, audience, lifetime (simulated clock), tenant and scope.

    Returns the claims; raises :class:`TokenRejected`. The caller checks the user.
    """
    claims = _verified_claims(token, key=key, tenant_id=tenant_id)
    _check_lifetime(claims, now)
    return claims


class AccessTokenVerifier:
    """:func:`verify_access_token` that remembers the claims of a token whose signature
    and shape it has checked (keyed by the token's SHA-256), as a resource server caches
    a validated token: a printer presents the same token for an hour of sends. The
    lifetime is checked against the clock on every use; refused tokens are not kept."""

    MAX_ENTRIES = 4096

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self._claims: dict[tuple[bytes, str], Claims] = {}

    def verify(self, token: str, *, tenant_id: str, now: float) -> Claims:
        cache_key = (hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest(), tenant_id)
        claims = self._claims.get(cache_key)
        if claims is None:
            claims = _verified_claims(token, key=self.key, tenant_id=tenant_id)
            if len(self._claims) >= self.MAX_ENTRIES:
                self._forget(now)
            self._claims[cache_key] = claims
        _check_lifetime(claims, now)
        return claims

    def _forget(self, now: float) -> None:
        live = {k: c for k, c in self._claims.items() if now < c["exp"]}
        if len(live) >= self.MAX_ENTRIES:  # all alive: drop the oldest half
            live = dict(list(live.items())[self.MAX_ENTRIES // 2:])
        self._claims = live


def _verified_claims(token: str, *, key: SigningKey, tenant_id: str) -> Claims:
    """Signature, issuer, audience, tenant, scope and user; not the lifetime."""
    try:
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=["RS256"],
            audience=OUTLOOK_RESOURCE,
            issuer=access_token_issuer(tenant_id),
            options={"require": ["exp", "iat", "aud", "iss"], "verify_exp": False,
                     "verify_nbf": False, "verify_iat": False},
        )
    except jwt.PyJWTError as error:
        raise TokenRejected(str(error)) from error
    if not all(isinstance(claims.get(name), (int, float)) and not isinstance(claims.get(name), bool)
               for name in ("exp", "iat")):
        raise TokenRejected("token times are not numbers")
    if claims.get("tid") != tenant_id:
        raise TokenRejected("token for another tenant")
    if SMTP_SEND not in str(claims.get("scp", "")).split():
        raise TokenRejected("token lacks the SMTP.Send scope")
    if not claims.get("upn"):
        raise TokenRejected("token has no user")
    return claims


def _check_lifetime(claims: Claims, now: float) -> None:
    if now >= claims["exp"]:
        raise TokenRejected("token expired")
    nbf = claims.get("nbf", claims["iat"])
    if not isinstance(nbf, (int, float)) or now < nbf - 300:
        raise TokenRejected("token not yet valid")


def _pairwise_subject(object_id: str, client_id: str) -> str:
    digest = hashlib.sha256(f"{object_id}:{client_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()[:43]
