"""`panel-tui guide`: the handout, in Romanian (every screen drawn) and in English (two screens
drawn, the rest captioned), with the guide's steps, the emulator's own screens in that language,
the troubleshooting table of every error code, real values of the simulator's tenant, and the list
of the screens it showed; `--pdf` prints it in headless Chromium.

The pictures are the gallery's (same recipes, same rendering); what a screen shows is read back
from its SVG as terminal cells (panel_tui.gallery_compare.cell_grid), as a reviewer reads it.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from panel_tui import cli, guide
from panel_tui.classroom.report import _html
from panel_tui.device.errors import ERROR_CODES
from panel_tui.gallery_compare import cell_grid
from panel_tui.i18n import LANGUAGES, Translator
from panel_tui.sim.tenant import SEEDED_ACCOUNTS
from tests.helpers.processes import chromium_path

pytestmark = pytest.mark.xdist_group("gallery")  # render workers: one module at a time on a worker

# The guide's own words, as the issue names them, per language.
WORDS = {
    "ro": ["Server e-mail > De bază", "Sign in with Microsoft", "Stare server e-mail", "Imprimare foaie stare",
           "Consimțământ în numele organizației", "Acceptați în numele organizației", "Depanare"],
    "en": ["Email Server > Basic", "Sign in with Microsoft", "Email Server Status", "Print Status Sheet",
           "Consent on behalf of your organization", "Troubleshooting"],
}
EN_ONLY = ("webconfig_basic_pending", "email_server_status")


class Handout(HTMLParser):
    """The handout's structure: sections, numbered steps, figures (with their inline SVG), text."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.steps: dict[str, list[str]] = {}
        self.figures: list[dict] = []
        self.listed: list[str] = []  # the screens list at the end
        self.table_rows: list[list[str]] = []
        self.text: list[str] = []
        self._stack: list[str] = []
        self._figure: dict | None = None
        self._row: list[str] | None = None
        self._in_list = False
        self.fetches: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name) and not str(attrs[name]).startswith("#"):
                self.fetches.append(attrs[name])
        if tag == "section":
            self.sections.append(attrs["id"])
            self._in_list = attrs["id"] == "screens"
        if tag == "li" and attrs.get("id"):
            section, _, step = attrs["id"].partition("-")
            self.steps.setdefault(section, []).append(step)
        if tag == "figure":
            self._figure = {"screen": attrs["data-screen"], "svg": "", "caption": ""}
        if self._figure is not None and self._stack and "svg" in self._stack:
            self._figure["svg"] += self.get_starttag_text()
        if tag == "svg" and self._figure is not None:
            self._figure["svg"] += self.get_starttag_text()
        if tag == "tr":
            self._row = []
        self._stack.append(tag)

    def handle_endtag(self, tag) -> None:
        if self._figure is not None and "svg" in self._stack:
            self._figure["svg"] += f"</{tag}>"
        while self._stack and self._stack.pop() != tag:
            pass
        if tag == "figure" and self._figure is not None:
            self.figures.append(self._figure)
            self._figure = None
        if tag == "tr" and self._row is not None:
            self.table_rows.append(self._row)
            self._row = None

    def handle_data(self, data) -> None:
        if self._figure is not None and "svg" in self._stack:
            self._figure["svg"] += data.replace("&", "&amp;").replace("<", "&lt;")
            return
        if self._figure is not None and "figcaption" in self._stack:
            self._figure["caption"] += data
        if self._row is not None and self._stack[-1] in ("td", "th"):
            self._row.append(data)
        if self._in_list and "code" in self._stack:
            self.listed.append(data)
        self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def read(index: Path) -> Handout:
    handout = Handout()
    handout.feed(index.read_text(encoding="utf-8"))
    return handout


def screen_text(svg: str) -> str:
    """The characters a screen shows, line by line (its figure's class names back to Rich's)."""
    svg = re.sub(r"\bscreen(\d+)-", r"terminal-\1-", svg)
    return "\n".join("".join(cell[0] for cell in row) for row in cell_grid(svg, guide.SIZE))


@pytest.fixture(scope="module")
def romanian(tmp_path_factory) -> Path:
    """The full default handout in Romanian, built by the command (every screen drawn)."""
    out = tmp_path_factory.mktemp("guide-ro")
    assert cli.main(["guide", "--lang", "ro", "--out", str(out), "--jobs", "2"]) == 0
    return out / "index.html"


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    """The English handout with two screens drawn (a quick build; `panel-tui --lang en guide` form)."""
    out = tmp_path_factory.mktemp("guide-en")
    argv = ["--lang", "en", "guide", "--out", str(out), "--jobs", "1"]
    for name in EN_ONLY:
        argv += ["--only", name]
    assert cli.main(argv) == 0
    return out / "index.html"


