"""The case packet (ケース記録一式): one PDF (or DOCX) of a case for one recipient department.

``write_packet_pdf`` streams the attached PDFs into the file page by page, lays out the cover,
the contents and the sections with fpdf2, and puts them in front, with bookmarks, a stamp on
every page (n / N, the recipient, the date) and optional AES-256; ``write_packet_docx`` writes
the same sections as one Word file. Both take a ``PacketData`` of plain data (contract.py).
See docs/documents.md.
"""
