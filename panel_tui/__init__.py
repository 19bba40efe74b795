"""panel_tui: an Epson printer panel and Web Config emulator for Exchange Online OAuth 2.0 email."""
__version__ = "0.1.0"
