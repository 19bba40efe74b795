"""``panel-tui sim``: run the Microsoft 365 simulator alone until interrupted.

Prints the endpoints, the CA path, the Maildir path and the seeded accounts; with
``--json`` one JSON object on one line instead. Binds to loopback unless told otherwise.
"""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import signal
import sys
from pathlib import Path

from panel_tui.sim.runtime import SimEndpoints, Simulator


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="panel-tui sim",
        description="Run the embedded Microsoft 365 simulator (identity provider, sign-in pages, "
                    "admin center, SMTP) until interrupted.",
    )
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
        return asyncio.run(_serve(args, Path(data_dir)))
    except KeyboardInterrupt:
        return 0


async def _serve(args: argparse.Namespace, data_dir: Path) -> int:
    simulator = Simulator(data_dir, host=args.host, http_port=args.port, smtp_port=args.smtp_port)
    try:
        endpoints = await simulator.start()
    except OSError as error:
        print(f"panel-tui sim: cannot start: {error}", file=sys.stderr)
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # not on this platform / not main thread
            pass
    try:
        _announce(describe_json(endpoints) if args.json else describe(endpoints))
        await stop.wait()
    finally:
        await simulator.stop()
    return 0


def _announce(text: str) -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Whoever read our output is gone (e.g. `| head`); keep serving, write nowhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _accounts() -> list[dict]:
    from panel_tui.sim.tenant import SEEDED_ACCOUNTS

    return [
        {"upn": a.upn, "display_name": a.display_name, "roles": list(a.roles),
         "password": a.password, "note": a.note}
        for a in SEEDED_ACCOUNTS
    ]


def describe_json(endpoints: SimEndpoints) -> str:
    """The endpoints and the seeded accounts as one line of JSON."""
    return json.dumps({**endpoints.to_dict(), "seeded_accounts": _accounts()}, separators=(",", ":"))


def describe(endpoints: SimEndpoints) -> str:
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
        ("Maildir", str(endpoints.maildir)),
    ]
    width = max(len(label) for label, _ in rows)
    lines = ["Microsoft 365 simulator (panel_tui)", ""]
    lines += [f"  {label.ljust(width)}  {value}" for label, value in rows]
    lines += ["", f"Seeded accounts (tenant {endpoints.tenant_domain}; passwords as seeded, "
                  "unless changed in the admin center):"]
    accounts = _accounts()
    upn_width = max(len(a["upn"]) for a in accounts)
    for account in accounts:
        role = ", ".join(account["roles"]) or "user"
        lines.append(f"  {account['upn'].ljust(upn_width)}  {account['password']:<18} {role}")
    lines += ["", "Press Ctrl+C to stop."]
    return "\n".join(lines)
