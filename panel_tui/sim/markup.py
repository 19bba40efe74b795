"""Escaped-by-default HTML for the simulator's pages, and their two page layouts.

Every value put into a page goes through :func:`html`, which escapes anything that is
not already :class:`Markup`; page code never concatenates raw strings into HTML. The
stylesheets are served as files (``/_assets/*.css``) so the pages can carry a strict
Content-Security-Policy without inline styles or scripts.
"""
from __future__ import annotations

import html as _html
import string
from collections.abc import Iterable

from aiohttp import web


class Markup(str):
    """A string of HTML that is safe to emit as is."""


def escape(value: object) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(_html.escape(str(value), quote=True))


class _EscapingFormatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        return escape(super().format_field(value, format_spec) if format_spec else value)


_FORMATTER = _EscapingFormatter()


def html(template: str, **values: object) -> Markup:
    """Fill ``{name}`` fields of an HTML template, escaping every value that is not Markup."""
    return Markup(_FORMATTER.format(template, **values))


def join(parts: Iterable[object], separator: str = "") -> Markup:
    return Markup(escape(separator).join(escape(part) for part in parts))


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make browsers send "Origin: null"
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def html_response(document: Markup, status: int = 200) -> web.Response:
    return web.Response(
        text=document, status=status, content_type="text/html", charset="utf-8",
        headers=SECURITY_HEADERS,
    )


def signin_document(*, lang: str, title: str, brand: str, card: Markup, page: str,
                    footer: Markup, error_code: str = "") -> Markup:
    """The Entra-like centred card used by the /devicelogin pages."""
    return html(
        """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/_assets/signin.css">
</head>
<body>
<main class="card" data-page="{page}" data-error="{error_code}">
<div class="brand"><span class="logo" aria-hidden="true"><i></i><i></i><i></i><i></i></span>{brand}</div>
{card}
</main>
<footer class="foot">{footer}</footer>
</body>
</html>
""",
        lang=lang, title=title, brand=brand, card=card, page=page, footer=footer,
        error_code=error_code,
    )


def admin_document(*, title: str, tenant: str, nav: Markup, content: Markup, page: str,
                   user: str = "", flash: str = "", flash_kind: str = "ok") -> Markup:
    """The admin center's frame: a top bar, the navigation, and the page's sections."""
    flash_html = (html('<p class="flash {kind}" role="status">{text}</p>', kind=flash_kind, text=flash)
                  if flash else Markup(""))
    signed_in = html(
        '<form method="post" action="/admin/logout" class="signout">'
        '<span>{user}</span> <button type="submit" class="link">Sign out</button></form>',
        user=user,
    ) if user else Markup("")
    return html(
        """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Microsoft 365 admin center (simulator)</title>
<link rel="stylesheet" href="/_assets/admin.css">
</head>
<body data-page="{page}">
<header class="topbar"><span class="app">Microsoft 365 admin center</span><span class="sim">simulator</span><span
 class="tenant">{tenant}</span>{signed_in}</header>
<div class="layout">
<nav class="nav">{nav}</nav>
<main class="content">
<h1>{title}</h1>
{flash}
{content}
</main>
</div>
</body>
</html>
""",
        title=title, tenant=tenant, nav=nav, content=content, page=page,
        signed_in=signed_in, flash=flash_html,
    )


SIGNIN_CSS = """
:root { --blue: #0067b8; --text: #1b1b1b; --muted: #5e5e5e; --error: #c50f1f; }
* { box-sizing: border-box; }
html { font-size: 17px; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; align-items: center;
  justify-content: center; background: #f2f2f2 linear-gradient(135deg, #eef3f8 0%, #f7f2ee 100%);
  font-family: "Segoe UI", "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: var(--text); }
.card { width: min(440px, 94vw); background: #fff; padding: 44px; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
.muted { color: var(--muted); }
.brand { display: flex; align-items: center; gap: .6rem; font-weight: 600; color: var(--muted); margin-bottom: 1.2rem; }
.logo { display: grid; grid-template-columns: 10px 10px; gap: 2px; }
.logo i { width: 10px; height: 10px; display: block; }
.logo i:nth-child(1) { background: #0f548c; } .logo i:nth-child(2) { background: #479ef5; }
.logo i:nth-child(3) { background: #479ef5; } .logo i:nth-child(4) { background: #8a8886; }
h1 { font-size: 1.5rem; font-weight: 600; margin: 0 0 .8rem; }
p { line-height: 1.45; margin: .5rem 0; }
.identity { color: var(--muted); margin-bottom: .6rem; word-break: break-all; }
label.field { display: block; font-size: .85rem; color: var(--muted); margin-top: 1rem; }
input[type=text], input[type=email], input[type=password] { width: 100%; font: inherit; padding: .45rem 0;
  border: 0; border-bottom: 1px solid #666; outline: none; background: transparent; }
input:focus { border-bottom: 2px solid var(--blue); }
input.code { letter-spacing: .2em; text-transform: uppercase; font-size: 1.2rem; }
.error { color: var(--error); margin: .6rem 0; }
.actions { display: flex; justify-content: flex-end; gap: .6rem; margin-top: 1.6rem; }
button { font: inherit; min-width: 108px; padding: .45rem 1.2rem; border: 1px solid transparent; cursor: pointer; }
button.primary { background: var(--blue); color: #fff; }
button.primary:hover { background: #005da6; }
button.secondary { background: #ccc; color: #000; }
ul.perms { padding-left: 1.2rem; } ul.perms li { margin: .35rem 0; }
.app { font-weight: 600; font-size: 1.1rem; }
.consent { display: flex; gap: .6rem; align-items: flex-start; margin-top: 1rem; padding: .7rem;
  background: #f3f7fb; border-left: 3px solid var(--blue); }
.consent input { margin-top: .25rem; width: 1.1rem; height: 1.1rem; }
.note { font-size: .85rem; color: var(--muted); }
.code-line { font-family: "Cascadia Mono", "DejaVu Sans Mono", monospace; color: var(--muted); font-size: .85rem; }
.done { font-size: 2.4rem; color: #107c10; }
.foot { margin-top: 1.2rem; font-size: .8rem; color: var(--muted); text-align: center; max-width: 440px; }
.foot a { color: var(--muted); margin: 0 .3rem; }
"""

