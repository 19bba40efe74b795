"""The admin center's page bodies: overview, org settings, users, apps, trainer tools, mail.

Pure rendering from the simulator's state; the handlers in :mod:`panel_tui.sim.admin`
wrap them in the admin frame. Every value passes through :func:`markup.html`.
"""
from __future__ import annotations

import datetime as dt

from panel_tui.sim import apps as registrations
from panel_tui.sim import devicecodes
from panel_tui.sim.context import SimContext
from panel_tui.sim.faults import FAULT_DESCRIPTIONS, FAULT_NAMES
from panel_tui.sim.maildir import MessageSummary
from panel_tui.sim.markup import Markup, html, join
from panel_tui.sim.state import (
    BASIC_ALLOWED,
    BASIC_DEFAULT_OFF_AT,
    BASIC_DISABLED,
    BASIC_NOT_AVAILABLE,
    BASIC_OFF_BY_DEFAULT,
    BASIC_RE_ENABLED,
    BASIC_REMOVED,
    SENDER_BLOCKS,
    SMTP_AUTH_DISABLED_MAILBOX,
    SMTP_AUTH_DISABLED_TENANT,
    SMTP_AUTH_SECURITY_DEFAULTS,
)
from panel_tui.sim.tenant import KNOWN_ROLES, User

NAV_ITEMS = (
    ("overview", "/admin", "Home"),
    ("settings", "/admin/settings", "Org settings"),
    ("users", "/admin/users", "Users and mailboxes"),
    ("apps", "/admin/apps", "Enterprise apps"),
    ("mail", "/admin/mail", "Mailboxes (received mail)"),
    ("reports", "/admin/reports", "Reports"),
    ("trainer", "/admin/trainer", "Trainer: clock and faults"),
)

REFUSAL_TEXT = {
    None: "allowed",
    SMTP_AUTH_SECURITY_DEFAULTS: "refused: security defaults are on",
    SMTP_AUTH_DISABLED_TENANT: "refused: disabled for the organisation",
    SMTP_AUTH_DISABLED_MAILBOX: "refused: disabled for this mailbox",
}


BASIC_STATE_TEXT = {
    BASIC_ALLOWED: "Allowed (nothing changes through December 2026)",
    BASIC_RE_ENABLED: "Allowed: an administrator turned it back on",
    BASIC_OFF_BY_DEFAULT: "Off by default since the end of December 2026 (an administrator may turn it back on)",
    BASIC_DISABLED: "Off: an administrator turned it off",
    BASIC_NOT_AVAILABLE: "Not available: the tenant was created after December 2026",
    BASIC_REMOVED: "Removed for good (550 5.7.30 Basic authentication is not supported for Client Submission.)",
}
# Microsoft's timeline as Message Center MC786329 states it (update of 27 January 2026).
BASIC_TIMELINE = (
    ("Through December 2026", "No change: Basic authentication for SMTP AUTH keeps working."),
    ("End of December 2026", "Off by default for existing tenants; an administrator can turn it back on."),
    ("Tenants created after December 2026", "Basic authentication for SMTP AUTH is not available."),
    ("Second half of 2027 (date to be announced)",
     "Final removal: 550 5.7.30 Basic authentication is not supported for Client Submission."),
)


def nav(current: str, whole_class: bool = True) -> Markup:
    """The admin center's links; without the trainer's page (clock, faults) in a seat's tenant."""
    return join(
        html('<a href="{href}" class="{cls}">{label}</a>', href=href, label=label,
             cls="current" if key == current else "")
        for key, href, label in NAV_ITEMS if whole_class or key != "trainer"
    )


