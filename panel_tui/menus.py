"""The panel's menu tree, loaded from `menus/panel.toml` and validated as a whole.

A node is data: an id, a label key, a kind, and what the kind needs (children for a
submenu, a setting for a choice/text/value, a screen or an action). Problems are
reported as `file: node path: problem` so a broken file can be fixed without reading code.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from panel_tui.datacache import cached
from panel_tui.datafiles import data_dir

KINDS = ("submenu", "value", "choice", "text", "action", "screen")
# What each kind of node needs besides the keys every node has.
REQUIRED_BY_KIND = {
    "submenu": "children",
    "value": "setting",
    "choice": "setting",
    "text": "setting",
    "action": "action",
    "screen": "screen",
}


# ---- the schema: each table of the files is a dataclass whose fields say what the key holds ----
# `key(...)` describes one TOML key; `check_table` is the one validator that reads a table against
# a dataclass: unknown keys, missing keys, types, choices and references to what the app knows.
def key(kind: type, *, required: bool = False, default: Any = None, items: str = "", one_of: tuple[str, ...] = (),
        ref: str = "", desc: str = "", toml: str = "") -> Any:
    """A TOML key of a schema table: its type (str, bool, list), whether it must be there, the
    value's choices or the names it must refer to (`ref`: "locale", "screen", "action", "setting"
    or "page"), and the name in the file when the field is named otherwise (`toml`)."""
    meta = {"kind": kind, "required": required, "items": items, "one_of": one_of, "ref": ref, "desc": desc,
            "toml": toml}
    return field(metadata=meta) if required else field(default=default, metadata=meta)


_TYPE_WORDS = {str: "a string", bool: "true or false"}


def _type_problem(name: str, value: object, meta: dict[str, Any]) -> str | None:
    kind = meta["kind"]
    if kind is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"'{name}' must be a list of {meta['items']}"
        return None
    if not isinstance(value, kind) or (kind is str and meta["required"] and not value):
        return f"'{name}' must be {_TYPE_WORDS[kind]}"
    return None


def _value_problem(name: str, value: object, meta: dict[str, Any], known: Mapping[str, Collection[str] | None]) -> \
        str | None:
    if meta["one_of"] and value not in meta["one_of"]:
        return f"bad {name} {value!r} (one of: {', '.join(meta['one_of'])})"
    names = known.get(meta["ref"]) if meta["ref"] else None
    if names is None or value in names:
        return None
    if meta["ref"] == "locale":
        return f"{name} key '{value}' is not in the locales"
    return f"{name} '{value}' is unknown (known: {', '.join(sorted(names))})"


def check_table(schema: type, entry: Mapping[str, Any], at: str, problems: list[str],
                known: Mapping[str, Collection[str] | None]) -> dict[str, Any] | None:
    """Validate one TOML table against `schema` (a dataclass of `key` fields); every problem is
    added as `at: problem`. Returns the dataclass's arguments, or None when the table has a problem."""
    before = len(problems)
    specs = {f.metadata.get("toml") or f.name: f for f in fields(schema) if "kind" in f.metadata}
    for unknown in sorted(entry.keys() - specs.keys()):
        problems.append(f"{at}: unknown key '{unknown}'")
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        meta = dict(spec.metadata)
        if name not in entry or (meta["required"] and entry[name] in ("", [])):
            if meta["required"]:
                problems.append(f"{at}: missing '{name}'" + (f" ({meta['desc']})" if meta["desc"] else ""))
            continue
        value = entry[name]
        problem = _type_problem(name, value, meta) or _value_problem(name, value, meta, known)
        if problem:
            problems.append(f"{at}: {problem}")
            continue
        values[spec.name] = tuple(value) if meta["kind"] is list else value
    return values if len(problems) == before else None


class MenuError(Exception):
    """The menu file is broken; `problems` holds every `file: node path: problem` line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class MenuNode:
    """One `[[node]]` of menus/panel.toml (the schema of the file's nodes)."""

    id: str = key(str, required=True)
    label: str = key(str, required=True, ref="locale", desc="a locale key")
    kind: str = key(str, required=True, one_of=KINDS)
    children: tuple[str, ...] = key(list, default=(), items="node ids")
    setting: str | None = key(str, ref="setting")
    screen: str | None = key(str, ref="screen")
    action: str | None = key(str, ref="action")
    admin_only: bool = key(bool, default=False)
    emulated: bool = key(bool, default=True)
    icon: str = key(str, default="")
    help: str | None = key(str, ref="locale")
    secret: bool = key(bool, default=False)


@dataclass(frozen=True)
class _Home:
    """The `[home]` table."""

    tiles: tuple[str, ...] = key(list, required=True, items="node ids")


@dataclass
class MenuTree:
    """All nodes by id, the Home tiles, and each node's parent (for breadcrumbs)."""

    nodes: dict[str, MenuNode]
    tiles: tuple[str, ...]
    parents: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, node_id: str) -> MenuNode:
        return self.nodes[node_id]

    def children(self, node_id: str) -> list[MenuNode]:
        return [self.nodes[c] for c in self.nodes[node_id].children]

    def path(self, node_id: str) -> list[MenuNode]:
        """Nodes from the Home tile down to `node_id`."""
        chain = [self.nodes[node_id]]
        seen = {node_id}
        while chain[0].id in self.parents:
            parent = self.parents[chain[0].id]
            if parent in seen:
                break
            seen.add(parent)
            chain.insert(0, self.nodes[parent])
        return chain

    def find(self, node_id: str) -> MenuNode | None:
        return self.nodes.get(node_id)


