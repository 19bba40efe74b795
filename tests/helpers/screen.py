"""What the panel shows, read as a person reads it."""
from __future__ import annotations

from tests.helpers.textual_internals import rendered_lines


def screen_lines(app) -> list[str]:
    """What the terminal shows, one string a row: characters only (no colour, no attributes)."""
    return rendered_lines(app.screen)


def screen_text(app) -> str:
    """What the terminal shows, as one text (rows joined by newlines)."""
    return "\n".join(screen_lines(app))


def region_lines(app, widget) -> list[str]:
    """The rows of the terminal under ``widget``."""
    region = widget.region
    return [line[region.x:region.right] for line in screen_lines(app)[region.y:region.bottom]]


def region_text(app, widget) -> str:
    """The characters under ``widget`` and one column either side (where a focus mark is drawn)."""
    region = widget.region.grow((0, 1, 0, 1)) if widget.region.x else widget.region
    lines = screen_lines(app)
    return "\n".join(lines[y][region.x:region.right] for y in range(region.y, region.bottom))


def shown_words(app, selector: str = "Static, Label, Button") -> str:
    """The words of every displayed widget of the current screen matching `selector`, scrolled out
    of view or not (a page taller than the terminal)."""
    parts = []
    for widget in app.screen.query(selector):
        if widget.display and all(a.display for a in widget.ancestors_with_self if hasattr(a, "display")):
            parts.append(str(widget.render()))
    return "\n".join(parts)


def text_of(node, selector: str) -> str:
    """What one Static shows; ``node`` is the App (its current screen) or a screen."""
    return str(node.screen.query_one(selector).render())


def dialog_text(screen) -> str:
    """A dialog's title and body."""
    return "\n".join(str(w.render()) for w in screen.query(".dialog-title, .dialog-body"))


def flat(text: str) -> str:
    """``text`` with every run of white space (a wrapped line's break included) as one space."""
    return " ".join(text.split())


def widget_words(widget) -> str:
    """What one widget renders, its lines joined as one flat text."""
    return flat(str(widget.render()))
