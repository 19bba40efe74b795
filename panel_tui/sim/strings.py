"""Words of the sign-in pages in English and Romanian (Romanian as the guide words it).

The language is ``?lang=`` / the form's ``lang`` field, else the browser's
Accept-Language, else English.
"""
from __future__ import annotations

LANGUAGES = ("en", "ro")
LANGUAGE_NAMES = {"en": "English", "ro": "Română"}

SIGNIN_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "html_title": "Sign in to your account",
        "brand": "Microsoft 365 (simulator)",
        "enter_code_title": "Enter code",
        "enter_code_help": "Enter the code displayed on your app or device.",
        "code_label": "Code",
        "next": "Next",
        "code_invalid": "That code didn't work. Check the code and try again.",
        "code_expired": "That code has expired. Go back to your device to get a new code.",
        "code_used": "That code has already been used. Go back to your device to get a new code.",
        "account_title": "Sign in",
        "account_help": "to continue to {app}",
        "account_label": "Email address",
        "account_unknown": (
            "This username may be incorrect. Make sure you typed it correctly. "
            "Otherwise, contact your admin."
        ),
        "password_title": "Enter password",
        "password_label": "Password",
        "sign_in": "Sign in",
        "password_wrong": (
            "Your account or password is incorrect. If you don't remember your password, "
            "ask your administrator to reset it."
        ),
        "account_locked": (
            "Your account is temporarily locked to prevent unauthorized use. Try again later, "
            "and if you still have trouble, contact your admin."
        ),
        "permissions_title": "Permissions requested",
        "permissions_intro": "This app would like to:",
        "perm_smtp": "Send emails from mailboxes using SMTP AUTH",
        "perm_offline": "Maintain access to data you have given it access to",
        "perm_profile": "Sign you in and read your basic profile",
        "consent_org": "Consent on behalf of your organization",
        "consent_org_help": (
            "The app gets these permissions for every user in your organization; "
            "they will not be asked."
        ),
        "permissions_note": (
            "Accepting these permissions means that you allow this app to use your data "
            "as specified in its terms of service and privacy statement."
        ),
        "accept": "Accept",
        "cancel": "Cancel",
        "signed_in_title": "You have signed in",
        "signed_in_body": (
            "You have signed in to the {app} application on your device. "
            "You can close this window."
        ),
        "signed_in_as": "Signed in as {upn}",
        "declined_title": "Sign-in cancelled",
        "declined_body": (
            "You declined the permissions requested by {app}. The app on your device "
            "is not signed in. You can close this window."
        ),
        "mfa_title": "Approve sign in request",
        "mfa_body": "Open your Authenticator app, and enter the number shown to sign in.",
        "mfa_where": "In this simulator the Authenticator app is the page {url}.",
        "mfa_continue": "Continue",
        "mfa_waiting": "No response yet from the Authenticator app. Approve the request there, then continue.",
        "mfa_denied_title": "Request denied",
        "mfa_denied_body": "The sign-in request was denied in the Authenticator app. {app} is not signed in.",
        "mfa_timeout_title": "We didn't hear from you",
        "mfa_timeout_body": "The Authenticator app did not answer in time. {app} is not signed in. Try again.",
        "auth_title": "Authenticator",
        "auth_none": "No sign-in requests for {upn}.",
        "auth_question": "Are you trying to sign in?",
        "auth_number": "Enter the number shown to sign in.",
        "auth_yes": "Yes",
        "auth_no": "No, it's not me",
        "auth_approved": "Approved. Go back to the sign-in page.",
        "auth_denied": "Denied. The sign-in will not complete.",
        "blocked_title": "You cannot access this right now",
        "blocked_body": (
            "Your sign-in was successful but does not meet the criteria to access this "
            "resource. For example, you might be signing in from a browser, app, location, or "
            "an authentication flow that is restricted by your admin."
        ),
        "approval_title": "Need admin approval",
        "approval_body": (
            "{app} needs permission to access resources in your organization that only an "
            "admin can grant. Please ask an admin to grant permission to this app before "
            "you can use it."
        ),
        "approval_hint": (
            "An administrator grants it by signing in once and ticking "
            "\u201cConsent on behalf of your organization\u201d."
        ),
        "start_over_title": "Start again",
        "start_over_body": "This sign-in session is no longer valid. Enter the code again.",
        "start_over_link": "Enter the code",
        "error_code": "Error code: {code}",
        "footer": "Offline Microsoft 365 simulator for training and tests. Nothing here reaches Microsoft.",
    },
    "ro": {
        "html_title": "Conectați-vă la contul dvs.",
        "brand": "Microsoft 365 (simulator)",
        "enter_code_title": "Introduceți codul",
        "enter_code_help": "Introduceți codul afișat în aplicație sau pe dispozitiv.",
        "code_label": "Cod",
        "next": "Înainte",
        "code_invalid": "Acest cod nu a funcționat. Verificați codul și încercați din nou.",
        "code_expired": "Acest cod a expirat. Reveniți la dispozitiv pentru a obține un cod nou.",
        "code_used": "Acest cod a fost deja utilizat. Reveniți la dispozitiv pentru a obține un cod nou.",
        "account_title": "Conectare",
        "account_help": "pentru a continua la {app}",
        "account_label": "Adresă de e-mail",
        "account_unknown": (
            "Este posibil ca acest nume de utilizator să fie incorect. Asigurați-vă că l-ați "
            "tastat corect. În caz contrar, contactați administratorul."
        ),
        "password_title": "Introduceți parola",
        "password_label": "Parolă",
        "sign_in": "Autentificare",
        "password_wrong": (
            "Contul sau parola sunt incorecte. Dacă nu vă amintiți parola, cereți "
            "administratorului să o reseteze."
        ),
        "account_locked": (
            "Contul dvs. este blocat temporar pentru a preveni utilizarea neautorizată. Încercați "
            "din nou mai târziu, iar dacă problema persistă, contactați administratorul."
        ),
        "permissions_title": "Permisiuni solicitate",
        "permissions_intro": "Această aplicație ar dori să:",
        "perm_smtp": "Trimită e-mailuri din cutiile poștale folosind SMTP AUTH",
        "perm_offline": "Mențină accesul la datele la care i-ați acordat acces",
        "perm_profile": "Vă conecteze și să vă citească profilul de bază",
        "consent_org": "Consimțământ în numele organizației",
        "consent_org_help": (
            "Aplicația primește aceste permisiuni pentru toți utilizatorii organizației; "
            "aceștia nu vor mai fi întrebați."
        ),
        "permissions_note": (
            "Dacă acceptați aceste permisiuni, permiteți acestei aplicații să vă utilizeze "
            "datele conform condițiilor de utilizare și declarației de confidențialitate."
        ),
        "accept": "Accept",
        "cancel": "Anulare",
        "signed_in_title": "V-ați conectat",
        "signed_in_body": (
            "V-ați conectat la aplicația {app} pe dispozitiv. "
            "Acum puteți închide această fereastră."
        ),
        "signed_in_as": "Conectat ca {upn}",
        "declined_title": "Conectare anulată",
        "declined_body": (
            "Ați refuzat permisiunile solicitate de {app}. Aplicația de pe dispozitiv nu "
            "este conectată. Puteți închide această fereastră."
        ),
        "mfa_title": "Aprobați solicitarea de conectare",
        "mfa_body": "Deschideți aplicația Authenticator și introduceți numărul afișat pentru a vă conecta.",
        "mfa_where": "În acest simulator, aplicația Authenticator este pagina {url}.",
        "mfa_continue": "Continuare",
        "mfa_waiting": "Încă nu a răspuns aplicația Authenticator. Aprobați solicitarea acolo, apoi continuați.",
        "mfa_denied_title": "Solicitare refuzată",
        "mfa_denied_body": "Solicitarea de conectare a fost refuzată în aplicația Authenticator. "
                           "{app} nu este conectată.",
        "mfa_timeout_title": "Nu am primit niciun răspuns de la dvs.",
        "mfa_timeout_body": "Aplicația Authenticator nu a răspuns la timp. {app} nu este conectată. Încercați din nou.",
        "auth_title": "Authenticator",
        "auth_none": "Nicio solicitare de conectare pentru {upn}.",
        "auth_question": "Încercați să vă conectați?",
        "auth_number": "Introduceți numărul afișat pentru a vă conecta.",
        "auth_yes": "Da",
        "auth_no": "Nu, nu sunt eu",
        "auth_approved": "Aprobat. Reveniți la pagina de conectare.",
        "auth_denied": "Refuzat. Conectarea nu se va finaliza.",
        "blocked_title": "Nu puteți accesa acest lucru acum",
        "blocked_body": (
            "Conectarea a reușit, dar nu îndeplinește criteriile de accesare a acestei "
            "resurse. De exemplu, este posibil să vă conectați dintr-un browser, o aplicație, "
            "o locație sau printr-un flux de autentificare restricționat de administrator."
        ),
        "approval_title": "Este necesară aprobarea administratorului",
        "approval_body": (
            "{app} necesită permisiunea de a accesa resurse din organizația dvs., pe care "
            "doar un administrator o poate acorda. Cereți unui administrator să acorde "
            "permisiunea acestei aplicații înainte de a o utiliza."
        ),
        "approval_hint": (
            "Un administrator o acordă conectându-se o dată și bifând "
            "\u201eConsimțământ în numele organizației\u201d."
        ),
        "start_over_title": "Începeți din nou",
        "start_over_body": "Această sesiune de conectare nu mai este validă. Introduceți din nou codul.",
        "start_over_link": "Introduceți codul",
        "error_code": "Cod de eroare: {code}",
        "footer": "Simulator Microsoft 365 offline, pentru instruire și teste. Nimic de aici nu ajunge la Microsoft.",
    },
}


def text(lang: str, key: str, **values: str) -> str:
    """The string ``key`` in ``lang`` with ``{placeholders}`` filled (values are not escaped here)."""
    template = SIGNIN_STRINGS.get(lang, SIGNIN_STRINGS["en"])[key]
    return template.format(**values) if values else template


def pick_language(query_lang: str | None, form_lang: str | None, accept_language: str | None) -> str:
    """Explicit choice first, then the browser's preference (by q-value), else English."""
    for explicit in (form_lang, query_lang):
        if explicit and explicit.lower() in LANGUAGES:
            return explicit.lower()
    preferences: list[tuple[float, int, str]] = []
    for index, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            preferences.append((-quality, index, primary))
    return sorted(preferences)[0][2] if preferences else "en"
