"""Before/after for reviewers: compare two galleries cell by cell, not byte by byte.

`panel-tui gallery --out NEW --compare OLD` reads every SVG of both folders back into the
terminal cells it shows (character, text style, background), so a change of CSS ids,
of the order of drawing or of the SVG writer is no change, and a changed word is exactly
the cells it moved. The page lists the changed pictures first (before and after side by
side, the changed cells outlined in both), then the added and the removed ones, then the
number of unchanged pictures. It is self-contained: the highlighted pictures are written
into NEW/compare/ next to it.
"""
from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

COMPARE_DIR = "compare"
ALL_SCREENS = "screens.html"  # the ordinary gallery page, when index.html is the comparison

# Rich's SVG export: cells are 0.61 em wide (20 px font) and lines 1.22 em high.
CHAR_WIDTH = 12.2
LINE_HEIGHT = 24.4
_FILENAME = re.compile(r"^(?P<name>.+)-(?P<lang>[a-z]{2})-(?P<width>\d+)x(?P<height>\d+)\.svg$")
_STYLE = re.compile(r"\.terminal-(?:\d+-)?(r\d+)\s*\{([^}]*)\}")
_RECT = re.compile(r'<rect fill="(?P<fill>[^"]+)" x="(?P<x>[\d.]+)" y="(?P<y>[\d.]+)" '
                   r'width="(?P<w>[\d.]+)" height="[\d.]+" shape-rendering="crispEdges"\s*/>')
_TEXT = re.compile(r'<text class="terminal-(?:\d+-)?(?P<cls>r\d+)" x="(?P<x>[\d.]+)" y="[\d.]+" '
                   r'textLength="(?P<len>[\d.]+)" clip-path="url\(#terminal-(?:\d+-)?line-(?P<row>\d+)\)">'
                   r'(?P<text>[^<]*)</text>')
_GROUP = re.compile(r'<g transform="translate\((?P<x>[\d.]+), ?(?P<y>[\d.]+)\)" clip-path=')


class CompareError(ValueError):
    """The earlier gallery cannot be read (the message names the folder or file)."""


Cell = tuple[str, str, str]  # character, text style, background
BLANK: Cell = (" ", "", "")


def cell_grid(svg: str, size: tuple[int, int] | None = None) -> list[list[Cell]]:
    """The terminal cells an exported screenshot shows: rows of (character, style, background)."""
    styles = {cls: " ".join(body.split()) for cls, body in _STYLE.findall(svg)}
    texts = [(int(m["row"]), _col(m["x"]), _cells(m["len"]), html.unescape(m["text"]).replace("\xa0", " "),
              styles.get(m["cls"], m["cls"])) for m in _TEXT.finditer(svg)]
    rects = [(_row(m["y"]), _col(m["x"]), _cells(m["w"]), m["fill"]) for m in _RECT.finditer(svg)]
    if size is None:
        width = max([c + n for _, c, n, *_ in texts] + [c + n for _, c, n, _ in rects] + [0])
        height = max([r + 1 for r, *_ in texts] + [r + 1 for r, *_ in rects] + [0])
    else:
        width, height = size
    grid = [[BLANK] * width for _ in range(height)]
    for row, col, count, fill in rects:
        for c in range(col, min(col + count, width)):
            if 0 <= row < height:
                char, style, _ = grid[row][c]
                grid[row][c] = (char, style, fill)
    for row, col, count, text, style in texts:
        if not 0 <= row < height:
            continue
        # wide characters take two cells: spread the text over the cells it was given
        step = count / len(text) if text else 1
        for index, char in enumerate(text):
            c = col + int(index * step)
            if c < width:
                grid[row][c] = (char, style, grid[row][c][2])
    return grid


def _col(x: str) -> int:
    return round(float(x) / CHAR_WIDTH)


def _cells(length: str) -> int:
    return round(float(length) / CHAR_WIDTH)


def _row(y: str) -> int:
    return round((float(y) - 1.5) / LINE_HEIGHT)


