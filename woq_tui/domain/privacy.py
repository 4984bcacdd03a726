"""Customers' personal data as the console shows it: masked unless asked (the reveal is
recorded first, store/actions.py; docs/decisions.md)."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str:
    """138****1234: the first three and last four digits; short numbers keep less."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)
