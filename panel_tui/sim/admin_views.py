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
from panel_tui.sim.markup import Markup, html, join
from panel_tui.sim.state import (
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
    ("trainer", "/admin/trainer", "Trainer: clock and faults"),
)

REFUSAL_TEXT = {
    None: "allowed",
    SMTP_AUTH_SECURITY_DEFAULTS: "refused: security defaults are on",
    SMTP_AUTH_DISABLED_TENANT: "refused: disabled for the organisation",
    SMTP_AUTH_DISABLED_MAILBOX: "refused: disabled for this mailbox",
}


def nav(current: str) -> Markup:
    return join(
        html('<a href="{href}" class="{cls}">{label}</a>', href=href, label=label,
             cls="current" if key == current else "")
        for key, href, label in NAV_ITEMS
    )


def when(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


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
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
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
              "Microsoft Entra ID > Properties > Manage security defaults. While they are on, "
              "Exchange refuses SMTP AUTH for every mailbox (535 5.7.139 ... security defaults "
              "policy). The guide turns them off.",
              "security_defaults", policies.security_defaults, "Turn on", "Turn off"),
        panel("SMTP AUTH for the organisation",
              "Exchange admin center > Settings > Mail flow. A mailbox's own setting, when set, "
              "overrides this one (535 5.7.139 ... disabled for the Tenant).",
              "smtp_auth_org", policies.smtp_auth_org, "Enable", "Disable"),
        panel("Conditional access: block device code flow",
              "A policy that blocks the device code sign-in the printer uses: the sign-in page "
              "shows AADSTS53003 and the device is refused; existing device-code sessions can "
              "no longer refresh.",
              "conditional_access_block", policies.conditional_access_block_device_code,
              "Turn on", "Turn off"),
    ])


def users(ctx: SimContext) -> Markup:
    state = ctx.state
    rows = join(_user_row(ctx, user) for user in state.tenant.users.values())
    role_options = join(html('<option value="{r}">{r}</option>', r=role) for role in KNOWN_ROLES)
    return html(
        """<section class="panel"><h2>Active users</h2>
<p class="help">SMTP AUTH per mailbox: "Follow organisation" uses the org setting; Enabled or
Disabled override it, as in Exchange Online. Revoking sessions or resetting a password ends the
refresh tokens of earlier sign-ins (AADSTS50173).</p>
<table><thead><tr><th>User</th><th>Roles</th><th>SMTP AUTH (mailbox)</th><th>Password</th><th>Sessions</th></tr></thead>
<tbody>{rows}</tbody></table></section>
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
    options = join(
        html('<option value="{v}"{sel}>{label}</option>', v=value, label=label,
             sel=Markup(" selected") if current else Markup(""))
        for value, label, current in (
            ("default", "Follow organisation", user.smtp_auth is None),
            ("on", "Enabled", user.smtp_auth is True),
            ("off", "Disabled", user.smtp_auth is False),
        )
    )
    roles = join(html('<span class="badge">{r}</span>', r=role) for role in user.roles) or Markup("User")
    return html(
        """<tr><td><strong>{name}</strong><br><span class="mono">{upn}</span></td><td>{roles}</td>
<td><form method="post" action="/admin/users/smtp-auth" class="inline"><input type="hidden" name="upn" value="{upn}">
<select name="smtp_auth" aria-label="SMTP AUTH for {upn}">{options}</select><button type="submit">Save</button></form>
<br><small>{effective}</small></td>
<td><form method="post" action="/admin/users/password" class="inline"><input type="hidden" name="upn" value="{upn}">
<input type="password" name="password" placeholder="New password" required aria-label="New password for {upn}">
<button type="submit">Reset</button></form></td>
<td>{revoke}</td></tr>""",
        name=user.display_name, upn=user.upn, roles=roles, options=options,
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
<form method="post" action="/admin/trainer/clock" class="inline"><input type="number" name="hours" min="0" step="any" placeholder="hours" aria-label="Hours" required>
<button type="submit">Advance by hours</button></form></section>
<section class="panel"><h2>Faults</h2><table><tbody>{faults}</tbody></table></section>
<section class="panel"><h2>Device codes</h2><table><thead><tr><th>User code</th><th>Status</th><th>Account</th><th>Expires</th></tr></thead>
<tbody>{codes}</tbody></table></section>
<section class="panel"><h2>Start over</h2><p class="help">Back to the seeded tenant: policies, users, passwords,
consents and the clock; signs every device out and empties the mailboxes.</p>{reset}</section>""",
        now=when(now), days=int(offset // 86400), hours=int(offset % 86400 // 3600), buttons=clock_buttons,
        faults=faults, codes=codes,
        reset=_post_button("/admin/trainer/reset", "Reset the tenant", {"confirm": "yes"}, "danger"),
    )


def mail(ctx: SimContext, address: str, addresses: list[str], messages: list[dict]) -> Markup:
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
