"""Small display helpers shared by screens: the panel clock and date formats."""
from __future__ import annotations

from datetime import datetime, timedelta

from panel_tui.ui.glyphs import glyph

_DATE_FORMATS = {"yyyy-mm-dd": "%Y-%m-%d", "dd.mm.yyyy": "%d.%m.%Y", "mm/dd/yyyy": "%m/%d/%Y"}


def local_time(now: datetime, settings) -> datetime:
    """The printer's local time: UTC plus its Time Difference setting."""
    return now + timedelta(minutes=getattr(settings, "time_difference_minutes", 0))


def format_date(now: datetime, settings) -> str:
    return local_time(now, settings).strftime(_DATE_FORMATS.get(settings.date_format, "%Y-%m-%d"))


def format_clock(now: datetime, settings) -> str:
    local = local_time(now, settings)
    return f"{format_date(now, settings)} {local:%H:%M}"


def format_datetime(moment: datetime | str | None, settings) -> str:
    if moment is None or moment == "":
        return glyph("none")
    if isinstance(moment, str):
        text = moment
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
    local = local_time(moment, settings)
    return f"{format_date(moment, settings)} {local:%H:%M:%S}"


def format_offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
