"""Word and PDF rendering: A4 pages with the 取扱注意 marking, Japanese fonts, "n / N" numbers.

``pdf.PdfDocument`` (fpdf2, laid out directly) and ``word.WordDocument`` (python-docx) offer the
same blocks; ``consent_form`` builds the 同意書 on both. See docs/documents.md.
"""
