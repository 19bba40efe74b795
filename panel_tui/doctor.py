"""`panel-tui doctor`: check, one step at a time, what a real setup needs before a class.

    panel-tui [--profile P] [--lang L] doctor [--live --client-id ID [--tenant T]] [--sim-url URL]

Steps, each printed as ✓ or ✗ (✗ with the error table's fix), in the order a sign-in and
a send meet them:

1. discovery  the sign-in service answers OpenID discovery for organizations (or common)
2. tenant     the tenant named by --tenant resolves (its id from the discovery issuer)
3. app        the app registration exists and allows public client flows: a device code
              is requested, then cancelled after one poll (nobody needs to sign in)
4. smtp       the SMTP server answers, offers STARTTLS, and after it AUTH XOAUTH2
5. settings   the printer's applied settings use OAuth2 with the service's server
6. token      the printer is signed in, and when its access token expires
7. auth       it authenticates for real, sending nothing: AUTH XOAUTH2 with the cached token
              (OAuth2), or Basic with the account and password (SMTP-AUTH); the SMTP
              transcript is printed with the token or password masked, and a refusal names
              its cause (the same table as a send)

Exit 0 when every step passes, 1 otherwise. No secrets are printed. Steps that depend on
a failed one are skipped (–). Blocking network calls: run it as a command, not in the UI.
"""
from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

import aiosmtplib
import requests

from panel_tui.assembly import backend_options, open_backend
from panel_tui.backend import BackendError
from panel_tui.device.settings import SERVICE_DEFAULTS, AuthMethod, SecureConnection
from panel_tui.device.settings_store import SettingsError
from panel_tui.i18n import Translator
from panel_tui.mail import smtp
from panel_tui.mail.auth import EMAIL_SERVER_ROLE
from panel_tui.mail.errors import MailError, classify_idp_error, describe_idp_error, resolve_cause
from panel_tui.mail.providers import LiveConfigError, UnknownHostError
from panel_tui.mail.smtp_probe import probe_auth

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.backend import Backend
    from panel_tui.device.printer import Printer
    from panel_tui.mail.auth import OAuthSession
    from panel_tui.mail.providers import Provider

STEPS = ("discovery", "tenant", "app", "smtp", "settings", "token", "auth")
PASS, FAIL, SKIP = "\u2713", "\u2717", "\u2013"
TENANT_INDEPENDENT = frozenset({"organizations", "common", "consumers"})
SMTP_TIMEOUT = 15.0
HTTP_TIMEOUT = 15.0


@dataclass(frozen=True)
class Check:
    """One step's result: `ok` None means skipped; `detail` is plain text (no secrets);
    `fix_key` a locale key (a cause's fix or a doctor fix) and who applies it."""

    step: str
    ok: bool | None
    detail: str = ""
    fix_key: str = ""
    fixer_key: str = ""
    message_key: str = ""  # a refusal's cause, in the error table's words
    transcript: tuple[str, ...] = ()  # the SMTP conversation, secrets masked

    @property
    def mark(self) -> str:
        return SKIP if self.ok is None else PASS if self.ok else FAIL


def _failed(step: str, cause_name: str, detail: str) -> Check:
    cause = resolve_cause(cause_name)
    return Check(step, False, detail, cause.fix_key, cause.fixer_key)