def test_the_full_handout_shows_every_screen_of_its_steps_in_romanian(romanian):
    handout = read(romanian)
    shown = [figure["screen"] for figure in handout.figures]
    assert shown == guide.screens() and len(shown) >= 12
    assert all(figure["svg"].startswith("<svg") for figure in handout.figures)  # every one drawn, inline
    # each picture is the screen in Romanian
    pictures = {figure["screen"]: screen_text(figure["svg"]) for figure in handout.figures}
    assert "Server e-mail > De bază" in pictures["webconfig_basic_pending"]
    assert "Stare server e-mail" in pictures["email_server_status"]
    assert "Sign in with Microsoft" in pictures["webconfig_signin_start"]
    assert "360" in pictures["outcome_not_signed_in_360"]  # a real send against the simulator
    assert "Cod de eroare: 312" in pictures["job_detail_basic_refused"]  # Basic refused after the cutoff
    assert "K7Q2MWX9P" in pictures["webconfig_signin_code"].replace(" ", "").replace("-", "")
    # the list at the end names every screen it showed, in order
    assert handout.listed == shown


def test_the_romanian_handout_has_the_guides_steps_and_words(romanian):
    handout = read(romanian)
    assert handout.sections == [s.key for s in guide.sections()] + ["screens"]
    assert handout.steps["basic"] == [step.key for step in guide.SECTIONS[1].steps]
    assert len(handout.steps["basic"]) == 12  # the guide's twelve numbered steps
    text = handout.words
    for word in WORDS["ro"]:
        assert word in text, word
    assert "Setări > Setări generale > Setări rețea > Stare rețea > Stare server e-mail" in text
    assert "Setări > Setări generale > Setări rețea > Stare rețea > Imprimare foaie stare" in text
    assert "Email Server" not in text and "Sign In," not in text  # no English left in the steps


def test_values_are_the_simulators_tenant_never_blanked(romanian):
    text = read(romanian).words
    admin, printer, user = (account.upn for account in SEEDED_ACCOUNTS[:3])
    for value in (admin, printer, user, "192.0.2.10", "smtp-mail.outlook.com", "587", "STARTTLS"):
        assert value in text, value
    assert not re.search(r"\[(redacted|blanked)\]|x{4,}|\*{4,}", text, re.IGNORECASE)


def test_the_troubleshooting_table_lists_every_code_the_emulator_reproduces(romanian):
    rows = read(romanian).table_rows
    assert rows[0] == ["Cod de eroare", "Stare", "Soluție", "Cine rezolvă"]
    assert [int(row[0]) for row in rows[1:]] == sorted(ERROR_CODES)
    t = Translator.load(language="ro").t
    by_code = {int(row[0]): row for row in rows[1:]}
    assert {360, 361, 370} <= set(by_code)
    for code, entry in ERROR_CODES.items():
        assert by_code[code][1:] == [t(entry.situation_key), t(entry.solution_key), t(entry.fixer_key)]


def test_the_handout_is_self_contained(romanian):
    text = romanian.read_text(encoding="utf-8")
    assert read(romanian).fetches == []
    assert "https://cdnjs" not in text and "<script" not in text and "@import" not in text
    # one figure's CSS classes cannot style another's
    ids = re.findall(r'class="(screen\d+)-matrix"', text)
    assert len(ids) == len(set(ids)) == len(guide.screens())


def test_the_english_handout_in_a_quick_build(english):
    handout = read(english)
    text = handout.words
    for word in WORDS["en"]:
        assert word in text, word
    assert [f["screen"] for f in handout.figures] == guide.screens()  # every step keeps its figure
    drawn = {f["screen"]: f["svg"] for f in handout.figures if f["svg"]}
    assert sorted(drawn) == sorted(EN_ONLY)
    assert "Email Server > Basic" in screen_text(drawn["webconfig_basic_pending"])
    assert "Email Server Status" in screen_text(drawn["email_server_status"])
    assert text.count("This screen was not rendered in this build (--only).") == len(guide.screens()) - 2
    assert '<html lang="en">' in english.read_text(encoding="utf-8")


