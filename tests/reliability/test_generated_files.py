"""Every file the product reads, corrupted in generated ways (Hypothesis): truncated, a byte
changed, bytes inserted, replaced by garbage, or well-formed JSON with generated values. The
property: a clear message and a documented exit code (or the file's own error type for the
simulator's files), no traceback, and the corrupt file itself left as it was (or kept aside)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from panel_tui.classroom.roster import class_dir
from panel_tui.device.joblog import JobLog
from panel_tui.device.paths import resolve_paths, simulator_dir
from panel_tui.scenarios import ScenarioError, check_scenarios, load_scenarios
from panel_tui.sim.atomic_file import SimFileError
from panel_tui.sim.pki import ensure_pki
from panel_tui.sim.runtime import SimulatorThread
from panel_tui.sim.state import SimState
from panel_tui.sim.tokens import SigningKey
from tests.reliability.generated import assert_clear, nasty_bytes, run_cli

CLOSED = ["--sim-url", "https://127.0.0.1:9"]
REPO = Path(__file__).resolve().parents[2]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**80, max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def corrupted(original: bytes) -> st.SearchStrategy[bytes]:
    """`original` spoiled: truncated, one byte changed, bytes inserted, or garbage instead."""
    size = len(original)
    return st.one_of(
        nasty_bytes(),
        st.integers(0, size).map(lambda cut: original[:cut]),
        st.tuples(st.integers(0, max(size - 1, 0)), st.integers(0, 255)).map(
            lambda change: original[:change[0]] + bytes([change[1]]) + original[change[0] + 1:]),
        st.tuples(st.integers(0, size), st.binary(min_size=1, max_size=20)).map(
            lambda insert: original[:insert[0]] + insert[1] + original[insert[0]:]),
    )


def _paths():
    return resolve_paths("default")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class Originals(dict):
    """The valid files' bytes (shown short when an example fails)."""

    def __repr__(self) -> str:
        return f"Originals({sorted(self)})"


@pytest.fixture
def profile(panel_home, tmp_path, monkeypatch):
    """The default profile with settings, a password and a job; returns its valid files' bytes."""
    monkeypatch.chdir(tmp_path)
    assert run_cli(["config", "set", "sender", "printer@contoso.onmicrosoft.com"])[0] == 0
    assert run_cli(["config", "set", "password", "-"], stdin="Secret-1\n")[0] == 0
    paths = _paths()
    log = JobLog(paths.joblog_file)
    log.finish(log.start("test_mail", "to megan@contoso.onmicrosoft.com"), "ok")
    del log
    return Originals(settings=paths.settings_file.read_bytes(), secrets=paths.secrets_file.read_bytes(),
                     joblog=paths.joblog_file.read_bytes())


SETTINGS_DOC = json.dumps({"schema": 1, "settings": {"email_server": {"smtp_port": 587}}}).encode()


@given(data=st.data(), which=st.sampled_from(["settings", "secrets"]),
       command=st.sampled_from([["config", "show"], [*CLOSED, "doctor"], ["jobs"], [*CLOSED, "status"],
                                ["config", "set", "smtp_port", "25"], ["scenarios"]]))
@example(data=None, which="settings", command=["config", "show"])  # the settings file as it was
def test_a_corrupt_settings_or_secrets_file(profile, data, which, command):
    path = _paths().settings_file if which == "settings" else _paths().secrets_file
    if data is None:
        content = profile[which]
    else:
        content = data.draw(st.one_of(
            corrupted(profile[which]),
            st.builds(lambda field, value: json.dumps(
                {"schema": 1, "settings": {"email_server": {field: value}}}).encode(),
                st.sampled_from(["smtp_port", "sender", "auth_method", "password", "x"]), json_values),
            st.builds(lambda key, value: json.dumps({key: value}).encode(),
                      st.sampled_from(["email_server.password", "fax_email_server.password", ""]), json_values),
        ), label="content")
    _write(path, content)
    code, out, err = run_cli(command)
    assert_clear(command, code, out, err)
    if code != 0 or command[0] != "config" or command[1] != "set":
        assert path.read_bytes() == content  # read, never rewritten or removed


@given(data=st.data(), command=st.sampled_from([["jobs"], ["jobs", "--json"], ["jobs", "show", "1"],
                                                ["config", "show"], [*CLOSED, "jobs", "retry", "1"]]))
def test_a_corrupt_job_log(profile, data, command):
    path = _paths().joblog_file
    content = data.draw(corrupted(profile["joblog"]), label="content")
    _write(path, content)
    code, out, err = run_cli(command)
    assert_clear(command, code, out, err)
    if command[0] == "config":
        assert code == 0  # the job log breaks only the job commands
    # Left as it was; an empty file is an empty job log, which a command may set up.
    assert path.read_bytes() == content or content == b""


@pytest.fixture
def data_files(tmp_path):
    """Copies of the shipped menus and locales (one is corrupted per example)."""
    menus, locales = tmp_path / "menus", tmp_path / "locales"
    shutil.copytree(REPO / "menus", menus)
    shutil.copytree(REPO / "locales", locales)
    return Originals({path.relative_to(tmp_path).as_posix(): path.read_bytes()
                      for path in [*menus.glob("*.toml"), *locales.glob("*.toml")]}), tmp_path


@given(data=st.data())
def test_corrupt_menus_and_locales_are_reported_by_check(data_files, data):
    originals, root = data_files
    name = data.draw(st.sampled_from(sorted(originals)), label="file")
    content = data.draw(corrupted(originals[name]), label="content")
    (root / name).write_bytes(content)
    try:
        argv = ["check", "--menus", str(root / "menus"), "--locales", str(root / "locales")]
        code, out, err = run_cli(argv)
        assert_clear(argv, code, out, err)
        assert code in (0, 1)
        if code == 1:
            assert "problem(s) found" in err
    finally:
        (root / name).write_bytes(originals[name])


