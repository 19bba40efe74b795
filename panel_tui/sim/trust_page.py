"""``/ca``: how a student's browser comes to trust the simulator's certificate authority.

The simulator's pages (sign-in, admin center) are HTTPS with the simulator's own CA, which
no browser trusts out of the box. ``/ca`` (English or Romanian: ``?lang=``, else the
browser's Accept-Language) shows the CA's SHA-256 fingerprint, a link to the certificate
(``/ca.pem``, served as a CA certificate so a browser offers to import it) and the steps to
trust it per browser and system, and to remove it after the class. Nothing secret: the
CA's key never leaves the simulator's folder. Compare the fingerprint with the one the
trainer shows before trusting.
"""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from panel_tui.sim.markup import html, html_response, join, signin_document
from panel_tui.sim.pki import ca_fingerprint
from panel_tui.sim.strings import pick_language
from panel_tui.sim.webkeys import CONTEXT

PAGE = "/ca"
CERTIFICATE = "/ca.pem"

# The steps per browser/system: (name, [step, ...]) in each language.
STEPS: dict[str, list[tuple[str, list[str]]]] = {
    "en": [
        ("Windows: Chrome and Edge", [
            "Download the certificate (the link above) and open it.",
            "Install Certificate… > Current User > Place all certificates in the following store > Browse > "
            "Trusted Root Certification Authorities > OK > Next > Finish.",
            "Windows shows the thumbprint (SHA-1) in a warning: check the SHA-256 fingerprint here first, then Yes.",
            "Close every Chrome/Edge window and open the sign-in page again."]),
        ("macOS: Safari and Chrome", [
            "Download the certificate and open it: Keychain Access adds it to the login keychain.",
            "Double-click “panel_tui simulator CA” > Trust > When using this certificate: Always Trust; "
            "close the window and confirm with your password.",
            "Compare its SHA-256 fingerprint (at the bottom of the same window) with the one here."]),
        ("Linux: Chrome and Chromium", [
            "chrome://certificate-manager > Local certificates > Custom > Trusted certificates > Import "
            "(older versions: Settings > Privacy and security > Security > Manage certificates > Authorities "
            "> Import).",
            "Choose the downloaded ca.pem and tick “Trust this certificate for identifying websites”."]),
        ("Firefox (every system)", [
            "Settings > Privacy & Security > Certificates > View Certificates… > Authorities > Import…",
            "Choose ca.pem, tick “Trust this CA to identify websites”, then View to compare the SHA-256 "
            "fingerprint > OK."]),
        ("Android and iOS", [
            "Android: Settings > Security > Encryption & credentials > Install a certificate > CA certificate.",
            "iOS: open the link in Safari, Settings > Profile Downloaded > Install; then Settings > General > About > "
            "Certificate Trust Settings > turn on full trust for “panel_tui simulator CA”."]),
        ("After the class", [
            "Remove the certificate from the same place (Windows: certmgr.msc > Trusted Root Certification "
            "Authorities; macOS: Keychain Access; Firefox/Chrome: the same Authorities list). "
            "Trust it only on a training machine."]),
    ],
    "ro": [
        ("Windows: Chrome și Edge", [
            "Descărcați certificatul (linkul de mai sus) și deschideți-l.",
            "Instalare certificat… > Utilizator curent > Plasează toate certificatele în următorul depozit "
            "> Răsfoire > Autorități de certificare rădăcină de încredere > OK > Următorul > Terminare.",
            "Windows arată amprenta (SHA-1) într-un avertisment: verificați întâi amprenta SHA-256 de aici, apoi Da.",
            "Închideți toate ferestrele Chrome/Edge și deschideți din nou pagina de conectare."]),
        ("macOS: Safari și Chrome", [
            "Descărcați certificatul și deschideți-l: Acces la brelocuri îl adaugă în brelocul de autentificare.",
            "Dublu clic pe „panel_tui simulator CA” > Încredere > La utilizarea acestui certificat: Întotdeauna de "
            "încredere; închideți fereastra și confirmați cu parola.",
            "Comparați amprenta SHA-256 (jos, în aceeași fereastră) cu cea de aici."]),
        ("Linux: Chrome și Chromium", [
            "chrome://certificate-manager > Certificate locale > Personalizate > Certificate de încredere > Importați "
            "(versiuni mai vechi: Setări > Confidențialitate și securitate > Securitate > Gestionați certificatele > "
            "Autorități > Importați).",
            "Alegeți fișierul ca.pem descărcat și bifați „Acordă încredere acestui certificat pentru identificarea "
            "site-urilor”."]),
        ("Firefox (orice sistem)", [
            "Setări > Confidențialitate și securitate > Certificate > Vezi certificatele… > Autorități > Importă…",
            "Alegeți ca.pem, bifați „Acordă încredere acestui CA pentru a identifica site-uri web”, apoi Vezi pentru a "
            "compara amprenta SHA-256 > OK."]),
        ("Android și iOS", [
            "Android: Setări > Securitate > Criptare și date de conectare > Instalați un certificat > Certificat CA.",
            "iOS: deschideți linkul în Safari, Setări > Profil descărcat > Instalați; apoi Setări > General > Despre > "
            "Setări încredere certificate > activați încrederea deplină pentru „panel_tui simulator CA”."]),
        ("După curs", [
            "Ștergeți certificatul din același loc (Windows: certmgr.msc > Autorități de certificare rădăcină de "
            "încredere; macOS: Acces la brelocuri; Firefox/Chrome: aceeași listă de autorități). "
            "Acordați-i încredere doar pe un calculator de curs."]),
    ],
}

