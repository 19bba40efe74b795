import os
import stat

from panel_tui.device import settings
from panel_tui.device.paths import resolve_paths
from panel_tui.device.settings import DeviceSettings
from panel_tui.device.settings_store import SettingsStore


def test_passwords_never_reach_settings_json(tmp_path, monkeypatch):
    """The SMTP password lives only in the 0600 secret store and survives a reload."""
    monkeypatch.setenv("PANEL_TUI_HOME", str(tmp_path / "home"))
    paths = resolve_paths("secrets")
    store = SettingsStore(paths)
    settings = DeviceSettings()
    settings = settings.with_field("email_server.password", "Hunter2-secret")
    store.save(settings)
    assert "Hunter2-secret" not in paths.settings_file.read_text()
    assert "Hunter2-secret" in paths.secrets_file.read_text()
    assert stat.S_IMODE(os.stat(paths.secrets_file).st_mode) == 0o600
    assert store.load().email_server.password == "Hunter2-secret"


def test_storage_names_live_only_in_the_store_module():
    """The model module holds the model; storage is imported from settings_store (no re-export shim)."""
    for name in ("SCHEMA_VERSION", "SettingsError", "SettingsStore", "settings_from_dict", "settings_to_dict"):
        assert not hasattr(settings, name), name
