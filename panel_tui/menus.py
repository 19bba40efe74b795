"""The panel's menu tree, loaded from `menus/panel.toml` and validated as a whole.

A node is data: an id, a label key, a kind, and what the kind needs (children for a
submenu, a setting for a choice/text/value, a screen or an action). Problems are
reported as `file: node path: problem` so a broken file can be fixed without reading code.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from panel_tui.datafiles import data_dir

KINDS = ("submenu", "value", "choice", "text", "action", "screen")
NODE_KEYS = {
    "id", "label", "kind", "children", "setting", "screen", "action",
    "admin_only", "emulated", "icon", "help", "secret",
}
REQUIRED_BY_KIND = {
    "submenu": "children",
    "value": "setting",
    "choice": "setting",
    "text": "setting",
    "action": "action",
    "screen": "screen",
}
TOP_KEYS = {"home", "node"}
HOME_KEYS = {"tiles"}


class MenuError(Exception):
    """The menu file is broken; `problems` holds every `file: node path: problem` line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class MenuNode:
    id: str
    label: str
    kind: str
    children: tuple[str, ...] = ()
    setting: str | None = None
    screen: str | None = None
    action: str | None = None
    admin_only: bool = False
    emulated: bool = True
    icon: str = ""
    help: str | None = None
    secret: bool = False


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
    if use_cache:
        from panel_tui.datacache import cached

        raw = cached("menu", path, lambda: _read_toml(path))
    else:
        raw = _read_toml(path)

    problems: list[str] = []
    for key in sorted(raw.keys() - TOP_KEYS):
        problems.append(f"{fname}: (top level): unknown key '{key}' (allowed: {', '.join(sorted(TOP_KEYS))})")
    home = raw.get("home", {})
    if not isinstance(home, dict):
        problems.append(f"{fname}: home: must be a table")
        home = {}
    for key in sorted(home.keys() - HOME_KEYS):
        problems.append(f"{fname}: home: unknown key '{key}'")
    tiles = home.get("tiles", [])
    if not isinstance(tiles, list) or not tiles or not all(isinstance(t, str) for t in tiles):
        problems.append(f"{fname}: home: 'tiles' must be a non-empty list of node ids")
        tiles = [t for t in tiles if isinstance(t, str)] if isinstance(tiles, list) else []

    raw_nodes = raw.get("node", [])
    if not isinstance(raw_nodes, list):
        problems.append(f"{fname}: node: must be an array of tables ([[node]])")
        raw_nodes = []

    by_id: dict[str, dict] = {}
    for index, entry in enumerate(raw_nodes):
        node_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(node_id, str) or not node_id:
            problems.append(f"{fname}: node #{index + 1}: missing 'id'")
            continue
        if node_id in by_id:
            problems.append(f"{fname}: {node_id}: duplicate id (node #{index + 1})")
            continue
        by_id[node_id] = entry

    raw_children = {
        nid: [c for c in e.get("children", []) if isinstance(c, str)]
        for nid, e in by_id.items()
        if isinstance(e.get("children", []), list)
    }
    id_paths = _walk_paths([t for t in tiles if t in by_id], raw_children)

    def where(node_id: str) -> str:
        return " > ".join(id_paths.get(node_id, [node_id]))

    for tile in tiles:
        if tile not in by_id:
            problems.append(f"{fname}: home: tile '{tile}' refers to no node")

    nodes: dict[str, MenuNode] = {}
    parents: dict[str, str] = {}
    for node_id, entry in by_id.items():
        at = f"{fname}: {where(node_id)}"
        for key in sorted(entry.keys() - NODE_KEYS):
            problems.append(f"{at}: unknown key '{key}'")
        kind = entry.get("kind")
        if kind not in KINDS:
            problems.append(f"{at}: bad kind {kind!r} (one of: {', '.join(KINDS)})")
        label = entry.get("label")
        if not isinstance(label, str) or not label:
            problems.append(f"{at}: missing 'label' (a locale key)")
            label = node_id
        elif label_keys is not None and label not in label_keys:
            problems.append(f"{at}: label key '{label}' is not in the locales")
        needed = REQUIRED_BY_KIND.get(kind)
        if needed and needed not in entry:
            problems.append(f"{at}: kind '{kind}' needs '{needed}'")
        children = entry.get("children", [])
        if not isinstance(children, list) or not all(isinstance(c, str) for c in children):
            problems.append(f"{at}: 'children' must be a list of node ids")
            children = []
        if children and kind != "submenu":
            problems.append(f"{at}: only a submenu has children")
        for child in children:
            if child not in by_id:
                problems.append(f"{at}: child '{child}' refers to no node")
            elif child in parents and parents[child] != node_id:
                problems.append(f"{at}: child '{child}' already belongs to '{parents[child]}'")
            else:
                parents[child] = node_id
        for ref_key, known in (("screen", screens), ("action", actions), ("setting", settings)):
            value = entry.get(ref_key)
            if value is None:
                continue
            if not isinstance(value, str):
                problems.append(f"{at}: '{ref_key}' must be a string")
            elif known is not None and value not in known:
                problems.append(f"{at}: {ref_key} '{value}' is unknown (known: {', '.join(sorted(known))})")
        for flag in ("admin_only", "emulated", "secret"):
            if flag in entry and not isinstance(entry[flag], bool):
                problems.append(f"{at}: '{flag}' must be true or false")
        help_key = entry.get("help")
        if help_key is not None and label_keys is not None and help_key not in label_keys:
            problems.append(f"{at}: help key '{help_key}' is not in the locales")
        nodes[node_id] = MenuNode(
            id=node_id,
            label=label,
            kind=kind if kind in KINDS else "action",
            children=tuple(c for c in children if c in by_id),
            setting=entry.get("setting"),
            screen=entry.get("screen"),
            action=entry.get("action"),
            admin_only=bool(entry.get("admin_only", False)),
            emulated=bool(entry.get("emulated", True)),
            icon=str(entry.get("icon", "")),
            help=help_key,
            secret=bool(entry.get("secret", False)),
        )

    for node_id in by_id:
        if node_id not in id_paths:
            problems.append(f"{fname}: {node_id}: unreachable from the Home tiles")

    if problems:
        raise MenuError(problems)
    return MenuTree(nodes=nodes, tiles=tuple(tiles), parents=parents)