ADMIN_CSS = """
:root { --blue: #0f6cbd; --text: #242424; --muted: #616161; --line: #e0e0e0; --ok: #107c10; --bad: #c50f1f; }
* { box-sizing: border-box; }
html { font-size: 17px; }
body { margin: 0; font-family: "Segoe UI", "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: var(--text);
       background: #faf9f8; }
.topbar { display: flex; align-items: center; gap: 1rem; background: #0f548c; color: #fff; padding: .6rem 1.2rem; }
.topbar .app { font-weight: 600; }
.topbar .sim { background: #ffb900; color: #000; font-size: .75rem; padding: .1rem .45rem; border-radius: 3px;
               text-transform: uppercase; }
.topbar .tenant { margin-left: auto; opacity: .9; }
.signout { display: inline; margin: 0; } .signout span { opacity: .9; }
button.link { background: none; border: 0; color: #fff; text-decoration: underline; cursor: pointer; font: inherit;
              padding: 0; }
.layout { display: flex; min-height: calc(100vh - 44px); }
.nav { width: 230px; background: #fff; border-right: 1px solid var(--line); padding: 1rem 0; }
.nav a { display: block; padding: .55rem 1.2rem; color: var(--text); text-decoration: none; }
.nav a.current { background: #ebf3fc; border-left: 4px solid var(--blue); font-weight: 600; }
.content { flex: 1; padding: 1.2rem 2rem 3rem; max-width: 1200px; }
h1 { font-size: 1.6rem; font-weight: 600; margin: .2rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 0 0 .6rem; }
section.panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem;
                margin-bottom: 1.2rem; }
p.help { color: var(--muted); margin: .2rem 0 .8rem; line-height: 1.4; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
.state { font-weight: 600; } .state.on { color: var(--ok); } .state.off { color: var(--bad); }
.badge { display: inline-block; font-size: .8rem; padding: .05rem .45rem; border-radius: 10px; background: #ebf3fc;
         color: #0f548c; margin: .1rem .2rem .1rem 0; }
form.inline { display: inline-flex; gap: .4rem; align-items: center; margin: .15rem .4rem .15rem 0;
              flex-wrap: wrap; }
input[type=text], input[type=password], input[type=number], select { font: inherit; padding: .3rem .45rem;
                                                                       border: 1px solid #8a8886; border-radius: 3px; }
button { font: inherit; padding: .35rem .9rem; border-radius: 3px; border: 1px solid #8a8886; background: #fff;
          cursor: pointer; }
button.primary { background: var(--blue); border-color: var(--blue); color: #fff; }
button.danger { border-color: var(--bad); color: var(--bad); }
.flash { padding: .6rem .9rem; border-radius: 4px; }
.flash.ok { background: #dff6dd; } .flash.error { background: #fde7e9; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 1rem; }
.checklist li { margin: .3rem 0; }
label.check { display: inline-flex; gap: .4rem; align-items: center; }
table.timeline tr.now th, table.timeline tr.now td { background: #fff4ce; font-weight: 600; }
.badge.warn { background: #fde7e9; color: #a4262c; } .badge.ok { background: #dff6dd; color: #107c10; }
ul.plain { list-style: none; padding: 0; margin: 0 0 .3rem; }
.mono { font-family: "Cascadia Mono", "DejaVu Sans Mono", monospace; font-size: .9rem; word-break: break-all; }
.login { max-width: 440px; margin: 3rem auto; }
.login label { display: block; margin: .8rem 0 .2rem; }
.login input { width: 100%; }
"""
