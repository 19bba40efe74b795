"""A class at once: N seats (profiles seat01..seatNN) on one home's simulator, a trainer's
dashboard of their real progress, actions pushed to one seat, a selection or all, and a report.

    roster.py    the class file (seats, mailboxes, ports) and the seat label of a profile
    seats.py     `classroom start | stop | status`: simulator, mailbox users, web process
    web.py       the class's detached web process: each seat's panel and the dashboard in a browser
    progress.py  one row per seat, read from real state with the guided lesson's own code
    actions.py   what the trainer pushes to seats: the scenario and simulator operations
    report.py    `classroom report --out DIR`: CSV and a self-contained HTML page
    command.py   the `panel-tui classroom` command line

Nothing here imports textual except through panel_tui.ui.classroom_screen (the dashboard).
"""