class Doctor:
    """Runs the steps for one printer profile and its backend (simulator or live)."""

    def __init__(self, printer: Printer, backend: Backend, t: Callable[..., str] | None = None) -> None:
        self.printer = printer
        self.backend = backend
        self._discovered: dict | None = None
        if t is None:
            t = Translator.load().t  # English
        self.t = t  # the details' words, in the language the report is printed in

    # -- pieces --------------------------------------------------------------------------

    @property
    def settings(self):
        email = self.printer.settings.email_server
        if email.auth_method is AuthMethod.OAUTH2:
            return email
        return email.with_field("auth_method", "oauth2")  # what Web Config would sign in with

    def provider(self) -> Provider:
        return self.backend.provider(self.settings)

    def session(self) -> OAuthSession:
        return self.backend.session_for(self.settings)

    def _http(self):
        provider = self.provider()
        http = requests.Session()
        if provider.ca_path is not None:
            http.trust_env = False  # REQUESTS_CA_BUNDLE must not override the simulator's CA
            http.verify = str(provider.ca_path)
        return http

    def _discover(self, authority: str) -> dict:
        """The OpenID configuration of `authority` (raises requests errors, or ValueError with
        the identity provider's error answer)."""
        with self._http() as http:
            reply = http.get(f"{authority.rstrip('/')}/v2.0/.well-known/openid-configuration", timeout=HTTP_TIMEOUT)
        try:
            body = reply.json()
        except ValueError:
            body = {}
        if reply.status_code != 200 or "token_endpoint" not in body:
            raise ValueError(body if isinstance(body, dict) and body.get("error")
                             else {"error": f"HTTP {reply.status_code}"})
        return body

    # -- the steps -----------------------------------------------------------------------

    def check_discovery(self) -> Check:
        authority = self.provider().authority
        base, _, tenant = authority.rstrip("/").rpartition("/")
        generic = f"{base}/{tenant if tenant.lower() in TENANT_INDEPENDENT else 'organizations'}"
        try:
            self._discover(generic)
        except ValueError as error:
            return _failed("discovery", "idp_unavailable", f"{generic}: {_idp_detail(error.args[0])}")
        except Exception as error:  # noqa: BLE001 - any transport failure: the service is unreachable
            return _failed("discovery", "idp_unavailable", f"{generic}: {type(error).__name__}")
        return Check("discovery", True, generic)

    def check_tenant(self) -> Check:
        authority = self.provider().authority.rstrip("/")
        tenant = authority.rpartition("/")[2]
        if tenant.lower() in TENANT_INDEPENDENT:
            return Check("tenant", True, self.t("doctor.detail.any_tenant", tenant=tenant))
        try:
            document = self._discover(authority)
        except ValueError as error:
            answer = error.args[0]
            cause = classify_idp_error(answer) if answer.get("error_codes") else "unknown_tenant"
            return _failed("tenant", cause, f"{tenant}: {_idp_detail(answer)}")
        except Exception as error:  # noqa: BLE001
            return _failed("tenant", "idp_unavailable", f"{tenant}: {type(error).__name__}")
        issuer = str(document.get("issuer", ""))
        tenant_id = issuer.rstrip("/").removesuffix("/v2.0").rpartition("/")[2]
        return Check("tenant", True, f"{tenant} = {tenant_id}" if tenant_id and tenant_id != tenant else tenant)

    def check_app(self) -> Check:
        session = self.session()
        client_id = session.provider.client_id
        try:
            flow = session.start_device_flow(role=None)
        except MailError as error:
            return Check("app", False, f"{client_id}: {error.detail}", error.fix_key, error.cause.fixer_key)
        session.cancel(flow)  # MSAL polls once, then stops: the token endpoint judges the app too
        result = session.wait_for_device_flow(flow)
        if result.cause_name is not None and result.outcome != "cancelled":
            return _failed("app", result.cause_name, f"{client_id}: {result.detail}")
        return Check("app", True, client_id)

    def check_smtp(self) -> Check:
        host, port = self.settings.smtp_server, self.settings.smtp_port
        try:
            return asyncio.run(self._smtp_capabilities(host, port))
        except MailError as error:
            return Check("smtp", False, f"{host}:{port}: {error.detail}", error.fix_key, error.cause.fixer_key)

    async def _smtp_capabilities(self, host: str, port: int) -> Check:
        provider = self.provider()
        try:
            address = provider.smtp_address(host, port)
        except UnknownHostError:
            return _failed("smtp", "dns_failure", self.t("doctor.detail.name_not_found", server=f"{host}:{port}"))
        context = smtp.tls_context(self.settings.cert_validation,
                                   smtp.ca_files([self.printer.paths.ca_dir], self.backend.jobs.extra_ca_paths),
                                   system_store=not provider.is_simulator)
        client = aiosmtplib.SMTP(hostname=address[0], port=address[1], timeout=SMTP_TIMEOUT, start_tls=False)
        stage = "connect"
        try:
            await client.connect()
            stage = "ehlo"
            banner = await client.ehlo()
            if not client.supports_extension("starttls"):
                return Check("smtp", False, self.t("doctor.detail.no_starttls", server=f"{host}:{port}"),
                             "doctor.fix.smtp_starttls",
                             "fixer.printer_admin")
            stage = "starttls"
            await client.starttls(tls_context=context)
            stage = "ehlo"
            await client.ehlo()
            methods = {m.lower() for m in client.server_auth_methods}
            if "xoauth2" not in methods:
                return Check("smtp", False, f"{host}:{port}: AUTH {' '.join(sorted(methods)) or '-'}",
                             "doctor.fix.smtp_xoauth2", "fixer.printer_admin")
            first_line = banner.message.splitlines()[0] if banner.message else ""
            return Check("smtp", True, f"{host}:{port} STARTTLS, AUTH XOAUTH2 ({first_line})")
        except Exception as error:  # noqa: BLE001 - classified by the same table as a send
            failure = smtp.classify_smtp_failure(error, "starttls", stage)
            return Check("smtp", False, f"{host}:{port}: {failure.detail}", failure.fix_key,
                         failure.cause.fixer_key)
        finally:
            client.close()

    def check_settings(self) -> Check:
        email = self.printer.settings.email_server
        if email.auth_method is not AuthMethod.OAUTH2:
            return _failed("settings", "auth_method_not_oauth2",
                           f"{self.t('field.auth_method')}: {self.t(email.auth_method.label_key)}")
        defaults = SERVICE_DEFAULTS[email.email_service]
        summary = self.t("doctor.detail.settings", service=self.t(email.email_service.label_key),
                         server=f"{email.smtp_server}:{email.smtp_port}",
                         secure=self.t(email.secure_connection.label_key),
                         sender=email.sender or self.t("value.not_set"))
        if email.secure_connection is not SecureConnection.STARTTLS or email.smtp_port != defaults.smtp_port:
            return Check("settings", False, summary, "doctor.fix.settings_server", "fixer.printer_admin")
        return Check("settings", True, summary)

    def check_token(self) -> Check:
        session = self.session()
        info = session.signin_info()
        if info.state == "not_signed_in":
            return _failed("token", "not_signed_in", self.t(info.state_key))
        if info.state == "expired":
            return _failed("token", "signin_expired", f"{info.account}: {self.t(info.state_key)}")
        expires = session.access_token_expires_at()
        now = self.backend.session_clock.now()
        if expires is None or expires <= now:
            return Check("token", True, self.t("doctor.detail.token_renewed", account=info.account))
        local = self.printer.settings.format_datetime(expires)
        minutes = int((expires - now).total_seconds() // 60)
        return Check("token", True, self.t("doctor.detail.token_valid", account=info.account, until=local,
                                           minutes=minutes))

    def check_auth(self) -> Check:
        """Authenticate as a send would, without sending: XOAUTH2 with the cached (or
        refreshed) token of the applied OAuth2 settings, or Basic with SMTP-AUTH's account and
        password. Skipped for another method or without a sign-in (the steps before say why)."""
        email = self.printer.settings.email_server
        token = password = None
        if email.auth_method is AuthMethod.SMTP_AUTH:
            user, password = email.account, email.password
        elif email.auth_method is AuthMethod.OAUTH2:
            session = self.session()
            info = session.signin_info()
            if info.state != "signed_in":
                return Check("auth", None, self.t(info.state_key))
            try:
                token = session.acquire_token_for_send(None, EMAIL_SERVER_ROLE)
            except MailError as error:  # Entra's own words are English: the cause's, translated
                return Check("auth", False, f"{info.account}: {self.t(error.message_key)}", error.fix_key,
                             error.cause.fixer_key)
            user = session.account_for(EMAIL_SERVER_ROLE) or email.account
        else:
            return Check("auth", None, f"{self.t('field.auth_method')}: {self.t(email.auth_method.label_key)}")
        provider = self.provider()
        try:
            host, port = provider.smtp_address(email.smtp_server or None, email.smtp_port or None)
        except UnknownHostError:
            return _failed("auth", "dns_failure", self.t("doctor.detail.name_not_found", server=email.smtp_server))
        try:
            context = smtp.tls_context(email.cert_validation,
                                       smtp.ca_files([self.printer.paths.ca_dir], self.backend.jobs.extra_ca_paths),
                                       system_store=not provider.is_simulator)
        except MailError as error:
            return Check("auth", False, error.detail, error.fix_key, error.cause.fixer_key, error.message_key)
        mask = self.t("value.password_mask")
        probe = asyncio.run(probe_auth(host, port, context, user, token=token, password=password, mask=mask,
                                       timeout=SMTP_TIMEOUT))
        transcript = tuple(probe.transcript)
        if probe.error is None:
            return Check("auth", True, self.t("doctor.detail.auth_accepted", account=user, mechanism=probe.mechanism),
                         transcript=transcript)
        refused = probe.error
        # The server's own words stay in the transcript; the detail says the cause in the report's language.
        return Check("auth", False, f"{user}: AUTH {probe.mechanism}: {self.t(refused.message_key)}",
                     refused.fix_key, refused.cause.fixer_key, refused.message_key, transcript)

    def run(self, report: Callable[[Check], None] | None = None) -> list[Check]:
        """Every step in order (a step whose prerequisite failed is skipped)."""
        depends = {"tenant": "discovery", "app": "tenant", "auth": "smtp"}
        checks: dict[str, Check] = {}
        for step in STEPS:
            needed = depends.get(step)
            if needed is not None and checks[needed].ok is not True:
                check = Check(step, None)
            else:
                check = getattr(self, f"check_{step}")()
            checks[step] = check
            if report is not None:
                report(check)
        return list(checks.values())


def _idp_detail(answer) -> str:
    return describe_idp_error(answer) if isinstance(answer, dict) else str(answer)


def command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`panel-tui doctor`: print each step with ✓/✗ and its fix; exit 0 if all pass, else 1."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        printer, backend = open_backend(args.profile, backend_options(args))
    except SettingsError as error:  # the one thing the doctor cannot skip: say which file, and the fix
        return _unusable_settings(args, error, out)
    translator = Translator.load()
    translator.set_language(args.lang or printer.settings.language)
    t = translator.t

    def say(text: str, stream: TextIO = out) -> None:
        print(text, file=stream, flush=True)

    try:
        mode = "live" if backend.options.live else "sim"
        say(t("doctor.title", mode=t(f"doctor.mode.{mode}")))
        try:
            backend.endpoints()
            doctor = Doctor(printer, backend, t)
            doctor.provider()
        except LiveConfigError as error:
            say(str(error), err)
            return 1
        except (BackendError, OSError) as error:
            say(t("cli.backend_unavailable", detail=str(error)), err)
            return 1

        def report(check: Check) -> None:
            line = f"{check.mark} {t(f'doctor.step.{check.step}')}"
            if check.ok is None:
                line += f": {t('doctor.skipped')}"
            elif check.detail:
                line += f": {check.detail}"
            say(line)
            if check.ok is False and check.message_key:
                say("    " + t(check.message_key))
            if check.ok is False and check.fix_key:
                say("    " + t("cli.error.fix", fixer=t(check.fixer_key), fix=t(check.fix_key)))
            for transcript_line in check.transcript:
                say("      " + transcript_line)

        checks = doctor.run(report)
        passed = all(c.ok for c in checks)
        say(t("doctor.all_passed") if passed else t("doctor.some_failed",
                                                    failed=sum(1 for c in checks if c.ok is False)))
        return 0 if passed else 1
    finally:
        backend.stop()


def _unusable_settings(args: argparse.Namespace, error, out: TextIO) -> int:
    """The profile's settings or secrets file cannot be read: a failed settings check naming
    the file, its problem and how to get going again (exit 1)."""
    t = Translator.load(language=args.lang or "en").t
    path = str(error.path)
    check = Check("settings", False, f"{path}: {error.problem}", "doctor.fix.settings_file", "fixer.printer_admin")
    aside = f"mv {shlex.quote(path)} {shlex.quote(path + '.broken')}"
    for line in (t("doctor.title", mode=t(f"doctor.mode.{'live' if getattr(args, 'live', False) else 'sim'}")),
                 f"{check.mark} {t('doctor.step.settings')}: {check.detail}",
                 "    " + t("cli.error.fix", fixer=t(check.fixer_key), fix=t(check.fix_key, command=aside)),
                 t("doctor.some_failed", failed=1)):
        print(line, file=out, flush=True)
    return 1
