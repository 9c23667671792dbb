"""Password protection for a finished report: AES-256 (PDF 2.0, security handler
revision 6) with pikepdf.

reportlab's own 256-bit mode writes a revision that poppler-based readers refuse, and its
128-bit mode is RC4, so reportlab writes the plain document and pikepdf encrypts the bytes.
"""

from __future__ import annotations

import io
import unicodedata

import pikepdf

from models.inputs import report_password_problem


def protect(pdf: bytes, password: str) -> bytes:
    """The same document, encrypted with AES-256 (R6): it opens only with `password`,
    which is both the user and the owner password (the reader may print and copy once it
    is open)."""
    problem = report_password_problem(password)
    if problem:
        raise ValueError(problem)
    # A reader prepares the password typed to open the file as PDF 2.0 says (SASLprep,
    # whose core is NFKC); qpdf takes the bytes as given. So an accent typed as two code
    # points (as some keyboards and pasted text give it) locked the file for good in such a
    # reader. Encrypted with the prepared form, it opens as the reader prepares it.
    password = unicodedata.normalize("NFKC", password)
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.save(out, encryption=pikepdf.Encryption(owner=password, user=password, R=6),
                      deterministic_id=False)
    return out.getvalue()
