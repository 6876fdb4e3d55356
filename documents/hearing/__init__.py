"""共通ヒアリングシート: versioned sheets, derived figures, the joint payment plan, 共通目安.

The mailbox shares a sheet section by section: :func:`sheet_categories` names the categories a
sheet carries and :func:`filtered_copy` keeps only those a consent covers.
"""

from hub.documents.hearing.sections import filtered_copy, sheet_categories

__all__ = ["filtered_copy", "sheet_categories"]
