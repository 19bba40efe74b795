"""``panel-tui sim``: the home's Microsoft 365 simulator.

``panel-tui sim`` runs it in the foreground until interrupted: it is then the simulator of
its home (panels and commands of the home join it). It prints the endpoints, the CA path
and its SHA-256 fingerprint, the Maildir path and the seeded accounts; with ``--json`` one
JSON object on one line instead (with the control API secret, for its owner). Binds to
loopback unless told otherwise. ``sim start`` starts the background service (as any panel
does), ``sim status`` shows the one serving, ``sim stop`` stops it.
"""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import signal
import sys
from contextlib import suppress
from pathlib import Path
from typing import TypedDict

from panel_tui.sim import service
from panel_tui.sim.atomic_file import SimFileError
from panel_tui.sim.control import read_control_secret
from panel_tui.sim.endpoints import SimEndpoints
from panel_tui.sim.tenant import SEEDED_ACCOUNTS


class _AccountRow(TypedDict):
    upn: str
    display_name: str
    roles: list[str]
    password: str
    note: str


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="panel-tui sim",
        description="The home's Microsoft 365 simulator (identity provider, sign-in pages, admin center, "
                    "SMTP). Without an action: run it in the foreground until interrupted; panels and "
                    "commands of this home join it.",
    )
    parser.add_argument("action", nargs="?", default="run", choices=("run", "start", "status", "stop"),
                        help="run (default, foreground), start (background service), status, stop")
    parser.add_argument("--json", action="store_true", help="print one JSON object on one line")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="HTTPS port (default: a free port)")
    parser.add_argument("--smtp-port", type=int, default=0, help="SMTP port (default: a free port)")
    return parser


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str], data_dir: Path) -> int:
    args = build_parser().parse_args(argv)
    data_dir = Path(data_dir)
    if args.action == "status":
        return _status(args, data_dir)
    if args.action == "stop":
        return _stop(args, data_dir)
    if args.action == "start":
        return _start(args, data_dir)
    for port in (args.port, args.smtp_port):
        if not 0 <= port <= 65535:
            print(f"panel-tui sim: invalid port {port}", file=sys.stderr)
            return 2
    if not is_loopback_host(args.host):
        print(
            f"warning: binding to {args.host}, not loopback: other machines can reach the "
            "simulator's sign-in pages, admin center and SMTP server (the control API still "
            "answers loopback clients only).",
            file=sys.stderr,
        )
    try:
        return asyncio.run(_serve(args, data_dir))
    except KeyboardInterrupt:
        return 0


def _already_serving(data_dir: Path) -> str:
    info = service.RuntimeInfo.read(data_dir)
    where = f" at {info.base_url} (pid {info.pid})" if info else ""
    return (f"panel-tui sim: a simulator already serves this home{where}; panels and commands "
            "join it. `panel-tui sim status` shows it, `panel-tui sim stop` stops it.")


async def _serve(args: argparse.Namespace, data_dir: Path) -> int:
    home = service.HomeSimulator(data_dir, mode="foreground", host=args.host,
                                 http_port=args.port, smtp_port=args.smtp_port)
    with service.start_lock(data_dir):  # nobody starts a service while we claim the home
        if not home.claim():
            print(_already_serving(data_dir), file=sys.stderr)
            return 1
        try:
            info = await home.start()
        except (OSError, SimFileError) as error:
            await home.close()
            print(f"panel-tui sim: cannot start: {error}", file=sys.stderr)
            return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):  # not on this platform / not main thread
            loop.add_signal_handler(signum, stop.set)
    try:
        endpoints = SimEndpoints.from_dict(info.endpoints)
        if args.json:
            _announce(describe_json(endpoints, info))
        else:
            _announce(describe(endpoints, info) + "\n\nPress Ctrl+C to stop.")
        await home.run_until(stop)
    finally:
        await home.close()
    return 0


def _start(args: argparse.Namespace, data_dir: Path) -> int:
    try:
        info = service.ensure_running(data_dir)
    except service.SimServiceError as error:
        print(f"panel-tui sim: {error}", file=sys.stderr)
        return 1
    endpoints = SimEndpoints.from_dict(info.endpoints)
    _announce(describe_json(endpoints, info) if args.json else describe(endpoints, info))
    return 0


