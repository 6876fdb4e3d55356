"""The error codes the documents package answers with (consents, membership, hearing sheets,
printouts and case packets).

The app factory hands them to the API document (``hub.api.spec.add_error_codes``), beside the
core's codes in ``hub.api.errors``; each is raised by a service with its Japanese message.
"""

from __future__ import annotations

#: Consents, the gate, sharing requests and case membership (hub.documents.consent).
CONSENT_CODES: dict[str, str] = {
    "consent_missing": "本人の同意の範囲外（足りない同意をメッセージで説明）",
    "consent_not_draft": (
        "有効化した同意は変更・同意書の破棄・スキャンの差し替え・再度の有効化ができない"
    ),
    "consent_withdrawn": "撤回済みの同意（撤回は取り消せない）",
    "consent_not_active": "有効でない同意は撤回できない",
    "scope_frozen": "同意書の作成後は範囲・目的・有効期限を変更できない（同意書を破棄してから）",
    "scan_missing": "署名済み同意書（スキャン）の登録前は有効化できない",
    "no_form": "同意書がまだ作成されていない",
    "validity_past": "有効期限が過ぎているため同意書を作成できない",
    "not_a_party": "同意の確認は自所管課が提供元または提供先になる組み合わせだけ",
    "already_involved": "既にケースの関係所管",
    "case_closed": "終了したケースには所管課を追加できない",
    "link_invalid": "同意書のダウンロードリンクが正しくない（画面のリンク）",
    "link_expired": "同意書のダウンロードリンクの期限切れ（画面のリンク）",
}

#: Hearing sheets and 共通目安 (hub.documents.hearing).
HEARING_CODES: dict[str, str] = {
    "no_sheet": "ヒアリングシートがまだない（共通目安はシートをもとに判断する）",
    "sheet_outdated": "編集・判断の元にした版より新しい版がある",
    "unchanged": "前の版・前の判断から変更がない",
}

#: Printouts and case packets (hub.documents.printing).
PRINTING_CODES: dict[str, str] = {
    "invalid_format": "形式は pdf または docx",
    "no_window": "案内する相談先が選ばれていない（勧める相談先もない）",
    "too_many_windows": "1枚に載せられる数を超える相談先",
    "nothing_to_give": "本人の同意が提供先に何も認めていないため、ケース記録一式を作成しない",
    "packet_unavailable": (
        "作成した後で同意の範囲が変わった・作成できなかった・保存期間が過ぎたため"
        "ダウンロードできない（理由をメッセージで説明）"
    ),
}

ERROR_CODES: dict[str, str] = {**CONSENT_CODES, **HEARING_CODES, **PRINTING_CODES}