def when(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _state(on: bool, on_text: str = "On", off_text: str = "Off") -> Markup:
    return html('<span class="state {cls}">{text}</span>', cls="on" if on else "off",
                text=on_text if on else off_text)


def _check(ok: bool) -> Markup:
    return html('<span class="state {cls}">{mark}</span>', cls="on" if ok else "off",
                mark="\u2713" if ok else "\u2717")


def _post_button(action: str, label: str, fields: dict[str, str], css: str = "") -> Markup:
    hidden = join(html('<input type="hidden" name="{name}" value="{value}">', name=k, value=v)
                  for k, v in fields.items())
    return html('<form method="post" action="{action}" class="inline">{hidden}'
                '<button type="submit" class="{css}">{label}</button></form>',
                action=action, hidden=hidden, label=label, css=css)


def login_form(error: str = "") -> Markup:
    return html(
        """<section class="panel login">
<h2>Sign in as an administrator</h2>
<p class="help">Use a Global Administrator account of the tenant (see the simulator's README for the seeded ones).</p>
{error}
<form method="post" action="/admin/login">
<label for="upn">Account</label><input type="text" id="upn" name="upn" autocomplete="username" required autofocus>
<label for="password">Password</label><input type="password" id="password" name="password"
 autocomplete="current-password" required>
<p><button type="submit" class="primary">Sign in</button></p>
</form>
</section>""",
        error=html('<p class="flash error" role="alert">{e}</p>', e=error) if error else Markup(""),
    )


def overview(ctx: SimContext) -> Markup:
    state = ctx.state
    policies = state.tenant.policies
    printer = state.user(f"printer@{state.tenant.domain}")
    admin_consent = any(state.org_consent(app.client_id) for app in state.tenant.apps.values())
    printer_ok = printer is not None and state.smtp_auth_refusal(printer) is None
    block = policies.conditional_access_block_device_code
    # Each line is a goal (what to do) with the tenant's state now: a fact would read as done.
    steps = [
        ("Turn security defaults off (Microsoft Entra admin center)",
         f"now: {'on' if policies.security_defaults else 'off'}", not policies.security_defaults),
        ("Turn SMTP AUTH on for the organisation (Exchange admin center)",
         f"now: {'on' if policies.smtp_auth_org else 'off'}", policies.smtp_auth_org),
        ("Allow SMTP AUTH for the printer's mailbox (Microsoft 365 admin center)",
         f"now: {'allowed' if printer_ok else 'not allowed'}", printer_ok),
        ("Grant admin consent to the printer's app (sign in, tick Consent on behalf of your organization)",
         f"now: {'granted' if admin_consent else 'not granted'}", admin_consent),
        ("Make sure no conditional access policy blocks device code sign-in",
         f"now: {'a policy blocks it' if block else 'none blocks it'}", not block),
    ]
    checklist = join(html('<li>{mark} {label} <span class="muted">\u2014 {now}</span></li>',
                          mark=_check(ok), label=label, now=now) for label, now, ok in steps)
    return html(
        """<div class="grid">
<section class="panel"><h2>What the guide needs</h2><ul class="checklist">{checklist}</ul></section>
<section class="panel"><h2>Tenant</h2>
<table><tr><th>Name</th><td>{name}</td></tr><tr><th>Domain</th><td>{domain}</td></tr>
<tr><th>Tenant ID</th><td class="mono">{tid}</td></tr><tr><th>Simulated time</th><td>{now}</td></tr>
<tr><th>Sign-in page</th><td class="mono">{base}/devicelogin</td></tr>
<tr><th>SMTP server</th><td class="mono">{smtp_host}:{smtp_port} (STARTTLS, XOAUTH2)</td></tr></table>
</section>
</div>""",
        checklist=checklist, name=state.tenant.name, domain=state.tenant.domain, tid=state.tenant.tenant_id,
        now=when(state.now()), base=ctx.base_url, smtp_host=ctx.smtp_host, smtp_port=ctx.smtp_port,
    )


def settings(ctx: SimContext) -> Markup:
    policies = ctx.state.tenant.policies

    def panel(title: str, help_text: str, key: str, on: bool, on_label: str, off_label: str) -> Markup:
        return html(
            """<section class="panel"><h2>{title}</h2><p class="help">{help}</p>
<p>{state} {button}</p></section>""",
            title=title, help=help_text, state=_state(on),
            button=_post_button("/admin/settings", off_label if on else on_label,
                                {"setting": key, "value": "off" if on else "on"},
                                "danger" if on and key == "conditional_access_block" else "primary"),
        )

    return join([
        panel("Security defaults",
              "Microsoft Entra admin center > Identity > Overview > Properties > Manage security "
              "defaults. While they are on, Exchange refuses Basic authentication (a password) for "
              "SMTP AUTH (535 5.7.139 ... security defaults policy) but not OAuth 2.0, and "
              "administrators answer a second factor (Microsoft Authenticator) at every sign-in. "
              "The guide turns them off.",
              "security_defaults", policies.security_defaults, "Turn on", "Turn off"),
        mail_flow(ctx),
        basic_auth(ctx),
        panel("Conditional access: block device code flow",
              "A policy that blocks the device code sign-in the printer uses: the sign-in page "
              "shows AADSTS53003 and the device is refused; existing device-code sessions can "
              "no longer refresh.",
              "conditional_access_block", policies.conditional_access_block_device_code,
              "Turn on", "Turn off"),
    ])


def _checkbox(name: str, label: str, checked: bool, disabled: bool = False) -> Markup:
    return html('<label class="check"><input type="checkbox" id="{name}" name="{name}" value="on"{checked}{disabled}> '
                '{label}</label>', name=name, label=label,
                checked=Markup(" checked") if checked else Markup(""),
                disabled=Markup(" disabled") if disabled else Markup(""))


def mail_flow(ctx: SimContext) -> Markup:
    """Exchange admin center > Settings > Mail flow, as Microsoft words it."""
    on = ctx.state.tenant.policies.smtp_auth_org
    return html(
        """<section class="panel" id="mail-flow"><h2>Exchange admin center &gt; Settings &gt; Mail flow</h2>
<p class="help">Security: SMTP AUTH for the organisation. A mailbox's own setting, when set, overrides this one
(535 5.7.139 ... SmtpClientAuthentication is disabled for the Tenant).</p>
<form method="post" action="/admin/settings/mail-flow">{box}
<p><button type="submit" class="primary">Save</button></p></form>
<p class="mono">Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled<br
>SmtpClientAuthenticationDisabled : {ps}</p>
</section>""",
        box=_checkbox("turn_off_smtp_auth", "Turn off SMTP AUTH protocol for your organization", not on),
        ps="False" if on else "True",
    )


def basic_auth(ctx: SimContext) -> Markup:
    """Basic authentication for SMTP AUTH on Microsoft's timeline (MC786329), with the dates."""
    state = ctx.state
    policies = state.tenant.policies
    current = state.basic_smtp_auth_state()
    now = state.now()
    past_cutoff = now >= BASIC_DEFAULT_OFF_AT
    marks = (not past_cutoff, past_cutoff and current != BASIC_NOT_AVAILABLE,
             current == BASIC_NOT_AVAILABLE, current == BASIC_REMOVED)
    rows = join(html('<tr class="{cls}"><th>{when}</th><td>{what}</td></tr>', when=when_, what=what,
                     cls="now" if mark else "")
                for (when_, what), mark in zip(BASIC_TIMELINE, marks, strict=True))
    fixed = current in (BASIC_NOT_AVAILABLE, BASIC_REMOVED)
    choice = {None: "follows Microsoft's timeline", True: "turned on by an administrator",
              False: "turned off by an administrator"}[policies.basic_smtp_auth]
    return html(
        """<section class="panel" id="basic-auth"><h2>Basic authentication for SMTP AUTH</h2>
<p class="help">Microsoft retires Basic authentication (account and password) for SMTP AUTH: Message Center
MC786329, as updated on 27 January 2026. Printers that send with a password must move to OAuth 2.0.
The SMTP AUTH clients report (Reports) shows who still uses Basic.</p>
<table class="timeline"><tbody>{rows}</tbody></table>
<table><tr><th>Now (simulated)</th><td>{now}</td></tr><tr><th>Tenant created</th><td>{created}</td></tr>
<tr><th>Basic authentication for SMTP AUTH</th><td><strong id="basic-state">{state}</strong> ({choice})</td></tr>
</table>
<form method="post" action="/admin/settings/basic-auth">{box}
<p><button type="submit" class="primary">Save</button></p></form>
{follow}</section>""",
        rows=rows, now=when(now), created=when(state.tenant.created_at), state=BASIC_STATE_TEXT[current],
        choice=choice,
        box=_checkbox("allow_basic", "Allow Basic authentication for SMTP AUTH",
                      state.basic_smtp_auth_allowed(), disabled=fixed),
        follow=Markup("") if policies.basic_smtp_auth is None else _post_button(
            "/admin/settings/basic-auth", "Follow Microsoft's timeline", {"follow": "yes"}),
    )


def reports(ctx: SimContext, days: int) -> Markup:
    """Exchange admin center > Reports > Mail flow > SMTP AUTH clients submission report."""
    rows = join(
        html('<tr><td class="mono">{upn}</td><td><span class="badge {cls}">{protocol}</span></td>'
             "<td>{messages}</td><td>{last}</td></tr>", upn=row["upn"], protocol=row["protocol"],
             cls="warn" if row["protocol"] == "Basic" else "ok", messages=row["messages"], last=row["last_day"])
        for row in ctx.state.submission_report(days)
    ) or html('<tr><td colspan="4">No SMTP AUTH submissions in the last {days} days.</td></tr>', days=days)
    tabs = join(html('<a href="/admin/reports?days={d}" class="{cls}">Last {d} days</a> ', d=d,
                     cls="current" if d == days else "") for d in (7, 30))
    return html(
        """<section class="panel"><h2>Reports &gt; Mail flow &gt; SMTP AUTH clients submission report</h2>
<p class="help">Messages submitted over SMTP AUTH, per sender and authentication protocol (Basic or OAuth),
on the simulated clock. Senders still under Basic stop at Microsoft's cutoff (end of December 2026).</p>
<p>{tabs}</p>
<table id="smtp-auth-report"><thead><tr><th>Sender</th><th>Authentication protocol</th><th>Messages</th>
<th>Last submission (UTC day)</th></tr></thead><tbody>{rows}</tbody></table></section>""",
        tabs=tabs, rows=rows,
    )


def users(ctx: SimContext) -> Markup:
    state = ctx.state
    rows = join(_user_row(ctx, user) for user in state.tenant.users.values())
    role_options = join(html('<option value="{r}">{r}</option>', r=role) for role in KNOWN_ROLES)
    return html(
        """<section class="panel"><h2>Active users</h2>
<p class="help">Microsoft 365 admin center &gt; Active users &gt; a user &gt; Mail &gt; Manage email apps:
"Authenticated SMTP". Saving it sets the mailbox's own setting, which overrides the organisation's; the
PowerShell column shows the three states (Get-CASMailbox SmtpClientAuthenticationDisabled: $null follows
the organisation). Send As: who may send as this mailbox (Exchange admin center &gt; Mailboxes &gt;
Delegation). Revoking sessions or resetting a password ends the refresh tokens of earlier sign-ins
(AADSTS50173).</p>
<table><thead><tr><th>User</th><th>Roles</th><th>Manage email apps</th>
<th>Send As</th><th>Password and sessions</th></tr></thead>
<tbody>{rows}</tbody></table></section>
<section class="panel"><h2>Add a shared mailbox</h2>
<p class="help">Exchange admin center &gt; Recipients &gt; Mailboxes &gt; Add a shared mailbox. Nobody signs in as it;
grant the printer's account Send As on it, then set it as the printer's sender.</p>
<form method="post" action="/admin/users/shared" class="inline">
<input type="text" name="upn" placeholder="mailbox name" required aria-label="Shared mailbox name"> @{domain}
<input type="text" name="display_name" placeholder="Display name" required aria-label="Shared mailbox display name">
<button type="submit" class="primary">Add shared mailbox</button></form></section>
<section class="panel"><h2>Add a user</h2>
<form method="post" action="/admin/users/add" class="inline">
<input type="text" name="upn" placeholder="user name" required aria-label="User name"> @{domain}
<input type="text" name="display_name" placeholder="Display name" required aria-label="Display name">
<input type="password" name="password" placeholder="Password (8+ characters)" required aria-label="Password">
<select name="role" aria-label="Role"><option value="">No admin role</option>{roles}</select>
<button type="submit" class="primary">Add user</button></form></section>""",
        rows=rows, domain=state.tenant.domain, roles=role_options,
    )


def _user_row(ctx: SimContext, user: User) -> Markup:
    state = ctx.state
    effective_on = user.smtp_auth if user.smtp_auth is not None else state.tenant.policies.smtp_auth_org
    powershell = {None: "$null (follows the organisation)", True: "False", False: "True"}[user.smtp_auth]
    roles = join(html('<span class="badge">{r}</span>', r=role) for role in user.roles) or Markup(
        "Shared mailbox" if user.shared else "User")
    others = join(html('<option value="{u}">{u}</option>', u=other.upn)
                  for other in state.tenant.users.values() if other.upn != user.upn and not other.shared)
    trustees = join(html('<li>{t} {remove}</li>', t=trustee, remove=_post_button(
        "/admin/users/send-as", "Remove", {"upn": user.upn, "trustee": trustee, "granted": "off"}))
        for trustee in user.send_as) or Markup("<li>nobody else</li>")
    follow = Markup("") if user.smtp_auth is None else _post_button(
        "/admin/users/smtp-auth", "Follow the organisation ($null)",
        {"upn": user.upn, "smtp_auth": "default"})
    return html(
        """<tr><td><strong>{name}</strong><br><span class="mono">{upn}</span></td><td>{roles}</td>
<td><form method="post" action="/admin/users/email-apps" class="inline"><input type="hidden" name="upn" value="{upn}">
<label class="check"><input type="checkbox" name="authenticated_smtp" value="on"
 aria-label="Authenticated SMTP for {upn}"{checked}>
Authenticated SMTP</label> <button type="submit">Save changes</button></form>
<br><small>{effective}</small><br><small>SmtpClientAuthenticationDisabled: {powershell}</small> {follow}</td>
<td><ul class="plain">{trustees}</ul><form method="post" action="/admin/users/send-as" class="inline">
<input type="hidden" name="upn" value="{upn}"><input type="hidden" name="granted" value="on">
<select name="trustee" aria-label="Grant Send As on {upn} to">{others}</select><button
 type="submit">Grant Send As</button></form></td>
<td><form method="post" action="/admin/users/password" class="inline"><input type="hidden" name="upn" value="{upn}">
<input type="password" name="password" placeholder="New password" required aria-label="New password for {upn}">
<button type="submit">Reset</button></form><br>{revoke}</td></tr>""",
        name=user.display_name, upn=user.upn, roles=roles,
        checked=Markup(" checked") if effective_on else Markup(""), powershell=powershell, follow=follow,
        trustees=trustees, others=others,
        effective=REFUSAL_TEXT[ctx.state.smtp_auth_refusal(user)],
        revoke=_post_button("/admin/users/revoke", "Revoke sessions", {"upn": user.upn}, "danger"),
    )


def apps(ctx: SimContext) -> Markup:
    state = ctx.state
    sections = []
    for app in state.tenant.apps.values():
        consent = state.org_consent(app.client_id)
        status = html("{s} by {by} on {at}", s=_state(True, "Granted"), by=consent.granted_by,
                      at=when(consent.granted_at)) if consent else _state(False, off_text="Not granted")
        button = (_post_button("/admin/apps/consent", "Revoke admin consent",
                               {"client_id": app.client_id, "granted": "off"}, "danger") if consent
                  else _post_button("/admin/apps/consent", "Grant admin consent for the organisation",
                                    {"client_id": app.client_id, "granted": "on"}, "primary"))
        own = [c.upn for c in state.user_consents(app.client_id) if c.upn]
        sections.append(html(
            """<section class="panel"><h2>{name}</h2>
<table><tr><th>Application (client) ID</th><td class="mono">{cid}</td></tr>
{registration}
<tr><th>Admin consent</th><td>{status}</td></tr>
<tr><th>Users who consented for themselves</th><td>{own}</td></tr></table>
<p>{button}</p></section>""",
            name=app.display_name, cid=app.client_id, status=status, button=button,
            registration=registrations.registration_rows(app),
            own=", ".join(own) or "none",
        ))
    return join(sections)


def trainer(ctx: SimContext) -> Markup:
    state = ctx.state
    offset = state.clock.offset
    removed = state.tenant.policies.basic_final_removal
    clock_buttons = join(
        _post_button("/admin/trainer/clock", label, {"seconds": str(seconds)}, "primary")
        for label, seconds in (("+1 hour", 3600), ("+1 day", 86400), ("+91 days", 91 * 86400))
    )
    faults = join(
        html("<tr><td>{desc}</td><td>{state}</td><td>{button}</td></tr>", desc=FAULT_DESCRIPTIONS[name],
             state=_state(ctx.faults.is_on(name)),
             button=_post_button("/admin/trainer/fault", "Turn off" if ctx.faults.is_on(name) else "Turn on",
                                 {"name": name, "on": "off" if ctx.faults.is_on(name) else "on"}))
        for name in FAULT_NAMES
    )
    now = state.now()
    codes = join(
        html("<tr><td class=\"mono\">{uc}</td><td>{status}</td><td>{upn}</td><td>{exp}</td></tr>",
             uc=code.user_code, status="expired" if code.expired(now) and code.status == devicecodes.PENDING
             else code.status, upn=code.upn or "", exp=when(code.expires_at))
        for code in ctx.device_codes.all()
    ) or Markup('<tr><td colspan="4">No device codes yet.</td></tr>')
    return html(
        """<section class="panel"><h2>Simulated clock</h2>
<p class="help">Tokens, device codes and refresh-token inactivity all use this clock. +1 hour expires an
access token (they live 60 minutes); +91 days kills an unused refresh token (AADSTS700082).</p>
<p>Now: <strong>{now}</strong> (ahead of real time by {days} days {hours} h)</p>
<p>{buttons}</p>
<form method="post" action="/admin/trainer/clock" class="inline"><input type="number" name="hours" min="0" step="any"
 placeholder="hours" aria-label="Hours" required>
<button type="submit">Advance by hours</button></form></section>
<section class="panel"><h2>Basic authentication timeline (MC786329)</h2>
<p class="help">Now: <strong>{basic}</strong>. The cutoff is the end of December 2026 on the simulated clock.</p>
<p>{cutoff} {removal} {new_tenant}</p></section>
<section class="panel"><h2>Faults</h2><table><tbody>{faults}</tbody></table></section>
<section class="panel"><h2>Sender verdicts (Exchange Online Protection)</h2>
<p class="help">What Exchange answers a restricted or suspended sender: 550 5.1.8, 554 5.2.0 OutboundSpamException,
550 5.7.501, 550 5.7.511.</p>
<form method="post" action="/admin/trainer/sender" class="inline"><select name="upn"
 aria-label="Sender">{senders}</select>
<select name="block" aria-label="Verdict"><option value="none">may send</option>{verdicts}</select>
<button type="submit">Set verdict</button></form></section>
<section class="panel"><h2>Device codes</h2><table><thead><tr><th>User code</th><th>Status</th><th>Account</th>
<th>Expires</th></tr></thead>
<tbody>{codes}</tbody></table></section>
<section class="panel"><h2>Start over</h2><p class="help">Back to the seeded tenant: policies, users, passwords,
consents and the clock; signs every device out and empties the mailboxes.</p>{reset}</section>""",
        now=when(now), days=int(offset // 86400), hours=int(offset % 86400 // 3600), buttons=clock_buttons,
        faults=faults, codes=codes,
        basic=BASIC_STATE_TEXT[state.basic_smtp_auth_state()],
        cutoff=Markup("") if now >= BASIC_DEFAULT_OFF_AT else _post_button(
            "/admin/trainer/clock", "Move the clock past the end of December 2026",
            {"past_basic_cutoff": "yes"}, "primary"),
        removal=_post_button("/admin/trainer/basic",
                             "Undo the final removal" if removed else "Final removal of Basic (550 5.7.30)",
                             {"final_removal": "off" if removed else "on"}, "danger"),
        new_tenant=_post_button("/admin/trainer/basic", "Make this a tenant created after December 2026",
                                {"created_after": "on"})
        if state.tenant.created_at < BASIC_DEFAULT_OFF_AT else Markup(""),
        senders=join(html('<option value="{u}">{u}{v}</option>', u=u.upn,
                          v=f" ({u.sender_block})" if u.sender_block else "")
                     for u in state.tenant.users.values()),
        verdicts=join(html('<option value="{v}">{v}</option>', v=v) for v in SENDER_BLOCKS),
        reset=_post_button("/admin/trainer/reset", "Reset the tenant", {"confirm": "yes"}, "danger"),
    )


def mail(ctx: SimContext, address: str, addresses: list[str], messages: list[MessageSummary]) -> Markup:
    """The mailboxes page from what :class:`MailStore` read (off the event loop)."""
    links = join(
        html('<a class="badge" href="/admin/mail?mailbox={a}">{a}</a>', a=a) for a in addresses
    ) or Markup("No mail received yet.")
    table = Markup("")
    if address:
        rows = join(
            html("<tr><td>{date}</td><td>{sender}</td><td>{to}</td><td>{subject}</td><td>{files}</td></tr>",
                 date=m["date"], sender=m["from"], to=", ".join(m["to"]), subject=m["subject"],
                 files=", ".join(f'{a["filename"]} ({a["size"]} bytes)' for a in m["attachments"]) or "-")
            for m in reversed(messages)
        ) or Markup('<tr><td colspan="5">Empty.</td></tr>')
        table = html(
            """<section class="panel"><h2>{address}</h2><table><thead><tr><th>Date</th><th>From</th><th>To</th>
<th>Subject</th><th>Attachments</th></tr></thead><tbody>{rows}</tbody></table></section>""",
            address=address, rows=rows,
        )
    return html('<section class="panel"><h2>Mailboxes</h2><p class="help">Stored as Maildirs in {root}</p>'
                "<p>{links}</p></section>{table}", root=str(ctx.mail.root), links=links, table=table)
