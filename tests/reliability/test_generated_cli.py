"""Every command and flag with generated values (Hypothesis): a documented exit code, no
traceback, words on a failure, and nothing already stored changed by a command that failed.

Commands run in this process (panel_tui.cli.main). Those that need the cloud are pointed at a
closed loopback port; nothing that would start a server, a panel or a class is generated (a
`serve` that would listen is caught before it does)."""
from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from panel_tui import assembly, serve
from panel_tui.device.joblog import JobLog
from panel_tui.device.paths import resolve_paths
from panel_tui.device.settings import FIELDS
from panel_tui.scenarios import load_scenarios
from tests.reliability.generated import NASTY, assert_clear, nasty_text, run_cli, stored

CLOSED = ["--sim-url", "https://127.0.0.1:9"]  # nothing listens: "cannot be reached", at once


@pytest.fixture
def home(panel_home, tmp_path, monkeypatch):
    """A home with something stored (a setting, a password, a finished job), run from a scratch folder."""
    monkeypatch.chdir(tmp_path)
    assert run_cli(["config", "set", "smtp_server", "smtp.office365.com"])[0] == 0
    assert run_cli(["config", "set", "password", "-"], stdin="Secret-1\n")[0] == 0
    log = JobLog(resolve_paths("default").joblog_file)
    log.finish(log.start("test_mail", "to megan@contoso.onmicrosoft.com"), "ok")
    return panel_home


def _check(home, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    before = stored(home)
    code, out, err = run_cli(argv, stdin)
    assert_clear(argv, code, out, err)
    if code != 0:
        after = stored(home)
        changed = {name for name, digest in before.items() if after.get(name) != digest}
        assert not changed, f"argv={argv!r} failed with {code} and changed {changed}"
    return code, out, err


def _fields() -> list[str]:
    return [spec.name for spec in FIELDS]


global_options = st.lists(st.one_of(
    st.tuples(st.just("--profile"), nasty_text()),
    st.tuples(st.just("--lang"), st.sampled_from(["en", "ro", "xx", ""])),
    st.tuples(st.just("--sim-fingerprint"), nasty_text()),
    st.tuples(st.just("--sim-ca"), nasty_text()),
), max_size=2).map(lambda pairs: [word for pair in pairs for word in pair])


@given(options=global_options, field=st.one_of(st.sampled_from(_fields()), nasty_text()), value=nasty_text(),
       fax=st.booleans())
@example(options=[], field="smtp_port", value="1e400", fax=False)
@example(options=[], field="sender", value="a\r\nBcc: x@y.z", fax=True)
def test_config_set(home, options, field, value, fax):
    _check(home, [*options, "config", "set", *(["--fax"] if fax else []), field, value], stdin=value + "\n")


@given(options=global_options, fax=st.booleans(), json_=st.booleans(), action=st.sampled_from(["show", "jobs"]))
def test_config_show_and_jobs(home, options, fax, json_, action):
    if action == "show":
        argv = ["config", "show", *(["--fax"] if fax else [])]
    else:
        argv = ["jobs", *(["--json"] if json_ else [])]
    _check(home, [*options, *argv])


@given(action=st.sampled_from(["retry", "show"]),
       job_id=st.one_of(st.integers(min_value=-2**70, max_value=2**70).map(str), nasty_text()))
@example(action="retry", job_id="9223372036854775808")
@example(action="show", job_id="-1")
def test_jobs_actions(home, action, job_id):
    _check(home, [*CLOSED, "jobs", action, job_id])


@given(to=st.lists(nasty_text(), min_size=1, max_size=3), subject=st.one_of(st.none(), nasty_text()),
       attach=st.lists(nasty_text(), max_size=2), scan=st.booleans())
@example(to=["megan@contoso.onmicrosoft.com"], subject=None, attach=["a" * 300], scan=False)
@example(to=["megan@contoso.onmicrosoft.com"], subject="x\r\nBcc: y@z.w", attach=[], scan=False)
@example(to=["megan@contoso.onmicrosoft.com"], subject=None, attach=["x\r\ny.pdf"], scan=False)
def test_send(home, to, subject, attach, scan):
    argv = [*CLOSED, "send"]
    for address in to:
        argv += ["--to", address]
    if subject is not None:
        argv += ["--subject", subject]
    for name in attach:
        argv += ["--attach", name]
    if scan:
        argv.append("--scan")
    _check(home, argv)


@given(command=st.sampled_from(["status", "sheet", "signin", "signout", "doctor"]), options=global_options,
       extra=st.lists(st.sampled_from(["--fax", "--json", "--live", "-x", *NASTY[:6]]), max_size=2))
@example(command="status", options=["--sim-ca", "\x00"], extra=[])  # found by this test: was exit 70
@example(command="doctor", options=["--profile", " "], extra=[])  # found by this test: was exit 70
def test_commands_that_need_the_cloud(home, command, options, extra):
    if "--live" in extra:  # live mode would leave this machine: never
        extra = [word for word in extra if word != "--live"]
    _check(home, [*options, *CLOSED, command, *extra])


@given(host=nasty_text(), port=st.one_of(st.integers(min_value=-2**40, max_value=2**40).map(str), nasty_text()))
@example(host="..", port="8000")
@example(host="\u202e", port="8000")
@example(host="", port="8000")
def test_serve(home, monkeypatch, host, port):
    monkeypatch.setattr(serve, "serve", lambda *args, **kwargs: 0)  # where it would listen, it does not
    _check(home, ["serve", "--host", host, "--port", port])


@given(menus=nasty_text(), locales=nasty_text())
def test_check(home, menus, locales):
    _check(home, ["check", "--menus", menus, "--locales", locales])


def _not_a_class_size(text: str) -> bool:
    try:
        return not 1 <= int(text) <= 60
    except ValueError:
        return True


@given(argv=st.one_of(
    st.just(["sim", "status"]), st.just(["sim", "status", "--json"]),
    st.tuples(st.just("sim"), st.just("status"), nasty_text()).map(list),
    st.just(["classroom", "status"]), st.just(["classroom", "stop"]),
    st.tuples(st.just("classroom"), st.just("report"), st.just("--out"), nasty_text()).map(list),
    st.tuples(st.just("classroom"), st.just("start"), st.just("--seats"),
              nasty_text().filter(_not_a_class_size)).map(list),
    st.tuples(st.just("scenarios"), nasty_text()).map(list),
    st.just(["--scenario", ""]),  # found by this test: started the panel
    st.tuples(st.just("--scenario"), nasty_text().filter(lambda name: name not in _scenario_names())).map(list),
    st.tuples(st.just("gallery"), st.just("--only"), nasty_text().map(lambda name: "zz" + name),
              st.just("--out"), nasty_text()).map(list),
    st.tuples(st.just("guide"), st.just("--only"), nasty_text().map(lambda name: "zz" + name),
              st.just("--out"), nasty_text()).map(list),
))
def test_other_commands(home, monkeypatch, argv):
    def no_panel(*args, **kwargs):
        raise AssertionError(f"{argv!r} would start the panel")

    monkeypatch.setattr(assembly, "build_app", no_panel)
    _check(home, argv)


def _scenario_names() -> set[str]:
    return set(load_scenarios())
