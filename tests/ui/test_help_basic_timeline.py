"""Help gives Microsoft's Basic authentication timeline with its dates and its source."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("through December 2026", "end of December 2026", "second half of 2027", "MC786329", "27 January 2026")),
    ("ro", ("până în decembrie 2026", "sfârșitul lunii decembrie 2026", "a doua jumătate a anului 2027",
            "MC786329", "27 ianuarie 2026")),
])
async def test_help_shows_the_basic_timeline_with_dates_and_source(make_app, lang, words):
    app = make_app(lang)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = " ".join(str(app.screen.query_one("#help-basic").render()).split())
        for word in words:
            assert word in text, (word, text)
