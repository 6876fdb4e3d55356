"""Word and PDF rendering: A4 pages with the 取扱注意 marking, Japanese fonts, "n / N" numbers.

``pdf.PdfDocument`` (fpdf2, laid out directly) and ``word.WordDocument`` (python-docx) offer the
same blocks; ``blocks`` describes a document once and ``emit`` prints it on both. The consent
form, the hearing sheet, the policy, feedback and sharing requests, the disclosure record, the
counselling handout and minutes are built on them. See docs/documents.md.
"""
