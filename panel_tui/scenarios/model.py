"""What a scenario is: a name, a description key and steps; the error that lists problems."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.sim.client import SeededAccount

from panel_tui.sim.client import SEEDED_ACCOUNTS


class ScenarioError(Exception):
    """Scenario files are broken or a step failed; `problems` holds `file: step N: problem` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Step:
    """One operation of a scenario: its kind, its fields, and where it was written."""

    kind: str
    fields: dict[str, Any]
    where: str  # "file: step N", for messages

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


@dataclass(frozen=True)
class Scenario:
    """A named starting state: `steps` already include those of the scenario it extends."""

    name: str
    description_key: str
    steps: tuple[Step, ...]
    path: Path


def seeded_account(name: str) -> SeededAccount | None:
    """The seeded tenant account called `name` ("printer") or with that address; None if none."""
    wanted = name.lower()
    for account in SEEDED_ACCOUNTS:
        if wanted in (account.upn.lower(), account.upn.split("@")[0].lower()):
            return account
    return None
