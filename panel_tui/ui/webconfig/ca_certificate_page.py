"""Network Security > CA Certificate: import a PEM by path, list the imported ones, delete."""
from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from panel_tui.device.ca_store import (
    CertificateImportError,
    delete_ca_certificate,
    import_ca_certificate,
    list_ca_certificates,
)
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.webconfig.form_rows import FormRow, PageSection


class CaCertificatePage(PageSection):
    """The printer trusts these besides the system store when Certificate Validation is on."""

    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        yield Static(t("webconfig.ca.intro"), classes="wc-note", markup=False)
        yield FormRow(t("webconfig.ca.path"), Input(id="ca-path", compact=True, placeholder="/path/to/ca.pem"),
                      name="ca_path")
        yield Button(t("webconfig.ca.import"), id="ca-import", variant="primary")
        yield Static("", id="ca-message", markup=False)
        yield Vertical(id="ca-list")

    async def on_mount(self) -> None:
        await self.show_certificates()

    async def show_state(self) -> None:
        await self.show_certificates()

    @property
    def ca_dir(self):
        return panel_app(self).printer.paths.ca_dir

    async def show_certificates(self) -> None:
        """Rebuild the list of imported certificates (subject CN, expiry, Delete)."""
        t = panel_app(self).t
        box = self.query_one("#ca-list", Vertical)
        await box.remove_children()
        certificates = list_ca_certificates(self.ca_dir)
        self._listed = certificates
        if not certificates:
            await box.mount(Static(t("webconfig.ca.none"), id="ca-none", markup=False))
            return
        rows = [Horizontal(Label(t("webconfig.ca.col_subject"), classes="ca-subject", markup=False),
                           Label(t("webconfig.ca.col_expires"), classes="ca-expires", markup=False), classes="ca-head")]
        settings = panel_app(self).printer.settings
        for index, cert in enumerate(certificates):
            rows.append(Horizontal(
                Label(cert.subject_cn, classes="ca-subject", markup=False),
                Label(settings.date_format.format_date(cert.not_after), classes="ca-expires", markup=False),
                Button(t("webconfig.ca.delete"), id=f"ca-delete-{index}", compact=True, variant="error"),
                classes="ca-row",
            ))
        await box.mount_all(rows)

    def _message(self, ok: bool, text: str) -> None:
        message = self.query_one("#ca-message", Static)
        message.update(text)
        message.set_class(ok, "-ok")
        message.set_class(not ok, "-failed")

    async def import_from_input(self) -> None:
        t = panel_app(self).t
        raw = self.query_one("#ca-path", Input).value.strip()
        if not raw:
            self._message(False, t("rule.required"))
            return
        try:
            cert = import_ca_certificate(Path(raw), self.ca_dir)
        except CertificateImportError as error:
            self._message(False, t(error.key, **error.params))
            return
        self.query_one("#ca-path", Input).value = ""
        self._message(True, t("webconfig.ca.imported", subject=cert.subject_cn))
        await self.show_certificates()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.import_from_input()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        event.stop()
        if button_id == "ca-import":
            await self.import_from_input()
        elif button_id.startswith("ca-delete-"):
            cert = self._listed[int(button_id.removeprefix("ca-delete-"))]
            delete_ca_certificate(cert)
            self._message(True, panel_app(self).t("webconfig.ca.deleted", subject=cert.subject_cn))
            await self.show_certificates()
