"""Accounts: sign-up, sign-in, e-mail verification, password reset and profile."""
