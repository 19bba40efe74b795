"""settings.json of one profile: the schema-versioned JSON form of DeviceSettings, read and
written atomically (mode 0600), with the passwords kept apart in the 0600 secret store."""
from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from panel_tui.device.atomic import exclusive_lock, write_atomically
from panel_tui.device.paths import ProfilePaths
from panel_tui.device.settings import (
    DEVICE_VALIDATORS,
    EMAIL_SECTIONS,
    FIELDS,
    FIELDS_BY_NAME,
    DeviceSettings,
    EmailServerSettings,
)
from panel_tui.device.validation import FieldError

SCHEMA_VERSION = 1
LOCK_FILE_NAME = "settings.lock"


class SettingsError(Exception):
    """The settings file cannot be used; the message names the file and the problem."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def _email_to_dict(settings: EmailServerSettings) -> dict[str, Any]:
    return {spec.name: getattr(settings, spec.name) for spec in FIELDS}


def settings_to_dict(settings: DeviceSettings) -> dict[str, Any]:
    """The JSON-ready form of `settings` (enums as their values)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        out[f.name] = _email_to_dict(value) if isinstance(value, EmailServerSettings) else value
    converted: dict[str, Any] = json.loads(json.dumps(out))
    return converted


def _email_from_dict(data: Any, where: str) -> EmailServerSettings:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object, found {type(data).__name__}")
    unknown = sorted(set(data) - set(FIELDS_BY_NAME))
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, raw in data.items():
        spec = FIELDS_BY_NAME[name]
        if spec.kind == "port" and not isinstance(raw, int):
            raise ValueError(f"{where}.{name}: expected a number")
        if spec.kind == "bool" and not isinstance(raw, bool):
            raise ValueError(f"{where}.{name}: expected true or false")
        try:
            values[name] = spec.validator(raw)
        except FieldError as error:
            raise ValueError(f"{where}.{name}: {error}") from None
    return EmailServerSettings(**values)


