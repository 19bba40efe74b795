"""Help shows the serial number (the administrator password until changed) and the simulator's
admin center and sign-in URLs; the trainer console's error lines keep their cause at 80x24."""
from __future__ import annotations

import pytest

from panel_tui.backend import Backend
from panel_tui.device.admin import set_admin_password
from panel_tui.ui.help_screen import HELP_KEYS, HelpScreen
from tests.helpers.panel import open_trainer, settle
from tests.helpers.screen import screen_lines, screen_text


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "Until it is changed, it is also the administrator password"),
    ("ro", "Până la schimbarea parolei, acesta este și parola de administrator"),
])
async def test_help_shows_the_serial_number_as_the_readme_says(make_app, lang, words):
    app = make_app(lang)
    serial = app.printer.settings.serial_number
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(HelpScreen())
        await pilot.pause()
        text = str(app.screen.query_one("#help-serial").render())
        assert serial in text and words in text
        app.printer.update(lambda s: set_admin_password(s, "Changed-2026"))
        app.pop_screen()
        app.push_screen(HelpScreen())
        await pilot.pause()
        changed = str(app.screen.query_one("#help-serial").render())
        assert serial in changed and words not in changed


async def test_help_shows_the_simulators_admin_center_and_sign_in_urls(make_e2e_app, sim_thread):
    app = make_e2e_app("en")
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(HelpScreen())
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(app.screen.query_one("#help-sim").render())
    assert sim_thread.endpoints.admin_url in text and sim_thread.endpoints.verification_uri in text


async def test_help_opened_before_the_simulator_is_up_shows_its_urls_once_it_is(make_e2e_app, sim_thread, monkeypatch):
    """The simulator starts after the first frame: Help opened at once waits for it, as the README says."""
    app = make_e2e_app("ro")
    monkeypatch.setattr(Backend, "ready", property(lambda self: False))  # still starting
    async with app.run_test(size=(120, 40)) as pilot:
        app.start_backend = True  # a panel on a terminal (the test's own backend is already wired)
        app.push_screen(HelpScreen())
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(app.screen.query_one("#help-sim").render())
    assert sim_thread.endpoints.admin_url in text and sim_thread.endpoints.verification_uri in text
    assert "centrul de administrare" in text.lower()


async def test_a_trainer_error_line_keeps_its_cause_at_80x24(make_e2e_app):
    app = make_e2e_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_trainer(app, pilot)

        def fails(backend):
            raise RuntimeError("the control API answered 409 Conflict for this request because\n"
                               "the tenant is being reset by another trainer: CAUSE-AT-THE-END")

        screen._run("Revoke sessions", fails)
        await settle(app, pilot)
        assert "CAUSE-AT-THE-END" in " ".join(screen_text(app).split())


async def test_the_trainer_console_shows_the_admin_center_and_sign_in_urls(make_e2e_app, sim_thread):
    app = make_e2e_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_trainer(app, pilot)
        text = " ".join(screen_text(app).split())
    assert f"Admin center: {sim_thread.endpoints.admin_url}" in text
    assert f"Sign-in page: {sim_thread.endpoints.verification_uri}" in text


@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_help_lists_each_key_on_one_line_with_what_it_does(make_app, lang, size):
    """Every App key is in Help, its caps and its meaning on one line, aligned in columns: the
    hand-aligned text wrapped at 80x24 ("Ctrl+Q" on one line, "quit" on the next) and Romanian's
    longer words pushed the columns out of line."""
    app = make_app(lang)
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")
        body = app.screen.query_one("#help-body")
        lines = []
        for _ in range(12):  # scroll through the whole body
            lines.extend(screen_lines(app))
            body.scroll_down(animate=False)
            await pilot.pause()
        drawn = "\n".join(lines)
        starts = set()
        for caps, key in HELP_KEYS:
            meaning = app.t(key)
            row = next((line for line in lines if caps in line and meaning in line), None)
            assert row is not None, f"{caps} {meaning!r} not on one line:\n{drawn}"
            starts.add(row.index(meaning) - row.index(caps))
        assert len(starts) <= 1 or size == (120, 36), starts  # one column: the meanings line up
    bound = {binding.id for binding in app.BINDINGS if binding.id and binding.id != "back"}
    listed = {key.rsplit(".", 1)[-1] for _caps, key in HELP_KEYS}
    assert bound <= listed, bound - listed  # no App key missing from Help
