"""The guide (docs/guide.md), start to finish, in English and Romanian, through the app's own screens.

Exchange preparation (SMTP AUTH) > Web Config: OAuth2, Microsoft Exchange Online, Sign In,
the code approved at the simulator's sign-in pages as a browser would (global administrator,
consent on behalf of the organisation) > OK > the panel's Email Server Status reads Signed
in > Print Status Sheet > Scan to Email > the message and its PDF arrive.
"""
from __future__ import annotations

import pytest
from textual.widgets import Input

from panel_tui.ui.status_screens import EmailServerStatusScreen, StatusSheetScreen
from tests.helpers.panel import ADMIN, MEGAN, choose_oauth2, click, open_webconfig, send_scan, sign_in_as
from tests.helpers.screen import dialog_text, text_of
from tests.helpers.tenant import prepare_tenant

SIGNED_IN = {"en": "Signed in", "ro": "Autentificat"}


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_the_whole_guide(make_e2e_app, sim_control, lang):
    prepare_tenant(sim_control)  # Exchange admin center: security defaults off, SMTP AUTH on
    app = make_e2e_app(lang)
    async with app.run_test(size=(100, 30)) as pilot:
        # Web Config > Network > Email Server > Basic
        await open_webconfig(app, pilot)
        await choose_oauth2(app, pilot)
        app.screen.query_one("#email_server-sender", Input).value = ADMIN.upn
        await pilot.pause()
        modal = await sign_in_as(app, pilot, sim_control, ADMIN, consent_for_org=True, lang=lang)
        assert modal.result.ok
        await click(pilot, "#signin-close")
        assert text_of(app, "#email_server-status") == SIGNED_IN[lang]
        assert app.printer.settings.email_server.auth_method.value == "off"  # not sent to the printer yet
        await click(pilot, "#email_server-ok")
        await pilot.press("escape")  # close the browser
        # The panel: Settings > General Settings > Network Settings > Network Status
        for node in ("settings", "general_settings", "network_settings", "network_status", "email_server_status"):
            app.open_node(node)
            await pilot.pause()
        assert isinstance(app.screen, EmailServerStatusScreen)
        rows = {str(r.query_one(".status-label").render()): str(r.query_one(".status-value").render())
                for r in app.screen.query(".status-row")}
        assert SIGNED_IN[lang] in rows.values()
        await pilot.press("escape")
        app.open_node("print_status_sheet")
        await pilot.pause()
        await pilot.press("enter")  # Print has the focus
        assert isinstance(app.screen, StatusSheetScreen)
        sheet = app.screen.path.read_text()
        assert SIGNED_IN[lang] in sheet and "[redacted]" not in sheet and "eyJ" not in sheet
        await pilot.press("h")
        # Scan > Email
        text = dialog_text(await send_scan(app, pilot, MEGAN.upn))
        assert ("Sent" if lang == "en" else "Trimis") in text
    [message] = sim_control.mailbox(MEGAN.upn)
    assert ADMIN.upn in message["from"]
    assert [a["content_type"] for a in message["attachments"]] == ["application/pdf"]
