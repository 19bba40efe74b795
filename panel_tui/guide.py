"""The handout: the Exchange Online OAuth 2.0 procedure, step by step, with the emulator's own screens.

`panel-tui guide --lang LANG --out DIR [--pdf]` writes DIR/index.html: one self-contained page
(inline CSS, every screen's SVG inlined) that a trainer prints or hands out: the prerequisites,
each numbered step of Web Config's Network > Email Server > Basic sign-in, the panel's Email
Server Status and Print Status Sheet paths, the fax server, To My Email, sending, and the
troubleshooting table of every error code the emulator reproduces, followed by the list of the
screens it showed; a section follows a printer from Basic authentication (Microsoft's
cutoff of SMTP AUTH with a password) to OAuth 2.0. Each screen is rendered from the review gallery's
recipe (the snapshot tests' pictures, panel_tui.ui.catalog) at 80x24 in that language; the words come from the
locale files ([guide] and the labels the screens use), the menu paths from menus/panel.toml,
the accounts and addresses from the simulator's tenant. `--pdf` also prints DIR/guide.pdf
through headless Chromium (Playwright).
"""
from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from panel_tui import gallery
from panel_tui.datafiles import data_dir
from panel_tui.device.clock import SNAPSHOT_TIME
from panel_tui.device.errors import ERROR_CODES
from panel_tui.device.settings import DeviceSettings
from panel_tui.gallery import GalleryError, Progress, Shot
from panel_tui.i18n import LANGUAGES, Translator
from panel_tui.menus import load_menu_tree
from panel_tui.sim.client import SEEDED_ACCOUNTS

INDEX_NAME = "index.html"
PDF_NAME = "guide.pdf"
SIZE = (80, 24)  # the gallery's and the snapshot tests' size: 80 columns print across an A4 page


class GuideError(RuntimeError):
    """The handout could not be written (the message says why)."""


@dataclass(frozen=True)
class Step:
    key: str  # guide.<section>.step.<key>
    screen: str | None = None  # the recipe whose picture shows this moment


@dataclass(frozen=True)
class Section:
    key: str  # guide.<key>.title, and .intro / .note when the locale has them
    steps: tuple[Step, ...]
    numbered: bool = True


SECTIONS: tuple[Section, ...] = (
    Section("prereq", (
        Step("security_defaults"), Step("smtp_auth_mailbox"), Step("consent"), Step("firmware"),
        Step("trainer", "trainer_console"),
    ), numbered=False),
    Section("basic", (
        Step("ip", "wired_lan_status"),
        Step("admin", "webconfig_locked"),
        Step("tab"),
        Step("oauth2"),
        Step("service", "webconfig_basic_pending"),
        Step("sign_in", "webconfig_signin_start"),
        Step("code", "webconfig_signin_code"),
        Step("enter_code"),
        Step("account"),
        Step("password"),
        Step("consent", "webconfig_signin_signed_in"),
        Step("ok", "server_settings"),
    )),
    Section("check", (
        Step("status", "email_server_status"),
        Step("sheet", "print_status_sheet_confirm"),
        Step("sheet_printed", "status_sheet"),
    )),
    Section("fax", (Step("server", "webconfig_fax_server"), Step("send", "fax_email"))),
    Section("tme", (
        Step("sender", "webconfig_serverless"),
        Step("admin_login", "to_my_email_user"),
        Step("admin"),
        Step("consent", "tme_signin_permissions"),
        Step("done", "tme_signin_done_admin"),
        Step("users", "tme_signin_account"),
        Step("wrong_password", "tme_signin_password_wrong"),
        Step("phone", "to_my_email_signin"),
    )),
    Section("send", (Step("scan", "scan_to_email"), Step("sent", "outcome_sent"))),
    Section("migration", (
        Step("refused", "job_detail_basic_refused"),
        Step("switch"),
        Step("report"),
        Step("stopgap"),
        Step("scenario"),
    )),
    Section("trouble", (
        Step("blocked", "webconfig_signin_blocked"),
        Step("not_signed_in", "outcome_not_signed_in_360"),
        Step("expired", "job_detail_361"),
        Step("user_370", "to_my_email_consent_required"),
        Step("codes", "job_status"),
    ), numbered=False),
)