@pytest.mark.parametrize(("argv", "message"), [
    (["guide", "--out", "{out}", "--only", "no_such_screen"], "no screen named no_such_screen"),
    (["guide", "--out", "{out}", "--jobs", "0"], "--jobs must be 1 or more"),
    (["guide", "--out", "{file}"], "not a folder"),
])
def test_bad_options_are_named_with_exit_2(tmp_path, capsys, argv, message):
    (tmp_path / "file").write_text("x")
    argv = [a.format(out=tmp_path / "out", file=tmp_path / "file") for a in argv]
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_unknown_language_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["guide", "--lang", "xx", "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert "invalid choice: 'xx'" in capsys.readouterr().err


def test_every_step_has_its_words_in_both_languages():
    for lang in LANGUAGES:
        translator = Translator.load(language=lang)
        for section in guide.sections():
            assert translator.has(f"guide.{section.key}.title"), (lang, section.key)
            for step in section.steps:
                assert translator.has(f"guide.{section.key}.step.{step.key}"), (lang, section.key, step.key)


@pytest.mark.browser
def test_the_pdf_prints_in_chromium_and_the_page_shows_every_figure(english, tmp_path):
    chromium_path()  # skips, saying how to install it, without Chromium
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright for Python is missing: pip install playwright")
    pdf = guide.write_pdf(english, tmp_path / "guide.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 4  # 23 steps' figures and text on A4
    # The page itself, printed as Chromium lays it out: every drawn screen fits the A4 width.
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=guide.CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(english.resolve().as_uri())
            page.emulate_media(media="print")
            widths = page.eval_on_selector_all("figure svg", "nodes => nodes.map(n => n.getBoundingClientRect().width)")
            # 17 cm and a 1 px border
            assert len(widths) == len(EN_ONLY) and all(0 < width <= 17 / 2.54 * 96 + 2 for width in widths)
            assert requests == [english.resolve().as_uri()]  # nothing else fetched
        finally:
            browser.close()


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_the_classroom_report_links_the_handout(lang):
    t = Translator.load(language=lang).t
    page = _html(None, [], [], lang, t, [], t("classroom.report.yes"), t("classroom.report.no"))
    assert f'<a href="guide/index.html">{t("classroom.report.handout")}</a>' in page.replace("&#x27;", "'")
    assert f"panel-tui guide --lang {lang} --out guide" in page


def test_the_basic_to_oauth_migration_has_its_section(romanian):
    handout = read(romanian)
    assert "migration" in handout.sections
    assert handout.steps["migration"] == ["refused", "switch", "report", "stopgap", "scenario"]
    text = handout.words
    assert "De la autentificarea de bază la OAuth 2.0" in text and "MC786329" in text
    assert "panel-tui --scenario basic-cutoff" in text


def test_pdf_without_chromium_says_how_to_get_it_and_keeps_the_page(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PANEL_TUI_CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / "out"
    assert cli.main(["guide", "--out", str(out), "--only", "email_server_status", "--jobs", "1", "--pdf"]) == 1
    err = capsys.readouterr().err
    assert "--pdf needs Chromium" in err and "no-chromium" in err and "Traceback" not in err
    assert (out / "index.html").is_file() and not (out / "guide.pdf").exists()


def test_to_my_email_follows_the_guides_flow_on_the_panel(romanian):
    """The administrator logs in, signs in on the panel (address > Înainte, password > Autentificare),
    ticks "Acceptați în numele organizației" > Accept, the message > OK; then each user; the phone's
    code stays as an option. Each moment with the panel's own screen."""
    handout = read(romanian)
    assert handout.steps["tme"] == ["sender", "admin_login", "admin", "consent", "done", "users", "wrong_password",
                                    "phone"]
    pictures = {figure["screen"]: screen_text(figure["svg"]) for figure in handout.figures}
    assert "Conectare administrator" in pictures["to_my_email_user"]
    assert "Acceptați în numele organizației" in pictures["tme_signin_permissions"]
    assert "Accept" in pictures["tme_signin_permissions"]
    assert "Print Admin Serverless" in pictures["tme_signin_done_admin"] and "OK" in pictures["tme_signin_done_admin"]
    assert "Înainte" in pictures["tme_signin_account"]
    assert "megan@contoso.onmicrosoft.com" in pictures["tme_signin_account"]
    assert "Contul sau parola sunt incorecte." in pictures["tme_signin_password_wrong"]
    text = handout.words
    assert "Înainte" in text and "Autentificare" in text and "OK îl închide" in text
