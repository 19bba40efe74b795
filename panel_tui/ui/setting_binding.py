"""How menu nodes of kind choice/text/value read, show and change device settings.

The menu file names a setting (`language`, `email_server.smtp_port` ...); this module is
the one place that knows what each name means. Validation stays in `device/`.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from panel_tui.device.settings import FIELDS, EmailServerSettings
from panel_tui.device.validation import validate_time_difference
from panel_tui.i18n import LANGUAGES
from panel_tui.ui.formatting import format_clock, format_offset

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.ui.app_base import PanelAppBase

ADMIN_TIMEOUTS = (1, 3, 5, 10, 30)
DATE_FORMATS = ("yyyy-mm-dd", "dd.mm.yyyy", "mm/dd/yyyy")


@dataclass(frozen=True)
class SettingBinding:
    """A named setting as the panel sees it."""

    name: str
    kind: str  # "choice", "text" or "value"
    current: Callable[[PanelAppBase], str]
    display: Callable[[PanelAppBase], str]
    apply: Callable[[PanelAppBase, str], None] | None = None
    options: Callable[[PanelAppBase], list[tuple[str, str]]] | None = None
    rule_key: str | None = None
    secret: bool = False

    def choices(self, app: PanelAppBase) -> list[tuple[str, str]]:
        """(value, label) of a choice setting."""
        if self.options is None:
            raise TypeError(f"{self.name} is not a choice")
        return self.options(app)

    def change(self, app: PanelAppBase, raw: str) -> None:
        """Validate and save `raw` (FieldError if it breaks the rule)."""
        if self.apply is None:
            raise TypeError(f"{self.name} is read-only")
        self.apply(app, raw)


def _update(app: PanelAppBase, **changes) -> None:
    app.printer.update(dataclasses.replace(app.printer.settings, **changes))


def _language_apply(app: PanelAppBase, raw: str) -> None:
    # Saved like any setting: the App hears the change and every screen relabels itself.
    _update(app, language=raw)


def _time_difference_apply(app: PanelAppBase, raw: str) -> None:
    _update(app, time_difference_minutes=validate_time_difference(raw.strip()))


def _bool_options(on_key: str, off_key: str):
    return lambda app: [("on", app.t(on_key)), ("off", app.t(off_key))]


def _email_binding(field) -> SettingBinding:
    name = field.name

    def current(app: PanelAppBase) -> str:
        value = getattr(app.printer.settings.email_server, name)
        if isinstance(value, bool):
            return "on" if value else "off"
        return str(getattr(value, "value", value))

    def display(app: PanelAppBase) -> str:
        value = getattr(app.printer.settings.email_server, name)
        if field.kind == "secret":
            return app.t("value.password_mask") if value else ""
        if field.kind == "bool":
            return app.t("value.enable" if value else "value.disable")
        if field.choices is not None:
            return app.t(value.label_key)
        return str(value)

    def apply(app: PanelAppBase, raw: str) -> None:
        es: EmailServerSettings = app.printer.settings.email_server
        if field.kind == "bool":
            raw_value: object = raw == "on"
        else:
            raw_value = raw
        new = es.with_field(name, raw_value)
        if name in ("auth_method", "email_service") and new.auth_method.value == "oauth2":
            new = new.apply_service_defaults()
        _update(app, email_server=new)

    options = None
    if field.kind == "bool":
        options = _bool_options("value.enable", "value.disable")
    elif field.choices is not None:
        choices = field.choices
        options = lambda app: [(member.value, app.t(member.label_key)) for member in choices]  # noqa: E731

    kind = "choice" if options is not None else "text"
    rule = f"hint.{name}" if kind == "text" else None
    return SettingBinding(
        name=f"email_server.{name}", kind=kind, current=current, display=display,
        apply=apply, options=options, rule_key=rule, secret=field.kind == "secret",
    )


def build_bindings() -> dict[str, SettingBinding]:
    bindings = [
        SettingBinding(
            "language", "choice",
            current=lambda app: app.printer.settings.language,
            display=lambda app: app.t(f"value.language.{app.printer.settings.language}"),
            apply=_language_apply,
            options=lambda app: [(code, app.t(f"value.language.{code}")) for code in LANGUAGES],
        ),
        SettingBinding(
            "date_time", "value",
            current=lambda app: app.clock.now().isoformat(),
            display=lambda app: format_clock(app.clock.now(), app.printer.settings),
        ),
        SettingBinding(
            "date_format", "choice",
            current=lambda app: app.printer.settings.date_format,
            display=lambda app: app.t(f"value.date_format.{app.printer.settings.date_format}"),
            apply=lambda app, raw: _update(app, date_format=raw),
            options=lambda app: [(f, app.t(f"value.date_format.{f}")) for f in DATE_FORMATS],
        ),
        SettingBinding(
            "time_difference", "text",
            current=lambda app: str(app.printer.settings.time_difference_minutes),
            display=lambda app: format_offset(app.printer.settings.time_difference_minutes),
            apply=_time_difference_apply,
            rule_key="screen.time_difference_hint",
        ),
        SettingBinding(
            "lock_setting", "choice",
            current=lambda app: "on" if app.printer.settings.lock_setting else "off",
            display=lambda app: app.t("value.on" if app.printer.settings.lock_setting else "value.off"),
            apply=lambda app, raw: _update(app, lock_setting=raw == "on"),
            options=_bool_options("value.on", "value.off"),
        ),
        SettingBinding(
            "admin_timeout", "choice",
            current=lambda app: str(app.printer.settings.admin_timeout_minutes),
            display=lambda app: app.t("value.minutes", n=app.printer.settings.admin_timeout_minutes),
            apply=lambda app, raw: _update(app, admin_timeout_minutes=int(raw)),
            options=lambda app: [(str(n), app.t("value.minutes", n=n)) for n in ADMIN_TIMEOUTS],
        ),
    ]
    bindings.extend(_email_binding(field) for field in FIELDS)
    return {binding.name: binding for binding in bindings}


SETTING_BINDINGS = build_bindings()
