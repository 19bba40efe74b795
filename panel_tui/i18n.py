"""Locale files: loading, validation and run-time translation.

Every word the panel shows lives in `locales/<lang>.toml`. Nested TOML tables are
flattened to dotted keys (`[menu] settings = "..."` is `menu.settings`). A start loads only
the active language (from the data cache while the file is unchanged); the others load when
first used. `check_locales` (used by `panel-tui check` and the tests) reads and compares them all.
"""
from __future__ import annotations

import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from panel_tui.datacache import cached
from panel_tui.datafiles import data_dir

# The one list of languages: a new one is locales/<code>.toml plus its code here.
LANGUAGES = ("en", "ro")
_FORMATTER = string.Formatter()


class LocaleError(Exception):
    """One or more locale files are broken; `problems` lists `file: key: problem` lines."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _flatten(table: dict, prefix: str, out: dict[str, str], problems: list[str], fname: str) -> None:
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{full}.", out, problems, fname)
        elif isinstance(value, str):
            out[full] = value
        else:
            problems.append(f"{fname}: {full}: value must be a string, not {type(value).__name__}")


def placeholders(text: str) -> set[str]:
    """The `{name}` placeholders of a string (raises ValueError on a malformed one)."""
    return {name for _, name, _, _ in _FORMATTER.parse(text) if name is not None}


def load_locale_file(path: Path, problems: list[str]) -> dict[str, str]:
    """Read one locale file, appending any problem to `problems`."""
    import tomllib  # not needed when the data cache answers

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{path}: file is missing")
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: not valid TOML: {exc}")
        return {}
    out: dict[str, str] = {}
    _flatten(raw, "", out, problems, str(path))
    for key, text in out.items():
        try:
            placeholders(text)
        except ValueError as exc:
            problems.append(f"{path}: {key}: malformed placeholder: {exc}")
    return out


def load_catalog(path: Path) -> tuple[dict[str, str], list[str]]:
    """One locale file's (catalog, problems), from the data cache while the file is unchanged."""
    def build() -> tuple[dict[str, str], list[str]]:
        problems: list[str] = []
        return load_locale_file(path, problems), problems

    return cached("locale", path, build)


def check_locales(directory: Path | None = None, languages=LANGUAGES) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Load all locales and compare them: same keys, same placeholders. Returns (catalogs, problems)."""
    directory = directory or data_dir("locales")
    problems: list[str] = []
    catalogs = {lang: load_locale_file(directory / f"{lang}.toml", problems) for lang in languages}
    reference_lang = languages[0]
    reference = catalogs[reference_lang]
    for lang in languages[1:]:
        other = catalogs[lang]
        fname = directory / f"{lang}.toml"
        for key in sorted(reference.keys() - other.keys()):
            problems.append(f"{fname}: {key}: missing (present in {reference_lang}.toml)")
        for key in sorted(other.keys() - reference.keys()):
            problems.append(f"{fname}: {key}: not in {reference_lang}.toml")
        for key in sorted(reference.keys() & other.keys()):
            try:
                want, got = placeholders(reference[key]), placeholders(other[key])
            except ValueError:
                continue
            if want != got:
                problems.append(
                    f"{fname}: {key}: placeholders {sorted(got)} differ from {reference_lang}.toml {sorted(want)}"
                )
    return catalogs, problems


class Catalogs(Mapping[str, dict[str, str]]):
    """The catalogs of LANGUAGES, each read from its file when first asked for."""

    def __init__(self, directory: Path | None = None, loaded: dict[str, dict[str, str]] | None = None) -> None:
        self.directory = directory or data_dir("locales")
        self._loaded: dict[str, dict[str, str]] = dict(loaded or {})

    def load(self, language: str) -> tuple[dict[str, str], list[str]]:
        """Read `language` now; returns its catalog and its file's own problems."""
        catalog, problems = load_catalog(self.directory / f"{language}.toml")
        self._loaded[language] = catalog
        return catalog, problems

    def __getitem__(self, language: str) -> dict[str, str]:
        if language not in self._loaded:
            if language not in LANGUAGES:
                raise KeyError(language)
            self.load(language)  # a broken file shows its keys (missing ones fall back); `check` says why
        return self._loaded[language]

    def __contains__(self, language: object) -> bool:
        return language in LANGUAGES or language in self._loaded

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*LANGUAGES, *self._loaded]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*LANGUAGES, *self._loaded]))


@dataclass
class Translator:
    """Translates locale keys in the current language; the language can change at run time."""

    catalogs: Mapping[str, dict[str, str]]
    language: str = "en"
    _listeners: list[Callable[[str], None]] = field(default_factory=list, repr=False)

    @classmethod
    def load(cls, directory: Path | None = None, language: str = "en") -> Translator:
        """A translator reading `directory`, with `language` loaded now (LocaleError if its file is broken)."""
        catalogs = Catalogs(directory)
        language = language if language in LANGUAGES else "en"
        _, problems = catalogs.load(language)
        if problems:
            raise LocaleError(problems)
        return cls(catalogs, language)

    def has(self, key: str) -> bool:
        return key in self.catalogs[self.language]

    def keys(self) -> set[str]:
        return set(self.catalogs[self.language])

    def t(self, key: str, **params: object) -> str:
        """The text for `key` in the current language; a missing key shows as itself."""
        text = self.catalogs[self.language].get(key)
        if text is None:
            text = self.catalogs["en"].get(key, key)
        if params:
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    __call__ = t

    def set_language(self, language: str) -> None:
        if language not in self.catalogs:
            raise ValueError(f"unknown language {language!r}; available: {', '.join(self.catalogs)}")
        if language != self.language:
            self.language = language
            for listener in list(self._listeners):
                listener(language)

    def subscribe(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)
