"""A tiny form-submitting browser for the simulator's sign-in pages: it reads each page's
``data-page`` name, its error and its forms, and submits them as a person at a browser would
(``SimControl.approve_device_code``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin

if TYPE_CHECKING:  # the caller's session: requests is imported by SimControl, not here
    import requests


@dataclass
class _Form:
    action: str
    method: str
    inputs: list[dict[str, str]] = field(default_factory=list)  # each <input>'s attributes
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass
class _Page:
    url: str
    name: str
    error: str
    title: str
    forms: list[_Form]
    mfa_number: str = ""  # the number match a second-factor page shows
    status: str = ""  # the Authenticator's answer (approved / denied)
    location: str = ""  # where a redirect points (with follow_redirects off)

    def has_field(self, name: str) -> bool:
        return any(i.get("name") == name for form in self.forms for i in form.inputs)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.name = ""
        self.error = ""
        self.title = ""
        self.forms: list[_Form] = []
        self._in_h1 = False
        self._in_number = False
        self.mfa_number = ""
        self.status = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "main" and not self.name:
            self.name = attributes.get("data-page", "")
            self.error = attributes.get("data-error", "")
        elif tag == "h1":
            self._in_h1 = True
        elif attributes.get("id") == "mfa-number":
            self._in_number = True
        elif attributes.get("role") == "status":
            self.status = attributes.get("data-status", "")
        elif tag == "form":
            self.forms.append(_Form(attributes.get("action", ""), attributes.get("method", "get").lower()))
        elif tag == "input" and self.forms:
            self.forms[-1].inputs.append(attributes)
        elif tag == "button" and self.forms:
            self.forms[-1].buttons.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
        elif tag == "p":
            self._in_number = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.title += data
        if self._in_number:
            self.mfa_number += data.strip()


class FormBrowser:
    def __init__(self, session: requests.Session, timeout: float) -> None:
        self.session = session
        self.timeout = timeout
        self.saw_org_consent = False
        self.follow_redirects: bool = True  # off: a redirect to a device's loopback address is read, not followed

    def get(self, url: str) -> _Page:
        response = self.session.get(url, timeout=self.timeout, allow_redirects=self.follow_redirects)
        return self._page(response)

    def submit(self, page: _Page, values: dict[str, str], button: str | None = None) -> _Page:
        form = page.forms[0]
        data: dict[str, str] = {}
        for item in form.inputs:
            name, kind = item.get("name"), item.get("type", "text").lower()
            if not name:
                continue
            if kind in ("checkbox", "radio"):
                if name in values or "checked" in item:
                    data[name] = values.get(name, item.get("value", "on"))
            elif kind not in ("submit", "button", "image", "reset"):
                data[name] = values.get(name, item.get("value", ""))
        chosen = next((b for b in form.buttons if b.get("value") == button or b.get("id") == button), None)
        if chosen is not None and chosen.get("name"):
            data[chosen["name"]] = chosen.get("value", "")
        url = urljoin(page.url, form.action or page.url)
        response = self.session.post(url, data=data, timeout=self.timeout, allow_redirects=self.follow_redirects)
        return self._page(response)

    def _page(self, response: requests.Response) -> _Page:
        parser = _PageParser()
        parser.feed(response.text)
        page = _Page(response.url, parser.name or f"http-{response.status_code}", parser.error,
                     parser.title.strip(), parser.forms, parser.mfa_number, parser.status,
                     response.headers.get("Location", "") if response.is_redirect else "")
        if page.name == "permissions" and page.has_field("consent_org"):
            self.saw_org_consent = True
        return page
