"""The one module that relies on MSAL's internals (panel_tui/mail/msal_http_cache.py: the layout
of its ``http_cache`` mapping, ``_index_`` and ``NormalizedResponse``) works with the installed
MSAL, which must be inside the range pyproject.toml pins; the token cache is read through MSAL's
public ``TokenCache.search``."""
from __future__ import annotations

import time
import tomllib
from importlib.metadata import version
from pathlib import Path

from msal.individual_cache import _ExpiringMapping
from msal.throttled_http_client import NormalizedResponse

from panel_tui.mail.msal_http_cache import PersistentHttpCache

ROOT = Path(__file__).resolve().parents[2]


def _pinned_range() -> tuple[tuple[int, ...], tuple[int, ...]]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    spec = next(d for d in deps if d.startswith("msal"))  # "msal>=1.31,<2"
    low, high = (part.lstrip("<>=") for part in spec[len("msal"):].split(","))
    return tuple(map(int, low.split("."))), tuple(map(int, high.split(".")))


def test_the_installed_msal_is_inside_the_pinned_range():
    low, high = _pinned_range()
    installed = tuple(int(p) for p in version("msal").split(".")[:2])
    assert low <= installed < high, (version("msal"), low, high)


def test_a_saved_discovery_answer_is_served_by_msals_own_expiring_mapping(tmp_path):
    """What MSAL stores through its ExpiringMapping is saved, and read back into the layout that
    same class reads: a fresh process gets the answer without asking the network."""
    path = tmp_path / "http-cache.json"
    first = PersistentHttpCache(path)
    mapping = _ExpiringMapping(mapping=first, capacity=10, expires_in=3600)
    class Raw:
        status_code, text, headers = 200, '{"token_endpoint": "https://idp.test/token"}', {"Content-Type": "json"}

    key = "GET ('https://idp.test/v2.0/.well-known/openid-configuration',)"
    mapping.set(key, NormalizedResponse(Raw()), expires_in=3600)
    first.save()
    assert path.exists()

    again = _ExpiringMapping(mapping=PersistentHttpCache(path), capacity=10, expires_in=3600)
    answer = again[key]
    assert answer.status_code == 200 and "token_endpoint" in answer.text
    assert answer.headers["content-type"] == "json"
    _, timestamps = again._mapping["_index_"]
    assert timestamps[key][0] > time.time()  # still fresh: MSAL will not ask again
