"""Booking locators: 6 characters from an alphabet with no look-alikes (no 0/O, 1/I/L)."""
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6


def new_locator() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def is_locator(text: str) -> bool:
    return len(text) == LENGTH and all(c in ALPHABET for c in text)


def normalize_locator(text: str) -> str:
    """Locators are printed in capitals; staff type them in any case."""
    return (text or "").strip().upper()