# ---- Web Config -----------------------------------------------------------------------
WEB_TAB_KEYS = {"id", "label", "page"}
WEB_PAGE_KEYS = {"id", "label", "group", "page", "admin_only"}
WEB_PAGES = ("email_server", "fax_email_server", "ca_certificate", "print_admin_serverless")


@dataclass(frozen=True)
class WebPage:
    """One entry of a Web Config tab's left-hand menu."""

    id: str
    label_key: str
    group_key: str | None = None  # the menu heading it sits under ("Email Server" > "Basic")
    page: str | None = None  # the emulated page, or None: "not part of this emulation"
    admin_only: bool = True  # settings pages need the administrator when Lock Setting is on


@dataclass(frozen=True)
class WebTab:
    id: str
    label_key: str
    pages: tuple[WebPage, ...] = ()


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
    problems: list[str] = []
    known_pages = set(pages)
    for key in sorted(raw.keys() - {"start", "tab"}):
        problems.append(f"{fname}: (top level): unknown key '{key}'")

    def check_label(where: str, key: object, what: str = "label") -> str:
        if not isinstance(key, str) or not key:
            problems.append(f"{where}: missing '{what}' (a locale key)")
            return ""
        if label_keys is not None and key not in label_keys:
            problems.append(f"{where}: {what} key '{key}' is not in the locales")
        return key

    tabs: list[WebTab] = []
    seen: set[str] = set()

    def entry_id(entry: object, where: str, what: str, index: int, allowed: set[str]) -> tuple[str | None, str]:
        """The entry's id (None if missing) and its place for messages; checks duplicates and keys."""
        entry_key = entry.get("id") if isinstance(entry, dict) else None
        at = f"{where}{entry_key or f'{what} #{index + 1}'}"
        if not isinstance(entry_key, str) or not entry_key:
            problems.append(f"{at}: missing 'id'")
            return None, at
        if entry_key in seen:
            problems.append(f"{at}: duplicate id")
        seen.add(entry_key)
        for key in sorted(entry.keys() - allowed):
            problems.append(f"{at}: unknown key '{key}'")
        return entry_key, at

    for t_index, entry in enumerate(raw.get("tab", [])):
        tab_id, where = entry_id(entry, f"{fname}: ", "tab", t_index, WEB_TAB_KEYS)
        if tab_id is None:
            continue
        tab_pages = []
        for p_index, page in enumerate(entry.get("page", [])):
            page_id, at = entry_id(page, f"{where} > ", "page", p_index, WEB_PAGE_KEYS)
            if page_id is None:
                continue
            shown = page.get("page")
            if shown is not None and shown not in known_pages:
                problems.append(f"{at}: page '{shown}' is unknown (known: {', '.join(sorted(known_pages))})")
            if "admin_only" in page and not isinstance(page["admin_only"], bool):
                problems.append(f"{at}: 'admin_only' must be true or false")
            group = page.get("group")
            tab_pages.append(WebPage(
                id=page_id, label_key=check_label(at, page.get("label")),
                group_key=check_label(at, group, "group") if group is not None else None,
                page=shown, admin_only=bool(page.get("admin_only", True)),
            ))
        tabs.append(WebTab(tab_id, check_label(where, entry.get("label")), tuple(tab_pages)))
    start = raw.get("start")
    if not isinstance(start, str) or start not in seen:
        problems.append(f"{fname}: start: '{start}' is not a page id")
    if problems:
        raise MenuError(problems)
    return WebSite(tuple(tabs), start)