def changed_cells(before: list[list[Cell]], after: list[list[Cell]]) -> list[tuple[int, int]]:
    """(row, column) of every cell that differs; a grid of another size differs where either has cells."""
    height = max(len(before), len(after))
    out = []
    for row in range(height):
        old = before[row] if row < len(before) else []
        new = after[row] if row < len(after) else []
        for col in range(max(len(old), len(new))):
            if (old[col] if col < len(old) else None) != (new[col] if col < len(new) else None):
                out.append((row, col))
    return out


def grid_text(grid: list[list[Cell]], row: int) -> str:
    return "".join(cell[0] for cell in grid[row]).rstrip() if row < len(grid) else ""


@dataclass
class Change:
    filename: str
    cells: list[tuple[int, int]]
    rows: list[tuple[int, str, str]] = field(default_factory=list)  # row, before text, after text


@dataclass
class Comparison:
    changed: list[Change]
    added: list[str]
    removed: list[str]
    unchanged: list[str]

    @property
    def any_change(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def picture_size(filename: str) -> tuple[int, int] | None:
    match = _FILENAME.match(filename)
    return (int(match["width"]), int(match["height"])) if match else None


def picture_name(filename: str) -> str | None:
    match = _FILENAME.match(filename)
    return match["name"] if match else None


def compare_dirs(old_dir: Path, new_dir: Path, filenames: Sequence[str],
                 names: Iterable[str] | None = None) -> Comparison:
    """Compare the pictures `filenames` of `new_dir` with those of `old_dir`.

    Pictures of `old_dir` that are not in `filenames` are "removed" — only among the screens
    `names` when the new gallery was limited to some screens.
    """
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    if not old_dir.is_dir():
        raise CompareError(f"{old_dir}: no such gallery folder")
    old_files = sorted(p.name for p in old_dir.glob("*.svg") if _FILENAME.match(p.name))
    if not old_files:
        raise CompareError(f"{old_dir}: no gallery pictures (*-LANG-WxH.svg) in it")
    wanted = set(names) if names is not None else None
    new_set = set(filenames)
    changed, added, unchanged = [], [], []
    for filename in filenames:
        old_path = old_dir / filename
        if not old_path.exists():
            added.append(filename)
            continue
        size = picture_size(filename)
        try:
            before = cell_grid(old_path.read_text(encoding="utf-8"), size)
        except (OSError, UnicodeDecodeError) as error:
            raise CompareError(f"{old_path}: {error}") from None
        after = cell_grid((new_dir / filename).read_text(encoding="utf-8"), size)
        cells = changed_cells(before, after)
        if not cells:
            unchanged.append(filename)
            continue
        rows = sorted({r for r, _ in cells})
        changed.append(Change(filename, cells, [(r, grid_text(before, r), grid_text(after, r)) for r in rows]))
    removed = [f for f in old_files if f not in new_set and (wanted is None or picture_name(f) in wanted)]
    return Comparison(changed, added, removed, unchanged)


# -- the pictures with their changed cells outlined ----------------------------------------------


def highlighted(svg: str, cells: Sequence[tuple[int, int]]) -> str:
    """The SVG with every run of changed cells outlined (drawn over the terminal, same offset)."""
    match = _GROUP.search(svg)
    dx, dy = (match["x"], match["y"]) if match else ("9", "41")
    runs: list[tuple[int, int, int]] = []  # row, first column, count
    for row, col in sorted(cells):
        if runs and runs[-1][0] == row and col - (runs[-1][1] + runs[-1][2]) <= 2:  # one mark per word
            runs[-1] = (row, runs[-1][1], col - runs[-1][1] + 1)
        else:
            runs.append((row, col, 1))
    marks = "".join(
        f'<rect class="changed" x="{col * CHAR_WIDTH:.1f}" y="{row * LINE_HEIGHT + 1.5:.1f}" '
        f'width="{count * CHAR_WIDTH:.1f}" height="{LINE_HEIGHT:.1f}" fill="#ff00ff" fill-opacity="0.28" '
        f'stroke="#ff00ff" stroke-width="2"/>'
        for row, col, count in runs)
    overlay = f'<g transform="translate({dx}, {dy})">{marks}</g>\n'
    end = svg.rfind("</svg>")
    return svg[:end] + overlay + svg[end:] if end >= 0 else svg + overlay


def write_pictures(comparison: Comparison, old_dir: Path, new_dir: Path) -> None:
    """NEW/compare/: each changed picture before and after with its cells outlined, each removed one."""
    folder = Path(new_dir) / COMPARE_DIR
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for change in comparison.changed:
        stem = change.filename[:-4]
        for side, source in (("before", old_dir), ("after", new_dir)):
            svg = (Path(source) / change.filename).read_text(encoding="utf-8")
            (folder / f"{stem}.{side}.svg").write_text(highlighted(svg, change.cells), encoding="utf-8")
    for filename in comparison.removed:
        shutil.copyfile(Path(old_dir) / filename, folder / filename)


# -- index.html ----------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; background: #f4f4f4; color: #111; }
section { background: #fff; border: 1px solid #ccc; border-radius: 6px; margin: 1.2rem 0; padding: 0.6rem 1rem; }
h2 { margin: 0.3rem 0; }
h3 { margin: 0.3rem 0; font-family: monospace; }
.row { display: flex; gap: 1rem; flex-wrap: wrap; align-items: flex-start; }
figure { margin: 0; flex: 1 1 30rem; max-width: 48rem; }
figure img { width: 100%; height: auto; border: 1px solid #999; background: #000; }
figcaption { font-weight: bold; margin-bottom: 0.2rem; }
pre { background: #f8f8f8; border: 1px solid #ddd; padding: 0.4rem; overflow-x: auto; }
del { background: #fdd; text-decoration: none; } ins { background: #dfd; text-decoration: none; }
.summary { font-size: 1.1rem; }
"""


def compare_html(comparison: Comparison, old_label: str, t) -> str:
    """The comparison page: changed (side by side), added, removed, the unchanged count. Escaped."""
    esc = html.escape
    c = comparison
    parts = [
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n",
        f"<title>{esc(t('gallery.compare.title'))}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
        f"<h1>{esc(t('gallery.compare.title'))}</h1>\n",
        '<p class="summary">' + esc(t("gallery.compare.summary", changed=len(c.changed), added=len(c.added),
                                        removed=len(c.removed), unchanged=len(c.unchanged), old=old_label))
        + f' <a href="{ALL_SCREENS}">{esc(t("gallery.compare.all"))}</a></p>\n',
        f'<h2 id="changed">{esc(t("gallery.compare.changed", count=len(c.changed)))}</h2>\n',
    ]
    for change in c.changed:
        stem = change.filename[:-4]
        parts.append(f'<section class="changed" id="{esc(stem)}">\n<h3>{esc(stem)}</h3>\n')
        parts.append("<p>" + esc(t("gallery.compare.cells", cells=len(change.cells), rows=len(change.rows)))
                     + "</p>\n<div class=\"row\">\n")
        for side in ("before", "after"):
            src = esc(f"{COMPARE_DIR}/{stem}.{side}.svg")
            label = t(f"gallery.compare.{side}")
            parts.append(f'<figure><figcaption>{esc(label)}</figcaption><a href="{src}">'
                         f'<img src="{src}" alt="{esc(f"{stem}, {label}")}" loading="lazy"></a></figure>\n')
        parts.append("</div>\n<pre>")
        for row, old, new in change.rows:
            parts.append(f"{row + 1:>3} <del>- {esc(old)}</del>\n    <ins>+ {esc(new)}</ins>\n")
        parts.append("</pre>\n</section>\n")
    for kind, files, folder in (("added", c.added, ""), ("removed", c.removed, f"{COMPARE_DIR}/")):
        parts.append(f'<h2 id="{kind}">{esc(t(f"gallery.compare.{kind}", count=len(files)))}</h2>\n')
        for filename in files:
            stem, src = filename[:-4], esc(folder + filename)
            parts.append(f'<section class="{kind}" id="{esc(stem)}">\n<h3>{esc(stem)}</h3>\n'
                         f'<figure><a href="{src}"><img src="{src}" alt="{esc(stem)}" loading="lazy"></a></figure>\n'
                         "</section>\n")
    parts.append(f'<h2 id="unchanged">{esc(t("gallery.compare.unchanged", count=len(c.unchanged)))}</h2>\n')
    parts.append("</body>\n</html>\n")
    return "".join(parts)
