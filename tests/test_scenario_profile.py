"""`--scenario NAME` never wipes silently: it starts on its own profile, and one with work in it is
wiped only with --reset (or the trainer's confirmation on a terminal)."""
from __future__ import annotations

import pytest

from panel_tui import assembly, cli
from panel_tui.app import PanelApp
from panel_tui.device.paths import resolve_paths
from panel_tui.device.printer import Printer
from panel_tui.i18n import Translator
from panel_tui.scenarios import simulator_work
from panel_tui.ui.scenario_start import WipeConfirmApp


class _Stop(ValueError):
    pass


@pytest.fixture
def opened(monkeypatch):
    """The profiles `panel-tui` would open the panel on (the panel itself is not started)."""
    profiles: list[str] = []

    def fake_build_app(profile, lang=None, **kwargs):
        profiles.append(profile)
        raise _Stop("the test stops here")

    monkeypatch.setattr(assembly, "build_app", fake_build_app)
    return profiles


def _with_a_job(profile: str) -> None:
    printer = Printer.open(resolve_paths(profile))
    log = printer.joblog
    log.finish(log.start("test_mail"), "error", error_code=360)


def _jobs(profile: str) -> int:
    return len(Printer.open(resolve_paths(profile)).joblog.jobs())


def test_scenario_starts_on_its_own_profile_and_leaves_the_default_untouched(opened):
    _with_a_job("default")
    assert cli.main(["--scenario", "token-expired"]) == 1  # stopped by the test at build_app
    assert opened == ["token-expired"]
    assert _jobs("default") == 1


def test_profile_option_names_the_scenarios_profile(opened):
    assert cli.main(["--profile", "class-a", "--scenario", "token-expired"]) == 1
    assert opened == ["class-a"]


def test_a_scenario_profile_with_work_is_wiped_only_with_reset(opened, capsys):
    _with_a_job("token-expired")
    assert cli.main(["--scenario", "token-expired"]) == 2
    err = capsys.readouterr().err
    assert "Profile token-expired has work in it (jobs)" in err and "--reset" in err
    assert opened == [] and _jobs("token-expired") == 1
    assert cli.main(["--scenario", "token-expired", "--reset"]) == 1
    assert opened == ["token-expired"] and _jobs("token-expired") == 0


@pytest.mark.parametrize(("keys", "answer"), [(("enter",), False), (("right", "enter"), True), (("escape",), False)])
async def test_the_wipe_is_confirmed_in_the_tui_and_cancel_is_the_default(keys, answer):
    app = WipeConfirmApp(Translator.load(language="en").t, "token-expired", "Profile token-expired has work in it.")
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Start scenario token-expired?" in str(app.query_one("#wipe-title").render())
        await pilot.press(*keys)
    assert app.return_value is answer


def test_the_shared_simulator_is_reset_only_when_told(monkeypatch, capsys):
    """The home's simulator holds the default profile's prepared tenant and sign-ins: a scenario
    resets it only with --reset (or the trainer's confirmation on a terminal)."""
    monkeypatch.setattr(PanelApp, "run", lambda self, *args, **kwargs: None)  # the panel is not shown
    app = assembly.build_app("default", "en")
    try:
        control = app.backend.control()
        assert simulator_work(control.state()) == []
        control.set_security_defaults(False)  # the default profile's tenant, prepared as the guide says
        control.set_smtp_auth_org(True)
        assert cli.main(["--scenario", "fresh"]) == 2
        err = capsys.readouterr().err
        assert "shared by every profile" in err and "a prepared tenant" in err and "--reset" in err
        assert control.state()["policies"]["security_defaults"] is False  # untouched
        assert cli.main(["--scenario", "fresh", "--reset"]) == 0
        assert control.state()["policies"]["security_defaults"] is True
    finally:
        app.backend.stop()