def settings_from_dict(data: Any) -> DeviceSettings:
    """Rebuild DeviceSettings from `settings_to_dict` output (ValueError says which key is bad)."""
    if not isinstance(data, dict):
        raise ValueError(f"settings: expected an object, found {type(data).__name__}")
    known = {f.name for f in dataclasses.fields(DeviceSettings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, raw in data.items():
        if name in EMAIL_SECTIONS:
            values[name] = _email_from_dict(raw, name)
            continue
        if name in ("time_difference_minutes", "admin_timeout_minutes") and not isinstance(raw, int):
            raise ValueError(f"{name}: expected a number")
        if name == "lock_setting" and not isinstance(raw, bool):
            raise ValueError(f"{name}: expected true or false")
        try:
            values[name] = DEVICE_VALIDATORS[name](raw)
        except FieldError as error:
            raise ValueError(f"{name}: {error}") from None
    return DeviceSettings(**values)


class SettingsStore:
    """settings.json of one profile: schema-versioned JSON, written atomically, mode 0600.

    Every process on the profile (the panel, CLI commands, scenarios) changes settings and
    secrets under one lock file in the profile's config directory (`locked`, `update`), so
    two writers never lose each other's change.
    """

    def __init__(self, paths: ProfilePaths) -> None:
        self.paths = paths
        self._guard = threading.RLock()
        self._depth = 0
        self._held: contextlib.ExitStack | None = None

    @property
    def path(self) -> Path:
        return self.paths.settings_file

    @property
    def lock_path(self) -> Path:
        return self.paths.config_dir / LOCK_FILE_NAME

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the profile's settings lock (re-entrant within this store and thread)."""
        with self._guard:
            if self._depth == 0:
                stack = contextlib.ExitStack()
                stack.enter_context(exclusive_lock(self.lock_path))
                self._held = stack
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._held is not None:
                    held, self._held = self._held, None
                    held.close()

    def update(self, change: Callable[[DeviceSettings], DeviceSettings]) -> DeviceSettings:
        """Read the saved settings, apply `change`, save the result, all under the lock."""
        with self.locked():
            updated = change(self.load())
            self.save(updated)
            return updated

    def load(self) -> DeviceSettings:
        """The saved settings; defaults if there is no file. A broken file raises SettingsError."""
        path = self.path
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return DeviceSettings()
        except OSError as error:
            raise SettingsError(path, f"cannot be read: {error.strerror or error}") from None
        try:
            document = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise SettingsError(path, f"not UTF-8 text ({error.reason} at byte {error.start})") from None
        except json.JSONDecodeError as error:
            raise SettingsError(
                path, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
            ) from None
        except RecursionError:
            raise SettingsError(path, "not a panel-tui settings file (nested too deeply)") from None
        if not isinstance(document, dict) or "schema" not in document or "settings" not in document:
            raise SettingsError(path, 'not a panel-tui settings file (expected "schema" and "settings")')
        schema = document["schema"]
        if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
            raise SettingsError(path, f"invalid schema version {schema!r}")
        if schema > SCHEMA_VERSION:
            raise SettingsError(
                path, f"written by a newer panel-tui (schema {schema}); this version reads schema {SCHEMA_VERSION}"
            )
        data = document["settings"]
        from_secrets: set[str] = set()
        if isinstance(data, dict):
            data, from_secrets = self._merge_secrets(data)
        try:
            return settings_from_dict(data)
        except (ValueError, TypeError) as error:
            # A refused password came from the secret store: name that file, not this one.
            field = str(error).partition(":")[0]
            raise SettingsError(self.paths.secrets_file if field in from_secrets else path, str(error)) from None

    def _merge_secrets(self, data: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        """Put the passwords kept in the 0600 secret store back into the settings document;
        also returns the fields ("email_server.password" ...) that came from it."""
        secrets_path = self.paths.secrets_file
        try:
            secrets = json.loads(secrets_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return data, set()
        except (OSError, ValueError) as error:
            raise SettingsError(secrets_path, f"cannot be read: {error}") from None
        except RecursionError:
            raise SettingsError(secrets_path, "not a panel-tui secret store (nested too deeply)") from None
        if not isinstance(secrets, dict):
            raise SettingsError(secrets_path, "expected a JSON object")
        merged, merged_fields = dict(data), set()
        for section in EMAIL_SECTIONS:
            password = secrets.get(f"{section}.password")
            if isinstance(password, str) and isinstance(merged.get(section), dict):
                merged[section] = {**merged[section], "password": password}
                merged_fields.add(f"{section}.password")
        return merged, merged_fields

    def save(self, settings: DeviceSettings) -> None:
        """Validate and write `settings` atomically (temp file, fsync, os.replace, fsync dir)."""
        if not isinstance(settings, DeviceSettings):
            raise TypeError(f"expected DeviceSettings, got {type(settings).__name__}")
        settings.validate()
        data = settings_to_dict(settings)
        # Passwords live in the 0600 secret store, never in settings.json.
        secrets = {}
        for section in EMAIL_SECTIONS:
            if isinstance(data.get(section), dict):
                secrets[f"{section}.password"] = data[section].pop("password", "")
        document = {"schema": SCHEMA_VERSION, "settings": data}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.locked():
            write_atomically(self.paths.secrets_file, json.dumps(secrets) + "\n", mode=0o600)
            write_atomically(self.path, json.dumps(document, indent=2, ensure_ascii=False) + "\n", mode=0o600)

    def restore_defaults(self, keep_language: bool = False) -> DeviceSettings:
        """Save and return default settings, keeping the serial number (and the language if asked).

        An explicit restore may replace an unreadable file.
        """
        with self.locked():
            try:
                current = self.load()
            except SettingsError:
                current = DeviceSettings()
            restored = DeviceSettings(
                serial_number=current.serial_number,
                language=current.language if keep_language else DeviceSettings.language,
            )
            self.save(restored)
            return restored