def screens(sections: Sequence[Section] = SECTIONS) -> list[str]:
    """The screens the handout shows, in order (each once)."""
    return list(dict.fromkeys(step.screen for section in sections for step in section.steps if step.screen))


def sections() -> tuple[Section, ...]:
    """The handout's sections (SECTIONS)."""
    return SECTIONS


# -- the words' values: the simulator's tenant, the printer's defaults, the menu paths --------------


def values(t: Callable[..., str], lang: str) -> dict[str, str]:
    """What the steps name: accounts, addresses, the code on the sign-in screen, menu paths."""
    from panel_tui.ui.webconfig.catalog import FIXED_FLOW

    tree = load_menu_tree(data_dir("menus") / "panel.toml")
    settings = DeviceSettings()
    oauth = settings.email_server.with_field("auth_method", "oauth2").apply_service_defaults()
    admin, printer, user = (account.upn for account in SEEDED_ACCOUNTS[:3])

    def path(node_id: str) -> str:
        return " > ".join(t(node.label) for node in tree.path(node_id))

    def web(*keys: str) -> str:
        return " > ".join(t(f"webconfig.{key}") for key in keys)

    return {
        "admin": admin, "printer": printer, "user": user, "domain": admin.partition("@")[2],
        "ip": settings.ip_address, "server": oauth.smtp_server, "port": str(oauth.smtp_port),
        "security": t(f"value.secure_connection.{oauth.secure_connection.value}"),
        "code": FIXED_FLOW.user_code, "url": FIXED_FLOW.verification_uri,
        "path_wired": path("wired_lan_status"), "path_status": path("email_server_status"),
        "path_sheet": path("print_status_sheet"), "path_jobs": path("job_status"),
        "path_scan": path("scan_to_email"), "path_fax": path("fax_email"), "path_tme": path("to_my_email"),
        "tab_basic": web("tab.network", "group.email_server", "page.basic"),
        "tab_fax": web("tab.fax", "group.fax_server", "page.email_server_settings"),
        "tab_serverless": web("tab.epson_open_platform", "group.print_admin_serverless",
                              "page.authentication_settings"),
        "not_signed_in": t("cause.not_signed_in.message"),
        "basic_title": t("guide.basic.title"), "report": t("lesson.step.report.how"),
    }


# -- building -------------------------------------------------------------------------------------


def build(out_dir: Path | str, lang: str, *, only: Sequence[str] | None = None, jobs: int | None = None,
          locales_dir: Path | None = None, progress: Callable[[int, int, Shot], None] | None = None) -> Path:
    """Write the handout in `lang` into `out_dir`; returns the index.html path.

    `only` renders just those screens (the others keep their caption and say so): a quick
    build for a translator's check or a test; the default renders every screen.
    """
    if lang not in LANGUAGES:
        raise GuideError(f"no language {lang!r} (languages: {', '.join(LANGUAGES)})")
    shown = screens(sections())
    if only is not None:
        unknown = sorted(set(only) - set(shown))
        if unknown:
            raise GuideError(f"the handout shows no screen named {', '.join(unknown)} (it shows {', '.join(shown)})")
    wanted = [name for name in shown if only is None or name in set(only)]
    shots = [Shot(name, lang, SIZE) for name in wanted]
    try:
        svgs = dict(zip(wanted, gallery.render_shots(shots, jobs, locales_dir, progress), strict=True))
    except GalleryError as error:
        raise GuideError(str(error)) from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    index = out / INDEX_NAME
    index.write_text(handout_html(lang, svgs, locales_dir=locales_dir), encoding="utf-8")
    return index


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}\s*")
_TERMINAL_ID = re.compile(r"\bterminal-\d+-")


def inline_svg(svg: str, number: int) -> str:
    """An exported screen, fit to be inlined: no web font fetched (the page works offline and
    prints the same), its CSS classes and clip paths renamed for this figure only."""
    svg = svg[svg.index("<svg"):]
    svg = _FONT_FACE.sub("", svg)
    svg = _TERMINAL_ID.sub(f"screen{number}-", svg)
    label = f'role="img" aria-labelledby="screen{number}-caption" '
    return svg.replace("<svg ", "<svg " + label, 1)


_CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: system-ui, "DejaVu Sans", sans-serif; max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem;
       color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #0b5cad; padding-bottom: 0.15rem; margin-top: 2rem; }
