"""Where a printer profile keeps its files: platformdirs, or everything under $PANEL_TUI_HOME.

The Microsoft 365 simulator of the home keeps its own files outside every profile's folders
(no profile name can reach them): $PANEL_TUI_HOME/simulator, or the platformdirs user data
directory of "panel-tui-simulator".
"""
from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "panel-tui"
HOME_ENV = "PANEL_TUI_HOME"
PROFILE_MAX_LENGTH = 40
_PROFILE_RE = re.compile(rf"[A-Za-z0-9._-]{{1,{PROFILE_MAX_LENGTH}}}")
# Where the simulator lived before it left the profiles' namespace (data/simulator): never a profile.
RESERVED_PROFILE_NAMES = frozenset({"simulator"})
_SIMULATOR_ENTRIES = ("pki", "signing-key.pem", "state.json", "maildir", "control-secret")


@dataclass(frozen=True)
class ProfilePaths:
    """The directories of one emulated printer (profile)."""

    profile: str
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def joblog_file(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def secrets_file(self) -> Path:
        """The 0600 secret store beside the token cache: SMTP/POP3 passwords, never in settings.json."""
        return self.config_dir / "secrets.json"

    @property
    def token_cache_file(self) -> Path:
        return self.config_dir / "token_cache.json"

    @property
    def sheets_dir(self) -> Path:
        return self.data_dir / "status-sheets"

    @property
    def ca_dir(self) -> Path:
        return self.data_dir / "ca-certificates"


def validate_profile_name(profile: str) -> str:
    """Return `profile` if it is a safe directory name, else raise ValueError saying why."""
    if not isinstance(profile, str) or not _PROFILE_RE.fullmatch(profile) or set(profile) == {"."}:
        raise ValueError(
            f"invalid profile name {profile!r}: use 1-{PROFILE_MAX_LENGTH} characters from "
            "letters, digits, '-', '_' and '.' (not only dots)"
        )
    if profile.lower() in RESERVED_PROFILE_NAMES:
        raise ValueError(
            f"the profile name {profile!r} is reserved (it names the Microsoft 365 simulator's own data); "
            "choose another name"
        )
    return profile


def _base_dirs() -> tuple[Path, Path, Path]:
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser()
        return root / "config", root / "data", root / "cache"
    import platformdirs  # only without PANEL_TUI_HOME (every command pays for it otherwise)

    return (
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    )


def resolve_paths(profile: str = "default") -> ProfilePaths:
    """Locate (and create) the directories of `profile`.

    With PANEL_TUI_HOME=DIR: DIR/config/<profile>, DIR/data/<profile>, DIR/cache/<profile>;
    otherwise the platformdirs user config/data/cache directories of "panel-tui".
    """
    validate_profile_name(profile)
    config_base, data_base, cache_base = _base_dirs()
    paths = ProfilePaths(profile, config_base / profile, data_base / profile, cache_base / profile)
    for directory in (paths.config_dir, paths.data_dir, paths.cache_dir):
        directory.mkdir(parents=True, exist_ok=True)
    # config holds the token cache and settings (secrets), data the job log (recipients,
    # subjects) and the scans, cache whatever else: all of it is the owner's only
    for directory in (paths.config_dir, paths.data_dir, paths.cache_dir):
        os.chmod(directory, 0o700)
    return paths


def home_data_dir() -> Path:
    """The data folder holding every profile's data folder (not created)."""
    return _base_dirs()[1]


def simulator_dir() -> Path:
    """The home's Microsoft 365 simulator directory, shared by all profiles (created, 0700).

    Outside the profiles' folders: $PANEL_TUI_HOME/simulator, or platformdirs' user data
    directory of "panel-tui-simulator". The files of an older layout (data/simulator) move here.
    """
    home = os.environ.get(HOME_ENV)
    if home:
        directory = Path(home).expanduser().absolute() / "simulator"  # its runtime file names paths
    else:
        import platformdirs

        directory = Path(platformdirs.user_data_dir(APP_NAME + "-simulator", appauthor=False))
    _, data_base, _ = _base_dirs()
    _move_old_simulator(data_base / "simulator", directory)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    return directory


def data_cache_dir() -> Path:
    """Parsed data files (locales, menus), shared by all profiles (not created here).

    '+' cannot appear in a profile name, so no profile's cache folder is this one.
    """
    _, _, cache_base = _base_dirs()
    return cache_base / "+data-files"


def _move_old_simulator(old: Path, new: Path) -> None:
    """Move the simulator's files from data/simulator (before it left the profiles' namespace)."""
    if new.exists() or not (old / "pki").is_dir():
        return
    new.mkdir(parents=True, exist_ok=True)
    for name in _SIMULATOR_ENTRIES:
        if (old / name).exists():
            os.replace(old / name, new / name)
    with contextlib.suppress(OSError):
        old.rmdir()  # only if nothing else is left