def _read_toml(path: Path) -> dict:
    """A data file's TOML; a missing or malformed file is a MenuError naming it."""
    import tomllib  # not needed when the data cache answers

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MenuError([f"{path}: file is missing"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MenuError([f"{path}: not valid TOML: {exc}"]) from None


def _walk_paths(tiles: Iterable[str], raw_children: dict[str, list[str]]) -> dict[str, list[str]]:
    """The id path (from a tile) of every node reachable from Home, first path wins."""
    paths: dict[str, list[str]] = {}
    stack = [(t, [t]) for t in reversed(list(tiles))]
    while stack:
        node_id, path = stack.pop()
        if node_id in paths:
            continue
        paths[node_id] = path
        for child in reversed(raw_children.get(node_id, [])):
            if child not in path:
                stack.append((child, path + [child]))
    return paths


TOP_KEYS = ("home", "node")


def load_menu_tree(
    path: Path | None = None,
    *,
    label_keys: set[str] | None = None,
    screens: set[str] | None = None,
    actions: set[str] | None = None,
    settings: set[str] | None = None,
    use_cache: bool = True,
) -> MenuTree:
    """Load and validate the menu file; raise MenuError listing every problem.

    The optional sets are what the rest of the app knows: locale keys, screen names,
    action names and setting names. A reference to anything outside them is a problem.
    The parsed file comes from the data cache while the file is unchanged (`use_cache`);
    the validation runs on every load.
    """
    path = path or data_dir("menus") / "panel.toml"
    fname = str(path)
    raw = cached("menu", path, lambda: _read_toml(path)) if use_cache else _read_toml(path)
    known = {"locale": label_keys, "screen": screens, "action": actions, "setting": settings}

    problems: list[str] = [f"{fname}: (top level): unknown key '{k}' (allowed: {', '.join(TOP_KEYS)})"
                           for k in sorted(raw.keys() - set(TOP_KEYS))]
    tiles = _home_tiles(raw.get("home", {}), f"{fname}: home", problems)
    by_id = _entries_by_id(raw.get("node", []), fname, problems)
    raw_children = {nid: e["children"] for nid, e in by_id.items() if _is_id_list(e.get("children"))}
    id_paths = _walk_paths([t for t in tiles if t in by_id], raw_children)
    problems += [f"{fname}: home: tile '{t}' refers to no node" for t in tiles if t not in by_id]

    nodes: dict[str, MenuNode] = {}
    for node_id, entry in by_id.items():
        at = f"{fname}: {' > '.join(id_paths.get(node_id, [node_id]))}"
        values = check_table(MenuNode, entry, at, problems, known)
        if values is not None and not _kind_problems(values, at, problems):
            nodes[node_id] = MenuNode(**values)
    parents = _parents(by_id, raw_children, fname, id_paths, problems)
    problems += [f"{fname}: {nid}: unreachable from the Home tiles" for nid in by_id if nid not in id_paths]
    if problems:
        raise MenuError(problems)
    return MenuTree(nodes=nodes, tiles=tuple(tiles), parents=parents)


def _is_id_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _home_tiles(home: object, at: str, problems: list[str]) -> list[str]:
    """The Home tiles of the `[home]` table (checked against its schema)."""
    if not isinstance(home, dict):
        problems.append(f"{at}: must be a table")
        return []
    values = check_table(_Home, home, at, problems, {})
    if values:
        return list(values["tiles"])
    tiles = home.get("tiles")
    return [t for t in tiles if isinstance(t, str)] if isinstance(tiles, list) else []


def _entries_by_id(raw_nodes: object, fname: str, problems: list[str]) -> dict[str, dict[str, Any]]:
    """The `[[node]]` tables by id; a missing or repeated id is a problem."""
    if not isinstance(raw_nodes, list):
        problems.append(f"{fname}: node: must be an array of tables ([[node]])")
        return {}
    by_id: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(raw_nodes):
        node_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not isinstance(node_id, str) or not node_id:
            problems.append(f"{fname}: node #{index + 1}: missing 'id'")
        elif node_id in by_id:
            problems.append(f"{fname}: {node_id}: duplicate id (node #{index + 1})")
        else:
            by_id[node_id] = entry
    return by_id


def _kind_problems(values: dict[str, Any], at: str, problems: list[str]) -> bool:
    """The rules of a node's kind: what it needs, and that only a submenu has children."""
    kind, before = values["kind"], len(problems)
    needed = REQUIRED_BY_KIND[kind]
    if values.get(needed) in (None, ()):
        problems.append(f"{at}: kind '{kind}' needs '{needed}'")
    if values.get("children") and kind != "submenu":
        problems.append(f"{at}: only a submenu has children")
    return len(problems) > before


def _parents(by_id: dict[str, dict[str, Any]], raw_children: dict[str, list[str]], fname: str,
             id_paths: dict[str, list[str]], problems: list[str]) -> dict[str, str]:
    """Each node's parent; a child that is no node, or already another submenu's, is a problem."""
    parents: dict[str, str] = {}
    for node_id, children in raw_children.items():
        at = f"{fname}: {' > '.join(id_paths.get(node_id, [node_id]))}"
        for child in children:
            if child not in by_id:
                problems.append(f"{at}: child '{child}' refers to no node")
            elif parents.setdefault(child, node_id) != node_id:
                problems.append(f"{at}: child '{child}' already belongs to '{parents[child]}'")
    return parents


# ---- Web Config -----------------------------------------------------------------------
WEB_PAGES = ("email_server", "fax_email_server", "ca_certificate", "print_admin_serverless")


@dataclass(frozen=True)
class WebPage:
    """One entry of a Web Config tab's left-hand menu (a `[[tab.page]]` of menus/webconfig.toml)."""

    id: str = key(str, required=True)
    label_key: str = key(str, required=True, ref="locale", desc="a locale key", toml="label")
    # the menu heading it sits under ("Email Server" > "Basic")
    group_key: str | None = key(str, ref="locale", toml="group")
    # the emulated page, or None: "not part of this emulation"
    page: str | None = key(str, ref="page")
    # settings pages need the administrator when Lock Setting is on
    admin_only: bool = key(bool, default=True)


@dataclass(frozen=True)
class WebTab:
    """A `[[tab]]` of menus/webconfig.toml; its pages are checked one by one (`page`: a list of tables)."""

    id: str = key(str, required=True)
    label_key: str = key(str, required=True, ref="locale", desc="a locale key", toml="label")
    pages: tuple[WebPage, ...] = field(default=(), metadata={"toml": "page"})


@dataclass(frozen=True)
class WebSite:
    tabs: tuple[WebTab, ...]
    start: str  # the page Web Config opens at

    def find(self, page_id: str) -> tuple[WebTab, WebPage]:
        """The tab and entry of `page_id` (KeyError if there is none)."""
        for tab in self.tabs:
            for page in tab.pages:
                if page.id == page_id:
                    return tab, page
        raise KeyError(f"no Web Config page {page_id!r}")


def load_webconfig(path: Path | None = None, *, label_keys: set[str] | None = None,
                   pages: Iterable[str] = WEB_PAGES) -> WebSite:
    """Load and validate `menus/webconfig.toml`; MenuError lists `file: tab > page: problem`."""
    path = path or data_dir("menus") / "webconfig.toml"
    fname = str(path)
    raw = _read_toml(path)
    known = {"locale": label_keys, "page": set(pages)}
    problems = [f"{fname}: (top level): unknown key '{k}'" for k in sorted(raw.keys() - {"start", "tab"})]
    seen: set[str] = set()
    tabs = []
    for t_index, entry in enumerate(_tables(raw.get("tab", []))):
        where = f"{fname}: {_entry_name(entry, 'tab', t_index)}"
        tab_pages = _web_pages(entry.get("page", []), where, seen, problems, known)
        values = _unique_entry(WebTab, {k: v for k, v in entry.items() if k != "page"}, where, seen, problems, known)
        if values is not None:
            tabs.append(WebTab(**values, pages=tab_pages))
    start = raw.get("start")
    if not isinstance(start, str) or start not in seen:
        problems.append(f"{fname}: start: '{start}' is not a page id")
    if problems:
        raise MenuError(problems)
    return WebSite(tuple(tabs), str(start))


def _tables(value: object) -> list[dict[str, Any]]:
    return [v if isinstance(v, dict) else {} for v in value] if isinstance(value, list) else []


def _entry_name(entry: dict[str, Any], what: str, index: int) -> str:
    return str(entry.get("id") or f"{what} #{index + 1}")


def _unique_entry(schema: type, entry: dict[str, Any], at: str, seen: set[str], problems: list[str],
                  known: Mapping[str, Collection[str] | None]) -> dict[str, Any] | None:
    """`check_table`, and the id not used by another tab or page."""
    entry_id = entry.get("id")
    if isinstance(entry_id, str) and entry_id:
        if entry_id in seen:
            problems.append(f"{at}: duplicate id")
        seen.add(entry_id)
    return check_table(schema, entry, at, problems, known)


def _web_pages(raw_pages: object, where: str, seen: set[str], problems: list[str],
               known: Mapping[str, Collection[str] | None]) -> tuple[WebPage, ...]:
    pages = []
    for p_index, page in enumerate(_tables(raw_pages)):
        at = f"{where} > {_entry_name(page, 'page', p_index)}"
        values = _unique_entry(WebPage, page, at, seen, problems, known)
        if values is not None:
            pages.append(WebPage(**values))
    return tuple(pages)
