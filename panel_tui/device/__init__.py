"""The emulated printer: settings, job log, error codes, status sheet, clock.

Pure Python: nothing here imports textual, msal, aiosmtplib or aiosmtpd. User-facing
words are returned as locale keys (plus parameters) for the UI to translate.
"""
