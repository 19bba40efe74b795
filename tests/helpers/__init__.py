"""Helpers shared by the tests (test modules import from here, never from each other).

- ``textual_internals``: the only module that touches Textual's private API (the screen's
  compositor, ``App._press_keys``); ``tests/test_textual_internals.py`` names the version checked.
- ``screen``: what the terminal shows (one screen-text helper), a widget's region, a dialog's words.
- ``panel``: driving the panel (Scan to Email, the trainer's console, Web Config and its sign-in).
- ``tenant``: the guide's preparation of the simulated tenant.
- ``processes``: subprocesses and browsers (``panel-tui`` as a CLI, a standalone simulator, Chromium).
- ``joblog``: arranging a job log as a crashed process leaves it.
"""
