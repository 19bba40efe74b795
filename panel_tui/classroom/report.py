"""`panel-tui classroom report --out DIR`: report.csv, events.csv and report.html.

Per seat: the guided lesson's steps (from real state, as on the dashboard), jobs ok and
failed, the error codes met and whether the seat got past them (a later successful send),
the last job and the last activity; then what the trainer pushed to which seats, when.
The CSV files are plain tables for a spreadsheet or a script: one header row of plain
column names (the same in every language), one row per seat (events.csv: per push), ISO
times. The HTML page is in the class's language, self-contained (inline CSS, nothing
fetched), fits a 1280 px window without scrolling sideways and escapes every text.
"""
from __future__ import annotations

import csv
import html
import time
from pathlib import Path

from panel_tui.classroom.progress import SeatHandles, read_rows
from panel_tui.classroom.roster import load_events
from panel_tui.i18n import Translator
from panel_tui.lesson import STEPS


def _when(epoch: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch)) if epoch else ""


def _resolved(row) -> bool:
    """Every failure met was followed by success: the last job is a success."""
    return bool(row.codes_met) and row.job_result == "ok"


def write_report(roster, out_dir: Path, lang: str, folder=None) -> tuple[Path, Path]:
    t = Translator.load(language=lang).t
    handles = SeatHandles(roster)
    try:
        rows = read_rows(roster, handles)
    finally:
        handles.close()
    events = load_events(folder)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    step_titles = [t(f"lesson.step.{step}.title") for step in STEPS]
    yes, no = t("classroom.report.yes"), t("classroom.report.no")

    csv_path = out / "report.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["seat", "mailbox", *STEPS, "jobs_ok", "jobs_failed", "error_codes", "resolved",
                         "last_job", "last_job_code", "first_ok_at", "last_activity_at"])
        for row in rows:
            writer.writerow([row.seat, row.upn, *("yes" if row.done.get(s) else "no" for s in STEPS),
                             row.jobs_ok, row.jobs_failed, " ".join(map(str, row.codes_met)),
                             ("yes" if _resolved(row) else "no") if row.codes_met else "",
                             row.job_result or "", "" if row.job_code is None else row.job_code,
                             _iso(row.first_ok_at), _iso(row.last_activity)])
    events_path = out / "events.csv"
    with events_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time", "action", "detail", "seats", "ok"])
        for event in events:
            writer.writerow([_iso(event.get("at")), event.get("kind", ""), event.get("detail", ""),
                             " ".join(event.get("seats", [])), "yes" if event.get("ok") else "no"])

    html_path = out / "report.html"
    html_path.write_text(_html(roster, rows, events, lang, t, step_titles, yes, no), encoding="utf-8")
    return csv_path, html_path


def _iso(epoch: float | None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(epoch)) if epoch else ""


def _last_job(row, t) -> str:
    if row.job_result is None:
        return ""
    glyph, _ = row.job_glyph
    code = f" {row.job_code}" if row.job_code is not None else ""
    return f"{glyph}{code} {t(f'job.type.{row.job_type}')}"


def _event_label(event: dict, t) -> str:
    kind = str(event.get("kind", ""))
    label = t(f"classroom.event.{kind}")
    detail = str(event.get("detail", ""))
    if kind.startswith("fault") and detail:
        key = f"classroom.fault.{detail}" if detail == "smtp_auth_mailbox_off" else f"trainer.fault.{detail}"
        detail = t(key)
    return f"{label}: {detail}" if detail else label


_CSS = """
body { font-family: system-ui, sans-serif; margin: 1rem; color: #111; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.85rem; width: 100%; table-layout: fixed; }
th, td { border: 1px solid #bbb; padding: 0.2rem 0.3rem; text-align: left; overflow-wrap: anywhere; }
th { background: #eee; font-weight: 600; vertical-align: bottom; }
#seats th.step, #seats td.step { width: 4.2rem; text-align: center; }
#seats col.seat { width: 11rem; }
td.done { color: #0a6b0a; font-weight: bold; }
td.todo { color: #888; }
td.bad { color: #b00020; font-weight: bold; }
ol.steps { font-size: 0.85rem; }
"""


def _html(roster, rows, events, lang, t, step_titles, yes, no) -> str:
    esc = html.escape
    parts = ["<!DOCTYPE html>\n", f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n',
             '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
             f"<title>{esc(t('classroom.report.title'))}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
             f"<h1>{esc(t('classroom.report.title'))}</h1>\n",
             "<p>" + esc(t("classroom.report.generated", time=_when(time.time()), seats=len(rows), lang=lang))
             + "</p>\n",
             f'<p><a href="guide/index.html">{esc(t("classroom.report.handout"))}</a> '
             f"<code>panel-tui guide --lang {esc(lang)} --out guide</code></p>\n",
             f"<h2>{esc(t('classroom.report.steps'))}</h2>\n",
             # the steps' names once, numbered; the table's columns carry the numbers
             '<ol class="steps">' + "".join(f"<li>{esc(title)}</li>" for title in step_titles) + "</ol>\n",
             '<table id="seats">\n<colgroup><col class="seat">' + "<col>" * (len(STEPS) + 6) + "</colgroup>\n<tr>",
             f"<th>{esc(t('classroom.seat'))}</th>"]
    parts += [f'<th class="step" title="{esc(title)}">{n}</th>' for n, title in enumerate(step_titles, 1)]
    parts += [f"<th>{esc(t(key))}</th>" for key in ("classroom.report.jobs", "classroom.report.codes",
                                                     "classroom.report.resolved", "classroom.report.last_job",
                                                     "classroom.report.first_ok", "classroom.report.last_activity")]
    parts.append("</tr>\n")
    for row in rows:
        parts.append(f'<tr data-seat="{esc(row.seat)}"><td>{esc(row.seat)}<br><small>{esc(row.upn)}</small></td>')
        for step in STEPS:
            done = row.done.get(step)
            mark = "✓ " + esc(yes) if done else "· " + esc(no)
            parts.append(f'<td class="step {"done" if done else "todo"}">{mark}</td>')
        resolved = (yes if _resolved(row) else no) if row.codes_met else ""
        parts.append(f"<td>{row.jobs_ok} / {row.jobs_failed}</td>"
                     f'<td class="{"bad" if row.codes_met else ""}">{esc(" ".join(map(str, row.codes_met)))}</td>'
                     f"<td>{esc(resolved)}</td><td>{esc(_last_job(row, t))}</td>"
                     f"<td>{esc(_when(row.first_ok_at))}</td>"
                     f"<td>{esc(_when(row.last_activity))}</td></tr>\n")
    parts.append("</table>\n")
    parts.append(f"<h2>{esc(t('classroom.report.events'))}</h2>\n")
    if not events:
        parts.append(f'<p id="events">{esc(t("classroom.report.no_events"))}</p>\n</body>\n</html>\n')
        return "".join(parts)
    parts.append('<table id="events">\n<tr>')
    parts += [f"<th>{esc(t(key))}</th>" for key in ("classroom.report.event_time", "classroom.report.event_action",
                                                     "classroom.report.event_seats", "classroom.report.event_ok")]
    parts.append("</tr>\n")
    for event in events:
        parts.append(f"<tr><td>{esc(_when(event.get('at')))}</td><td>{esc(_event_label(event, t))}</td>"
                     f"<td>{esc(' '.join(event.get('seats', [])))}</td>"
                     f"<td>{esc(yes if event.get('ok') else no)}</td></tr>\n")
    parts.append("</table>\n</body>\n</html>\n")
    return "".join(parts)
