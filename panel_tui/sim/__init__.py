"""Embedded Microsoft 365 simulator: identity provider, sign-in pages, admin center, SMTP.

Everything the guide does against Microsoft, served offline on loopback: an Entra ID
(v2.0) shaped identity provider for one tenant, the /devicelogin pages, an admin center,
and an Exchange Online shaped SMTP server that only accepts ``AUTH XOAUTH2``.

The rest of the app reaches it only over the network, as it would the real cloud.
Start it with :class:`panel_tui.sim.runtime.SimulatorThread` (or ``panel-tui sim``) and
drive it with :class:`panel_tui.sim.control.SimControl`. This package never imports
textual, ``panel_tui.ui``, ``panel_tui.device`` or ``panel_tui.mail``; importing it (or
``runtime``) is cheap, the servers' libraries are imported when the simulator starts.
"""
