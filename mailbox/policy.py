"""徴収可否の判断・今後の方針 as a document: the pattern ①②③ (seed 000 ⑺) and, per claim,
the decision (納付計画, 徴収猶予, 換価の猶予, 執行停止, 継続) with the plan's amount and months.

Frozen as sent: the claim's name and the decision's wording are stored with the ids, so a
renamed claim type or a reworded decision never changes what was shared or printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.documents.hearing import dates
from hub.documents.hearing.reader import Reader
from hub.documents.render.policy import DECISIONS
from hub.jp import yen
from hub.validation import Fields, parse_id

PATTERNS = {
    "1": "① 生活再建に時間を要する: 生活再建の相談窓口へ繋ぐ。滞納繰越分は執行停止とする",
    "2": (
        "② 生活再建の見込みあり: 相談窓口へ繋ぎ、"
        "民間債権の支払状況を踏まえ各債権課が連携して納付計画を立てる"
    ),
    "3": "③ 支援所管への繋ぎは希望しない: 公債権所管間で情報を共有し、連携して納付計画を立てる",
}
CLAIM_KEYS = {"claim_type_id", "decision", "monthly", "months", "start", "until", "note"}
MAX_CLAIMS = 20


def _claims(raw: Any, claim_names: Mapping[int, str]) -> tuple[list[dict[str, Any]], str | None]:
    """The per-claim decisions, checked; the first error in Japanese, or None."""
    if raw in (None, "", []):
        return [], None
    if not isinstance(raw, list) or len(raw) > MAX_CLAIMS:
        return [], "債権ごとの判断の指定が正しくありません。"
    r, rows, seen = Reader(from_form=True), [], set()
    for n, item in enumerate(raw):
        path = f"claims.{n}"
        row = r.mapping(item, path, "債権ごとの判断", CLAIM_KEYS)
        claim_id = parse_id(row.get("claim_type_id"))
        if claim_id is None:
            r.error(path, "債権の指定が正しくありません。")
            continue
        if claim_id not in claim_names or claim_id in seen:
            r.error(path, "債権の指定が正しくありません。")
            continue
        seen.add(claim_id)
        name = claim_names[claim_id]
        decision = r.choice(row.get("decision"), path, f"{name}の判断", DECISIONS)
        if decision is None:
            r.error(path, f"{name}の判断を選んでください。")
            continue
        start = r.month(row.get("start"), path, f"{name}の開始月")
        until = r.month(row.get("until"), path, f"{name}の終了月")
        if start and until and until < start:
            r.error(path, f"{name}の終了月が開始月より前になっています。")
        rows.append(
            {
                "claim_type_id": claim_id,
                "claim": name,
                "decision": decision,
                "decision_label": DECISIONS[decision],
                "monthly": r.yen(row.get("monthly"), path, f"{name}の月額"),
                "months": r.integer(row.get("months"), path, f"{name}の回数", 1, 120),
                "start": start or "",
                "until": until or "",
                "note": r.text(row.get("note"), path, f"{name}の備考", 200),
            }
        )
    return rows, next(iter(r.errors.values()), None)


def content(raw: Mapping[str, Any], claim_names: Mapping[int, str]) -> tuple[dict | None, str]:
    """The policy's frozen content from the compose form's ``policy`` object, or the error."""
    pattern = str(raw.get("pattern") or "")
    if pattern not in PATTERNS:
        return None, "今後の方針（①②③）を選んでください。"
    sub = Fields(raw)
    note = sub.text("note", "方針の説明", max_length=2000)
    if sub.errors:
        return None, next(iter(sub.errors.values()))
    claims, error = _claims(raw.get("claims"), claim_names)
    if error:
        return None, error
    stop = raw.get("stop_execution") in (True, "1", "on", "true")
    return {
        "pattern": pattern,
        "label": PATTERNS[pattern],
        "stop_execution": stop,
        "note": note,
        "claims": claims,
    }, ""


def claim_line(claim: Mapping[str, Any]) -> str:
    """One claim's decision in words: 「納付計画（分割納付） 月額10,000円 × 12回」."""
    parts = [claim.get("decision_label") or DECISIONS.get(claim.get("decision", ""), "")]
    if claim.get("monthly"):
        months = f" × {claim['months']}回" if claim.get("months") else ""
        parts.append(f"月額{yen(claim['monthly'])}{months}")
    span = "〜".join(
        filter(None, (dates.month_label(claim.get("start")), dates.month_label(claim.get("until"))))
    )
    if span:
        parts.append(f"（{span}）")
    if claim.get("note"):
        parts.append(f"備考: {claim['note']}")
    return " ".join(p for p in parts if p)