@given(data=st.data())
def test_corrupt_scenarios_are_named_problems(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("scenarios")
    shipped = sorted((REPO / "scenarios").glob("*.toml"))
    for path in shipped:
        shutil.copy(path, folder / path.name)
    victim = data.draw(st.sampled_from(shipped), label="scenario")
    (folder / victim.name).write_bytes(data.draw(corrupted(victim.read_bytes()), label="content"))
    problems = check_scenarios(folder)
    assert all(isinstance(problem, str) and problem for problem in problems)
    try:
        load_scenarios(folder)
    except ScenarioError as error:
        assert error.problems


@given(data=st.data(), which=st.sampled_from(["class.json", "passwords.json", "keys.json", "events.jsonl"]),
       command=st.sampled_from([["classroom", "status"], ["classroom", "report", "--out", "report"]]))
def test_corrupt_classroom_files(panel_home, tmp_path, monkeypatch, data, which, command):
    monkeypatch.chdir(tmp_path)
    folder = class_dir()
    valid = {"class.json": json.dumps({"schema": 1, "seats": [], "lang": "en", "host": "127.0.0.1",
                                       "sim_url": "https://127.0.0.1:9", "started_at": 0}).encode(),
             "passwords.json": b'{"seat01": "pw"}', "keys.json": b'{"seat01": "key"}',
             "events.jsonl": b'{"at": 0, "kind": "reset", "seats": [], "detail": "", "ok": true}\n'}
    for name, content in valid.items():
        _write(folder / name, content)
    content = data.draw(st.one_of(corrupted(valid[which]),
                                  json_values.map(lambda value: json.dumps(value).encode())), label="content")
    _write(folder / which, content)
    code, out, err = run_cli(command)
    assert_clear(command, code, out, err)
    assert (folder / which).read_bytes() == content


# ---- the simulator's own files ------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_state(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("state") / "state.json"
    SimState.load(path).save()
    return path.read_bytes()


@given(data=st.data())
def test_a_corrupt_simulator_state(tmp_path_factory, valid_state, data):
    path = tmp_path_factory.mktemp("state") / "state.json"
    valid = valid_state
    content = data.draw(st.one_of(
        corrupted(valid),
        st.builds(lambda key, value: json.dumps({**json.loads(valid), key: value}).encode(),
                  st.sampled_from(["version", "clock_offset", "tenant"]), json_values)), label="content")
    path.write_bytes(content)
    try:
        SimState.load(path)
    except SimFileError as error:
        assert str(path) in str(error)
        assert path.read_bytes() == content


@given(data=st.data(), which=st.sampled_from(["signing-key.pem", "pki/ca.pem", "pki/ca-key.pem",
                                             "pki/server.pem", "pki/server-key.pem"]))
def test_corrupt_simulator_keys(sim_keys, data, which):
    folder, originals = sim_keys
    for name, original in originals.items():
        (folder / name).write_bytes(original)
    content = data.draw(corrupted(originals[which]), label="content")
    (folder / which).write_bytes(content)
    try:
        if which == "signing-key.pem":
            SigningKey.load_or_create(folder / which)
        else:
            ensure_pki(folder / "pki")
    except SimFileError as error:
        assert str(error).startswith(str(folder))
        assert (folder / which).read_bytes() == content  # kept for the person to look at
    else:
        if which in ("signing-key.pem", "pki/ca-key.pem"):
            assert (folder / which).read_bytes() == content  # a key is never replaced


@pytest.fixture(scope="module")
def sim_keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    SigningKey.load_or_create(folder / "signing-key.pem")
    ensure_pki(folder / "pki")
    names = ["signing-key.pem", "pki/ca.pem", "pki/ca-key.pem", "pki/server.pem", "pki/server-key.pem"]
    return folder, Originals({name: (folder / name).read_bytes() for name in names})


# ---- the token cache and MSAL's HTTP cache, read by a command joined to a simulator ---------------


@pytest.fixture
def joined(panel_home, tmp_path, monkeypatch):
    """The home's simulator (in this process) and the default profile with OAuth2 applied."""
    monkeypatch.chdir(tmp_path)
    sim = SimulatorThread(simulator_dir())
    sim.start(timeout=60)
    try:
        assert run_cli(["config", "set", "auth_method", "oauth2"])[0] == 0
        yield ["--sim-url", sim.endpoints.base_url]
    finally:
        sim.stop()


@given(data=st.data(), which=st.sampled_from(["token_cache.json", "token_cache.msal-http-cache.json"]),
       command=st.sampled_from([["status"], ["sheet"], ["signout"]]))
def test_a_corrupt_token_cache_or_msal_http_cache(joined, data, which, command):
    path = _paths().config_dir / which
    content = data.draw(st.one_of(nasty_bytes(), json_values.map(lambda value: json.dumps(value).encode()),
                                  st.builds(lambda key, value: json.dumps({key: value}).encode(),
                                            st.sampled_from(["AccessToken", "RefreshToken", "Account", "IdToken"]),
                                            json_values)), label="content")
    _write(path, content)
    argv = [*joined, *command]
    code, out, err = run_cli(argv)
    assert_clear(argv, code, out, err)
    aside = path.with_name(path.name + ".unreadable")
    kept = [p.read_bytes() for p in (path, aside) if p.exists()]
    assert content in kept or command == ["signout"] or content.strip() in (b"", b"{}", b"null")
