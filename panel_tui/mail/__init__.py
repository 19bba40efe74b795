"""Mail backend: OAuth 2.0 (MSAL device code flow) and SMTP (aiosmtplib, AUTH XOAUTH2). No textual.

- ``providers``: :class:`Provider` profiles - ``simulator(endpoints)``,
  ``exchange_online(client_id, tenant)``, ``outlook_com(client_id)``, ``provider_for(...)``;
  :class:`LiveConfigError` explains the app registration live mode needs.
- ``auth``: :class:`OAuthSession` - device code sign-in (start / wait / cancel), the
  profile's 0600 token cache, ``signin_info()``, ``acquire_token_for_send()`` (refresh
  600 s before expiry), ``sign_out()``.
- ``smtp``: ``send_message(...)`` and ``connection_check(...)`` (STARTTLS, XOAUTH2,
  certificate validation with the system store (live mode) plus imported CA certificates).
- ``jobs``: :class:`MailJobs` - connection check, test mail, Scan to Email, To My Email,
  fax via email, each a job-log row that keeps its request for ``retry(job_id)``.
- ``errors``: :class:`MailError` (a cause of ``panel_tui.device.errors``), ``classify_idp_error``.
- ``scan``: the hand-written one-page PDF used as the "scanned page".

Importing any of these is cheap: msal, requests and aiosmtplib are imported when first used.
The simulator is reached over the network only, like the Microsoft cloud.
"""