def _status(args: argparse.Namespace, data_dir: Path) -> int:
    info = service.running(data_dir)
    if info is None:
        if args.json:
            print(json.dumps({"running": False, "data_dir": str(data_dir)}))
        else:
            print(f"No simulator serves this home ({data_dir}). Panels and commands start one when "
                  "they need it; `panel-tui sim` runs one in the foreground.")
        return 3  # as `systemctl status` of a stopped unit
    if args.json:
        print(json.dumps({"running": True, **_runtime_fields(info), **info.endpoints}, separators=(",", ":")))
    else:
        print(describe(SimEndpoints.from_dict(info.endpoints), info, accounts=False))
    return 0


def _stop(args: argparse.Namespace, data_dir: Path) -> int:
    try:
        info = service.stop(data_dir)
    except service.SimServiceError as error:
        print(f"panel-tui sim: {error}", file=sys.stderr)
        return 1
    if info is None:
        print("No simulator was serving this home.")
    else:
        print(f"Stopped the simulator (pid {info.pid}) at {info.base_url}.")
    return 0


def _runtime_fields(info: service.RuntimeInfo) -> dict[str, object]:
    return {"pid": info.pid, "mode": info.mode, "ca_fingerprint": info.fingerprint,
            "idle_timeout": info.idle_timeout, "log_path": info.log_path, "started_at": info.started_at}


def _announce(text: str) -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Whoever read our output is gone (e.g. `| head`); keep serving, write nowhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _accounts() -> list[_AccountRow]:
    return [
        _AccountRow(upn=a.upn, display_name=a.display_name, roles=list(a.roles), password=a.password, note=a.note)
        for a in SEEDED_ACCOUNTS
    ]


def describe_json(endpoints: SimEndpoints, info: service.RuntimeInfo | None = None) -> str:
    """The endpoints, the runtime (pid, CA fingerprint), the control API secret and the
    seeded accounts as one line of JSON (for the simulator's owner: it holds secrets)."""
    data = {**endpoints.to_dict(), **(_runtime_fields(info) if info else {}),
            "control_secret": read_control_secret(endpoints.control_secret_path),
            "seeded_accounts": _accounts()}
    return json.dumps(data, separators=(",", ":"))


def describe(endpoints: SimEndpoints, info: service.RuntimeInfo | None = None, accounts: bool = True) -> str:
    rows = [
        ("Authority (tenant)", endpoints.authority),
        ("Authority (orgs)", endpoints.authority_for("organizations")),
        ("Sign-in page", endpoints.verification_uri),
        ("Admin center", endpoints.admin_url),
        ("SMTP (STARTTLS)", f"{endpoints.smtp_host}:{endpoints.smtp_port}"),
        ("Control API", endpoints.control_url),
        ("Client ID", endpoints.client_id),
        ("Scope", endpoints.scope),
        ("CA certificate", str(endpoints.ca_path)),
    ]
    if info is not None:
        rows.append(("CA SHA-256", info.fingerprint))
    rows.append(("Maildir", str(endpoints.maildir)))
    if endpoints.control_secret_path:
        rows.append(("Control secret", f"{endpoints.control_secret_path} (0600)"))
    if info is not None:
        how = "started by hand (panel-tui sim)" if info.mode == "foreground" else (
            f"background service, stops after {info.idle_timeout:g} s unused" if info.idle_timeout
            else "background service")
        rows += [("Process", f"pid {info.pid}, {how}"), ("Log", info.log_path)]
    width = max(len(label) for label, _ in rows)
    lines = ["Microsoft 365 simulator (panel_tui)", ""]
    lines += [f"  {label.ljust(width)}  {value}" for label, value in rows]
    if info is not None:
        lines += ["", "From another home or machine: panel-tui --sim-url "
                      f"{endpoints.base_url} --sim-fingerprint {info.fingerprint}",
                  f"  (or --sim-ca with a copy of {endpoints.ca_path})"]
    if not accounts:
        return "\n".join(lines)
    lines += ["", f"Seeded accounts (tenant {endpoints.tenant_domain}; passwords as seeded, "
                  "unless changed in the admin center):"]
    seeded = _accounts()
    upn_width = max(len(a["upn"]) for a in seeded)
    for account in seeded:
        role = ", ".join(account["roles"]) or "user"
        lines.append(f"  {account['upn'].ljust(upn_width)}  {account['password']:<18} {role}")
    return "\n".join(lines)