.subtitle { color: #444; }
ol.steps > li { margin: 0.7rem 0; }
ul.steps > li { margin: 0.7rem 0; }
figure { margin: 0.5rem 0 1rem; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; max-width: 17cm; height: auto; border: 1px solid #888; }
figcaption { font-size: 0.85rem; color: #333; margin-top: 0.2rem; }
figcaption code, .screens code { font-size: 0.85rem; }
.missing { border: 1px dashed #888; padding: 1rem; color: #555; max-width: 17cm; }
.note { background: #f1f5fa; border-left: 4px solid #0b5cad; padding: 0.4rem 0.8rem; }
table { border-collapse: collapse; width: 100%; break-inside: avoid; }
th, td { border: 1px solid #999; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #e8eef5; }
nav ol { columns: 2 18rem; }
section { break-before: auto; }
"""


def handout_html(lang: str, svgs: dict[str, str], locales_dir: Path | None = None) -> str:
    """The handout page; `svgs` maps a screen name to its SVG (a screen without one is captioned
    as not rendered). Every text is escaped; nothing is fetched from elsewhere."""
    translator = Translator.load(locales_dir, language=lang)
    t = translator.t
    esc = html.escape
    words = values(t, lang)
    parts = [
        "<!DOCTYPE html>\n",
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n',
        f"<title>{esc(t('guide.title'))}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
        f"<h1>{esc(t('guide.title'))}</h1>\n",
        '<p class="subtitle">' + esc(t("guide.subtitle", language=t(f"value.language.{lang}"),
                                        domain=words["domain"],
                                        time=SNAPSHOT_TIME.strftime("%Y-%m-%d %H:%M UTC"))) + "</p>\n",
        f"<p>{esc(t('guide.intro'))}</p>\n",
        f"<nav>\n<h2>{esc(t('guide.contents'))}</h2>\n<ol>\n",
    ]
    all_sections = sections()
    for section in all_sections:
        parts.append(f'<li><a href="#{section.key}">{esc(t(f"guide.{section.key}.title"))}</a></li>\n')
    parts.append(f'<li><a href="#screens">{esc(t("guide.screens.title"))}</a></li>\n</ol>\n</nav>\n')

    numbers: dict[str, int] = {}
    shown: list[tuple[int, str, str]] = []  # (number, screen, section title)
    for section in all_sections:
        title = t(f"guide.{section.key}.title")
        parts.append(f'<section id="{section.key}">\n<h2>{esc(title)}</h2>\n')
        for extra in ("intro", "note"):
            key = f"guide.{section.key}.{extra}"
            if translator.has(key):
                css = ' class="note"' if extra == "note" else ""
                parts.append(f"<p{css}>{esc(t(key, **words))}</p>\n")
        tag = "ol" if section.numbered else "ul"
        parts.append(f'<{tag} class="steps">\n')
        for step in section.steps:
            words_of_step = esc(t(f"guide.{section.key}.step.{step.key}", **words))
            parts.append(f'<li id="{section.key}-{step.key}"><p>{words_of_step}</p>\n')
            if section.key == "trouble" and step.key == "codes":
                parts.append(_codes_table(t, ERROR_CODES))
            if step.screen is not None:
                number = numbers.setdefault(step.screen, len(numbers) + 1)
                shown.append((number, step.screen, title))
                parts.append(_figure(t, number, step.screen, svgs.get(step.screen)))
            parts.append("</li>\n")
        parts.append(f"</{tag}>\n</section>\n")

    parts.append(f'<section id="screens">\n<h2>{esc(t("guide.screens.title"))}</h2>\n')
    parts.append("<p>" + esc(t("guide.screens.intro", count=len(numbers), width=SIZE[0], height=SIZE[1],
                                rendered=sum(1 for name in numbers if name in svgs))) + "</p>\n")
    parts.append('<ol class="screens">\n')
    for number, screen, title in shown:
        parts.append(f'<li value="{number}"><a href="#screen-{number}"><code>{esc(screen)}</code></a> '
                     f"({esc(title)})</li>\n")
    parts.append("</ol>\n</section>\n")
    parts.append(f'<p class="subtitle">{esc(t("guide.footer"))}</p>\n</body>\n</html>\n')
    return "".join(parts)


def _figure(t, number: int, screen: str, svg: str | None) -> str:
    esc = html.escape
    caption = (f'<figcaption id="screen{number}-caption">{esc(t("guide.figure", number=number))}: '
               f"<code>{esc(screen)}</code></figcaption>")
    body = f'<div class="missing">{esc(t("guide.not_rendered"))}</div>' if svg is None else inline_svg(svg, number)
    return f'<figure id="screen-{number}" data-screen="{esc(screen)}">\n{body}\n{caption}\n</figure>\n'


def _codes_table(t, codes) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(t(f'guide.trouble.col.{col}'))}</th>"
                   for col in ("code", "situation", "solution", "fixer"))
    rows = [f"<tr><td>{entry.code}</td><td>{esc(t(entry.situation_key))}</td><td>{esc(t(entry.solution_key))}</td>"
            f"<td>{esc(t(entry.fixer_key))}</td></tr>\n" for entry in sorted(codes.values(), key=lambda e: e.code)]
    return f'<table class="codes">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{"".join(rows)}</tbody>\n</table>\n'


# -- PDF ------------------------------------------------------------------------------------------


def chromium_executable() -> str | None:
    """Chromium for --pdf: $PANEL_TUI_CHROMIUM, `chromium` on PATH, or Debian's /usr/bin/chromium."""
    found = os.environ.get("PANEL_TUI_CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def write_pdf(index: Path, pdf: Path) -> Path:
    """Print the handout to A4 PDF in headless Chromium (no network: the page needs none)."""
    executable = chromium_executable()
    if executable is None or not Path(executable).is_file():
        where = f" (no file {executable})" if executable else ""
        raise GuideError(f"--pdf needs Chromium{where}: install it (Debian: apt-get install chromium) "
                         "or set PANEL_TUI_CHROMIUM to its path")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise GuideError("--pdf needs Playwright for Python: pip install playwright "
                         "(it drives the installed Chromium; no browser download)") from None
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                           else route.abort())
                page.goto(index.resolve().as_uri(), wait_until="load")
                page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
            finally:
                browser.close()
    except PlaywrightError as error:
        raise GuideError(f"Chromium could not print the PDF: {str(error).splitlines()[0]}") from None
    return pdf


# -- `panel-tui guide` ----------------------------------------------------------------------------


def add_arguments(parser) -> None:
    """The options of `panel-tui guide` (cli.py adds the subcommand and calls `command`)."""
    parser.add_argument("--out", type=Path, required=True, help="folder for index.html (and guide.pdf); created")
    parser.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS,
                        help="the handout's language (default: en; `panel-tui --lang ro guide` works too)")
    parser.add_argument("--pdf", action="store_true", help="also print guide.pdf through headless Chromium")
    parser.add_argument("--only", action="append", metavar="SCREEN",
                        help="render only this screen (repeatable; the others are captioned, not drawn)")
    parser.add_argument("--jobs", type=int, help="parallel render processes (default: CPU count, 2 to 8)")


def command(args) -> int:
    """Run `panel-tui guide`: 0 written, 1 a screen or the PDF failed, 2 bad options."""
    lang = getattr(args, "lang", None) or "en"
    jobs = getattr(args, "jobs", None)
    if jobs is not None and jobs < 1:
        print("panel-tui guide: --jobs must be 1 or more", file=sys.stderr)
        return 2
    if Path(args.out).exists() and not Path(args.out).is_dir():
        print(f"panel-tui guide: --out {args.out}: not a folder", file=sys.stderr)
        return 2
    only = getattr(args, "only", None)
    unknown = sorted(set(only or ()) - set(screens(sections())))
    if unknown:
        print(f"panel-tui guide: the handout shows no screen named {', '.join(unknown)}", file=sys.stderr)
        return 2
    if lang not in LANGUAGES:
        print(f"panel-tui guide: --lang {lang}: languages are {', '.join(LANGUAGES)}", file=sys.stderr)
        return 2
    progress = Progress()
    try:
        index = build(args.out, lang, only=only, jobs=jobs, progress=progress)
    except (GuideError, OSError) as error:
        progress.close()
        print(f"panel-tui guide: {error}", file=sys.stderr)
        return 1
    progress.close()
    print(index.resolve())
    if getattr(args, "pdf", False):
        try:
            pdf = write_pdf(index, Path(args.out) / PDF_NAME)
        except (GuideError, OSError) as error:
            print(f"panel-tui guide: {error}", file=sys.stderr)
            return 1
        print(pdf.resolve())
    return 0