WORDS = {
    "en": {
        "title": "Trust the simulator's certificate",
        "intro": "The simulator's sign-in pages and admin center use a certificate from its own authority. "
                 "Your browser trusts them once it trusts this authority.",
        "fingerprint": "SHA-256 fingerprint",
        "compare": "Compare it, character by character, with the fingerprint the trainer shows. "
                   "If they differ, stop and tell the trainer.",
        "download": "Download the certificate (ca.pem)",
        "footer": "Offline simulator for training and tests.",
    },
    "ro": {
        "title": "Încrederea în certificatul simulatorului",
        "intro": "Paginile de conectare și centrul de administrare ale simulatorului folosesc un certificat emis de "
                 "propria lui autoritate. Browserul vostru are încredere în ele după ce are încredere în această "
                 "autoritate.",
        "fingerprint": "Amprenta SHA-256",
        "compare": "Comparați-o, caracter cu caracter, cu amprenta afișată de formator. "
                   "Dacă diferă, opriți-vă și spuneți-i formatorului.",
        "download": "Descărcați certificatul (ca.pem)",
        "footer": "Simulator offline pentru instruire și teste.",
    },
}


def _ca_path(request: web.Request) -> str | None:
    path = request.app[CONTEXT].endpoints.get("ca_path")
    return path if isinstance(path, str) else None


async def trust_page(request: web.Request) -> web.Response:
    lang = pick_language(request.query.get("lang"), None, request.headers.get("Accept-Language"))
    words = WORDS[lang]
    path = _ca_path(request)
    if not path:
        raise web.HTTPNotFound()
    sections = join(
        html('<section class="steps" data-for="{name}"><h2>{name}</h2><ol>{items}</ol></section>', name=name,
             items=join(html("<li>{step}</li>", step=step) for step in steps))
        for name, steps in STEPS[lang])
    card = html(
        """<h1>{title}</h1>
<p>{intro}</p>
<p><strong>{fingerprint_label}</strong><br><code id="fingerprint">{fingerprint}</code></p>
<p>{compare}</p>
<p><a id="download" href="{certificate}" download="ca.pem">{download}</a></p>
{sections}""",
        title=words["title"], intro=words["intro"], fingerprint_label=words["fingerprint"],
        fingerprint=ca_fingerprint(Path(path)), compare=words["compare"], certificate=CERTIFICATE,
        download=words["download"], sections=sections)
    return html_response(signin_document(lang=lang, title=words["title"], brand="Microsoft 365 (simulator)",
                                         card=card, page="ca", footer=html("{t}", t=words["footer"])))


async def certificate(request: web.Request) -> web.Response:
    """The CA certificate, typed so a browser offers to import it."""
    path = _ca_path(request)
    if not path:
        raise web.HTTPNotFound()
    with open(path, "rb") as file:
        body = file.read()
    return web.Response(body=body, content_type="application/x-x509-ca-cert",
                        headers={"Content-Disposition": 'attachment; filename="ca.pem"',
                                 "X-Content-Type-Options": "nosniff"})


routes = web.RouteTableDef()
routes.get(PAGE)(trust_page)
routes.get(CERTIFICATE)(certificate)
