"""Exchange Online's SMTP, as the simulator's tests speak it."""
from __future__ import annotations

# The suffix Exchange puts after a reply's text: the front-end server, the time, the session id.
SUFFIX = r"\[BN8PR04CA0053\.NAMPRD04\.PROD\.OUTLOOK\.COM \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 08DC[0-9A-F]{12}\]"


def xoauth2(upn: str, token: str) -> str:
    """The SASL XOAUTH2 initial response for `upn` and its access token (before base64)."""
    return f"user={upn}\x01auth=Bearer {token}\x01\x01"
