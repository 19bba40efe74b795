"""The Email Server form of Web Config, for the printer's email server and for the fax server.

Network > Email Server > Basic and Fax > Fax Server > Email Server Settings are the same
form on different settings (`section`) with their own OAuth 2.0 sign-in (`role`). Edits are
a pending copy until OK sends them to the printer, as on the real page. Current Status
reads the sign-in of the PENDING email service, so "signed in but never clicked OK" shows
Signed in here while the printer (applied settings) still cannot send: the guide's trap.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from rich.cells import cell_len
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, RadioButton, RadioSet, Select, Static
from textual.worker import Worker, WorkerState

from panel_tui.device.settings import FIELDS, AuthMethod, DeviceSettings, EmailServerSettings, FieldSpec
from panel_tui.device.status_sheet import NOT_SIGNED_IN, SignInInfo
from panel_tui.device.trainer_state import take_webconfig_edits
from panel_tui.device.validation import FieldError
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.dialogs import ConfirmScreen
from panel_tui.ui.marked_widgets import MarkedSelect
from panel_tui.ui.webconfig.form_rows import FormRow, LinkButton, PageSection, StateRadioButton
from panel_tui.ui.webconfig.signin_screen import SignInWithMicrosoftScreen

# Fields the page hides, by authentication method. With OAuth2 the guide's page still lists
# Authenticated Password (masked; the sign-in replaces it), so nothing is hidden then.
HIDDEN_WITHOUT_OAUTH2 = frozenset({"email_service", "current_status"})
HIDDEN_WITH_OAUTH2: frozenset[str] = frozenset()


class EmailServerForm(PageSection):
    """Every field of the Basic page, Current Status with Sign In / Sign Out, and OK."""

    def __init__(self, section: str, role: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.section = section
        self.role = role
        self._base = self.applied  # the applied settings the pending edits started from
        self.pending: EmailServerSettings = self._open_page_edits(self._base)
        self.invalid: dict[str, FieldError] = {}  # fields whose typed value breaks its rule
        self.signin: SignInInfo = NOT_SIGNED_IN

    # -- state -----------------------------------------------------------------------
    @property
    def applied(self) -> EmailServerSettings:
        """The settings the printer uses now (what OK last sent)."""
        return getattr(panel_app(self).printer.settings, self.section)

    def _open_page_edits(self, applied: EmailServerSettings) -> EmailServerSettings:
        """`applied` with the edits a scenario left on this page, OK not clicked (none usually)."""
        pending = applied
        for name, value in take_webconfig_edits(panel_app(self).printer.paths, self.section).items():
            try:
                pending = pending.with_field(name, value)
            except (KeyError, FieldError):
                continue  # checked when the scenario was loaded; a hand-edited file loses the field
        return pending

    @property
    def has_pending_changes(self) -> bool:
        return self.pending != self.applied or bool(self.invalid)

    def _wid(self, name: str) -> str:
        return f"{self.section}-{name}"

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        yield Static(t("webconfig.cert_note"), classes="wc-note", markup=False)
        with Horizontal(classes="wc-links"):
            yield LinkButton(t("webconfig.page.ca_certificate"), id=self._wid("link-ca"),
                             action="screen.show_page('ca_certificate')")
            yield LinkButton(t("webconfig.page.root_certificate_update"), id=self._wid("link-root"),
                             action="screen.show_page('root_certificate_update')")
        yield Static(t("webconfig.pending"), id=self._wid("pending"), classes="wc-pending", markup=False)
        for spec in FIELDS:
            yield FormRow(t(spec.label_key), *self._controls(spec), name=spec.name, id=self._wid(f"row-{spec.name}"))
            if spec.name == "email_service":
                yield self._status_row()
            if spec.name == "cert_validation":
                yield Static(t("webconfig.cert_validation_warning"), id=self._wid("cert-warning"),
                             classes="wc-warning", markup=False)
        with Horizontal(classes="wc-actions"):
            yield Button(t("key.ok"), id=self._wid("ok"), variant="primary")
        yield Static("", id=self._wid("result"), classes="wc-result", markup=False)

    def _controls(self, spec: FieldSpec):
        value = getattr(self.pending, spec.name)
        wid = self._wid(spec.name)
        if spec.kind == "choice" and spec.choices is not None:
            options = [(panel_app(self).t(member.label_key), member.value) for member in spec.choices]
            yield MarkedSelect(options, value=value.value, allow_blank=False, compact=True, id=wid, name=spec.name)
        elif spec.kind == "bool":
            t = panel_app(self).t
            yield RadioSet(StateRadioButton(t("value.enable"), value=bool(value), id=f"{wid}-enable"),
                           StateRadioButton(t("value.disable"), value=not value, id=f"{wid}-disable"),
                           id=wid, name=spec.name, compact=True)
        elif spec.kind == "secret":
            # The saved password is never put on screen, not even masked: typing replaces it.
            yield Input(password=True, id=wid, name=spec.name, compact=True, max_length=64,
                        placeholder=panel_app(self).t("value.password_mask") if value else "")
        else:
            yield Input(str(value), id=wid, name=spec.name, compact=True, max_length=255)
        if spec.name == "account":
            yield Static("", id=self._wid("account-signed-in"), markup=False)

    def _status_row(self) -> FormRow:
        t = panel_app(self).t
        line = Horizontal(
            Static("", id=self._wid("status"), classes="wc-status", markup=False),
            Horizontal(
                Button(t("webconfig.signin_button"), id=self._wid("signin"), compact=True, variant="primary"),
                Button(t("webconfig.signout_button"), id=self._wid("signout"), compact=True),
                classes="wc-status-buttons",
            ),
            id=self._wid("status-line"), classes="wc-status-line",
        )
        return FormRow(t("field.current_status"), line, name="current_status", id=self._wid("row-current_status"))

    def on_mount(self) -> None:
        # Settings saved elsewhere (the panel, a CLI command, another panel) show up here.
        panel_app(self).settings_changed_signal.subscribe(self, self._applied_changed)
        self._show_layout()
        self.refresh_signin()

    async def _relabel(self, _language: str) -> None:
        """The words in place (no redraw): what is typed in the controls stays as it is."""
        t = panel_app(self).t
        self.query_one(".wc-note", Static).update(t("webconfig.cert_note"))
        self.query_one(f"#{self._wid('link-ca')}", Button).label = t("webconfig.page.ca_certificate")
        self.query_one(f"#{self._wid('link-root')}", Button).label = t("webconfig.page.root_certificate_update")
        self.query_one(f"#{self._wid('pending')}", Static).update(t("webconfig.pending"))
        for spec in FIELDS:
            self._row(spec.name).set_label(t(spec.label_key))
            wid = self._wid(spec.name)
            if spec.kind == "choice" and spec.choices is not None:
                select: Select[str] = self.query_one(f"#{wid}", Select)
                value = select.value
                with self.prevent(Select.Changed):
                    select.set_options([(t(member.label_key), member.value) for member in spec.choices])
                    select.value = value
            elif spec.kind == "bool":
                self.query_one(f"#{wid}-enable", RadioButton).label = t("value.enable")
                self.query_one(f"#{wid}-disable", RadioButton).label = t("value.disable")
        self.query_one(f"#{self._wid('signin')}", Button).label = t("webconfig.signin_button")
        self.query_one(f"#{self._wid('signout')}", Button).label = t("webconfig.signout_button")
        self.query_one(f"#{self._wid('cert-warning')}", Static).update(t("webconfig.cert_validation_warning"))
        self.query_one(f"#{self._wid('ok')}", Button).label = t("key.ok")
        self.query_one(f"#{self._wid('result')}", Static).update("")
        for name in self.invalid:
            self._show_error(name)
        self._show_signin()

    def _applied_changed(self, settings: DeviceSettings) -> None:
        """The printer's settings changed: fields not edited here follow them, edited ones stay pending."""
        applied: EmailServerSettings = getattr(settings, self.section)
        if applied == self._base:
            return
        before = self.pending
        edited = {spec.name: getattr(before, spec.name) for spec in FIELDS
                  if getattr(before, spec.name) != getattr(self._base, spec.name)}
        self._base = applied
        self.pending = dataclasses.replace(applied, **edited)
        self._show_pending_values()
        self._show_layout()
        if (self.pending.auth_method, self.pending.email_service) != (before.auth_method, before.email_service):
            self.refresh_signin()

    # -- showing state ---------------------------------------------------------------
    def _show_layout(self) -> None:
        """Which rows the authentication method shows, the warning, the pending marker."""
        oauth2 = self.pending.auth_method is AuthMethod.OAUTH2
        hidden = HIDDEN_WITH_OAUTH2 if oauth2 else HIDDEN_WITHOUT_OAUTH2
        for row in self.query(FormRow):
            row.display = row.name not in hidden
        self.query_one(f"#{self._wid('account')}", Input).display = not oauth2
        self.query_one(f"#{self._wid('password')}", Input).disabled = oauth2  # the sign-in is the credential
        self.query_one(f"#{self._wid('account-signed-in')}", Static).display = oauth2
        self.query_one(f"#{self._wid('cert-warning')}").display = not self.pending.cert_validation
        self.query_one(f"#{self._wid('pending')}").set_class(self.has_pending_changes, "-shown")

    def _show_pending_values(self) -> None:
        """Put the pending values into the controls (after the service filled in its defaults)."""
        with self.prevent(Input.Changed, Select.Changed, RadioSet.Changed):
            for spec in FIELDS:
                control = self.query_one(f"#{self._wid(spec.name)}")
                value = getattr(self.pending, spec.name)
                if isinstance(control, Select):
                    control.value = value.value
                elif isinstance(control, Input) and spec.kind != "secret" and spec.name not in self.invalid:
                    control.value = str(value)

    def _show_signin(self) -> None:
        t = panel_app(self).t
        info = self.signin
        # The guide: before any sign-in there is no Current Status, only the Sign In button.
        shown = info.state != "not_signed_in"
        self._row("current_status").set_label(t("field.current_status") if shown else "")
        status = self.query_one(f"#{self._wid('status')}", Static)
        status.update(t(info.state_key))
        status.display = shown
        self.query_one(f"#{self._wid('signin')}").display = info.state != "signed_in"
        self.query_one(f"#{self._wid('signout')}").display = info.state != "not_signed_in"
        self.query_one(f"#{self._wid('account-signed-in')}", Static).update(info.account or t("value.not_set"))
        self.call_after_refresh(self._fit_status_line)

    def on_resize(self, _event: events.Resize) -> None:
        self.call_after_refresh(self._fit_status_line)

    def _fit_status_line(self) -> None:
        """Current Status and its buttons on one line when they fit, else the buttons under the
        status: a button is never cut ("Autentificare" beside "Autentificarea a expirat")."""
        line = self.query_one(f"#{self._wid('status-line')}", Horizontal)
        status = self.query_one(f"#{self._wid('status')}", Static)
        needed = cell_len(str(status.render())) + 2 if status.display else 0
        for button in self.query(".wc-status-buttons > Button").results(Button):
            if button.display:
                needed += cell_len(str(button.label)) + 2 + 1  # compact: a blank each side; margin
        line.set_class(line.size.width > 0 and needed > line.size.width, "-stacked")

    def _row(self, name: str) -> FormRow:
        return self.query_one(f"#{self._wid(f'row-{name}')}", FormRow)

    def _show_error(self, name: str) -> None:
        error = self.invalid.get(name)
        self._row(name).show_error(panel_app(self).t(error.key, **error.params) if error else None)

    # -- edits (pending) -------------------------------------------------------------
    def edit(self, name: str, raw: object) -> None:
        """Change one pending field; a value that breaks its rule is remembered for OK to refuse."""
        try:
            self.pending = self.pending.with_field(name, raw)
        except FieldError as error:
            self.invalid[name] = error
        else:
            self.invalid.pop(name, None)
            self._show_error(name)
        if name in ("auth_method", "email_service"):
            self._show_pending_values()
            self.refresh_signin()
        self._show_layout()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        self.edit(str(event.select.name), event.value)

    @on(RadioSet.Changed)
    def _radio_changed(self, event: RadioSet.Changed) -> None:
        self.edit(str(event.radio_set.name), event.index == 0)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        name = str(event.input.name)
        if name == "password" and not event.value:
            self.invalid.pop(name, None)  # an empty password box keeps the saved password
            self.pending = dataclasses.replace(self.pending, password=self.applied.password)
            self._show_layout()
            return
        self.edit(name, event.value)

    @on(Input.Blurred)
    @on(Input.Submitted)
    def _input_left(self, event: Input.Blurred | Input.Submitted) -> None:
        self._show_error(str(event.input.name))

    # -- buttons ---------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        event.stop()
        if button_id == self._wid("ok"):
            self.apply()
        elif button_id == self._wid("signin"):
            self.sign_in()
        elif button_id == self._wid("signout"):
            self.sign_out()

    def apply(self) -> bool:
        """OK: send the pending settings to the printer, or refuse with each field's rule."""
        t = panel_app(self).t
        result = self.query_one(f"#{self._wid('result')}", Static)
        for name in self.invalid:
            self._show_error(name)
        if self.invalid:
            result.update(t("webconfig.not_applied"))
            return False
        try:
            self.pending.validate()
            section: dict[str, Any] = {self.section: self.pending}
            panel_app(self).printer.update(lambda s: dataclasses.replace(s, **section))
        except FieldError as error:
            self.invalid[str(error.field)] = error
            self._show_error(str(error.field))
            result.update(t("webconfig.not_applied"))
            return False
        self._base = self.pending
        self._show_layout()
        result.update(t("webconfig.applied"))
        self.app.notify(t("webconfig.applied"))
        return True

    def sign_in(self) -> None:
        pending = self.pending
        backend = panel_app(self).cloud
        def closed(result) -> None:
            self.refresh_signin()
            if result is not None and getattr(result, "ok", False):
                # The guide's next step is OK (Sign In, which had the focus, is gone now).
                self.screen.set_focus(self.query_one(f"#{self._wid('ok')}", Button), scroll_visible=True)

        self.app.push_screen(SignInWithMicrosoftScreen(lambda: backend.session_for(pending), self.role), closed)

    def sign_out(self) -> None:
        t = panel_app(self).t
        account = self.signin.account or ""

        def answered(yes: bool | None) -> None:
            if yes:
                panel_app(self).cloud.session_for(self.pending).sign_out(role=self.role)
                self.app.notify(t("webconfig.signed_out", account=account))
                self.refresh_signin()

        self.app.push_screen(ConfirmScreen(t("webconfig.signout_button"),
                                           t("webconfig.signout_confirm", account=account)), answered)

    # -- the sign-in state of the pending service ------------------------------------
    def refresh_signin(self) -> None:
        """Read Current Status for the pending email service (in a thread if the cloud is not up yet)."""
        if self.pending.auth_method is not AuthMethod.OAUTH2:
            return
        backend = panel_app(self).backend
        if backend is None or not (backend.ready or panel_app(self).start_backend):
            self.signin = NOT_SIGNED_IN  # no cloud in this run (panel-only tests)
        elif backend.ready:
            self.signin = self._read_signin(self.pending)
        else:
            status = self.query_one(f"#{self._wid('status')}", Static)
            status.update(panel_app(self).t("webconfig.status_checking"))
            status.display = True
            self._read_signin_in_thread(self.pending)
            return
        self._show_signin()

    def _read_signin(self, settings: EmailServerSettings) -> SignInInfo:
        try:
            return panel_app(self).cloud.session_for(settings).signin_info(self.role)
        except Exception:  # noqa: BLE001 - a status line never fails the page; Sign In says why
            return NOT_SIGNED_IN

    @work(thread=True, exclusive=True, exit_on_error=False, group="signin-status")
    def _read_signin_in_thread(self, settings: EmailServerSettings) -> SignInInfo:
        panel_app(self).cloud.endpoints()  # waits for the embedded simulator to be up
        return self._read_signin(settings)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "signin-status":
            return
        if event.state is WorkerState.SUCCESS and isinstance(event.worker.result, SignInInfo):
            self.signin = event.worker.result
        elif event.state is WorkerState.ERROR:
            self.signin = NOT_SIGNED_IN
        else:
            return
        self._show_signin()
