"""JSON Schemas of the hearing-sheet API (merged into the OpenAPI document by openapi.py).

Output schemas are strict (what documents/hearing stores and computes); input schemas accept
what staff type as well: amounts as integers or text such as 「１２３，４５６円」, periods as
text such as 「令和6年度 1期〜4期」, months as 「令和8年3月」 or ``2026-03``.
"""

from __future__ import annotations

from hub.api.schemas import ID, TIMESTAMP, Schema, items_of, obj, ref, text
from hub.documents.categories import InformationCategory
from hub.documents.hearing.models import Outcome
from hub.documents.hearing.schema import (
    ASSETS,
    DEBT_KINDS,
    EMPLOYMENT,
    EXPENSES,
    LIFE_FLAGS,
    LIFE_TEXTS,
    OTHER_INCOME,
)
from hub.documents.hearing.settings import Params


def _nullable(schema: Schema) -> Schema:
    kind = schema.get("type", "object")
    return {**schema, "type": [kind, "null"]} if isinstance(kind, str) else schema


def _choice(values: dict[str, str]) -> Schema:
    described = " / ".join(f"{k}: {v}" for k, v in values.items())
    return {"enum": [*values, None], "description": described}


YEN: Schema = {"type": ["integer", "null"], "minimum": 0, "description": "円（整数）"}
SIGNED_YEN: Schema = {"type": ["integer", "null"], "description": "円（負になりうる）"}
YEN_IN: Schema = {
    "type": ["integer", "string", "null"],
    "description": "円。整数、または「123,456」「１２３，４５６円」「12万」などの文字列",
}
FLAG: Schema = {"type": ["boolean", "null"], "description": "null は未確認"}
MONTH: Schema = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}$", "description": "YYYY-MM"}
MONTH_IN: Schema = {"type": ["string", "null"], "description": "「令和8年3月」「2026-03」など"}
DAY: Schema = {"type": ["string", "null"], "format": "date"}
DAY_IN: Schema = {"type": ["string", "null"], "description": "「2025-01-31」「令和7年1月31日」など"}
RATIO: Schema = {"type": ["number", "null"], "minimum": 0}
PERIOD: Schema = obj(
    {
        "fiscal_year": {"type": "integer", "description": "年度（西暦。2024 = 令和6年度）"},
        "from_period": {"type": "integer", "minimum": 1, "maximum": 12},
        "to_period": {"type": "integer", "minimum": 1, "maximum": 12},
    }
)
PERIODS_IN: Schema = {
    "anyOf": [
        {"type": "string", "description": "「令和6年度 1期〜4期、令和7年度 1期」"},
        {"type": "array", "items": PERIOD},
        {"type": "null"},
    ]
}


def _rows(row: Schema) -> Schema:
    return {"type": "array", "items": row}


def sections(lenient: bool) -> Schema:
    """The sheet's sections: strict as stored, or lenient as an input."""
    money, month, day = (YEN_IN, MONTH_IN, DAY_IN) if lenient else (YEN, MONTH, DAY)
    notes = {"type": ["string", "null"]} if lenient else {"type": "string"}
    required = [] if lenient else None
    age = {"type": ["integer", "string", "null"]} if lenient else _nullable({"type": "integer"})
    claim = {**ID, "description": "債権の種類のID（GET /claim-types）"}
    return obj(
        {
            "arrears": obj(
                {
                    "claims": _rows(
                        obj(
                            {
                                "claim_type_id": claim,
                                "amount": money,
                                "periods": PERIODS_IN if lenient else _rows(PERIOD),
                                "oldest_due": day,
                                "notes": notes,
                            },
                            required=["claim_type_id"] if lenient else None,
                        )
                    )
                },
                required=required,
                description="滞納状況（債権ごと）",
            ),
            "payment_plan": obj(
                {
                    "items": _rows(
                        obj(
                            {
                                "claim_type_id": claim,
                                "monthly": money,
                                "start": month,
                                "until": month,
                            },
                            required=["claim_type_id"] if lenient else None,
                        )
                    ),
                    "notes": notes,
                },
                required=required,
                description="納付計画（合意した月額・期間）",
            ),
            "household_budget": obj(
                {
                    "take_home": money,
                    "other_income": obj({k: money for k in OTHER_INCOME}, required=required),
                    "members": _rows(
                        obj(
                            {"relationship": notes, "age": age, "is_working": FLAG},
                            required=required,
                        )
                    ),
                    "expenses": obj({k: money for k in EXPENSES}, required=required),
                },
                required=required,
                description="収支の状況（月額）。世帯員は本人以外",
            ),
            "private_debts": obj(
                {
                    "debts": _rows(
                        obj(
                            {
                                "kind": _choice(DEBT_KINDS),
                                "creditor": notes,
                                "total": money,
                                "monthly": money,
                                "is_overdue": FLAG,
                            },
                            required=required,
                        )
                    )
                },
                required=required,
                description="民間債務の状況",
            ),
            "assets": obj(
                {
                    k: obj(
                        {"has": FLAG, "value": money, "notes": notes},
                        required=required,
                        description=f"{label}（金額は{amount}）",
                    )
                    for k, (label, amount) in ASSETS.items()
                },
                required=required,
                description="財産の状況",
            ),
            "life_situation": obj(
                {
                    "employment": _choice(EMPLOYMENT),
                    "job_lost_on": day,
                    **{k: {**FLAG, "description": label} for k, label in LIFE_FLAGS.items()},
                    **{k: {**notes, "description": label} for k, (label, _n) in LIFE_TEXTS.items()},
                },
                required=required,
                description="生活状況",
            ),
        },
        required=[],
    )


_LIMITATION = obj(
    {
        "date": DAY,
        "estimated": {"type": "boolean", "description": "納期限が未入力のため年度初日から推定"},
        "is_near": {"type": "boolean"},
        "is_passed": {"type": "boolean"},
    }
)
_PLAN_ITEM = obj(
    {
        "claim_type_id": ID,
        "amount": {"type": "integer", "minimum": 0},
        "monthly": {"type": "integer", "minimum": 0},
        "months": {"type": ["integer", "null"], "minimum": 1, "description": "完納までの月数"},
        "until": MONTH,
        "is_long": {"type": "boolean"},
        "limitation": _LIMITATION,
    }
)
_PARAMS = obj(
    {
        name: {"type": "number"} if isinstance(value, float) else {"type": "integer"}
        for name, value in Params().as_dict().items()
    },
    description="計算に使った設定値",
)
FIGURES = obj(
    {
        "monthly_income": YEN,
        "monthly_expenses": YEN,
        "rent": YEN,
        "private_repayment": {"type": "integer", "minimum": 0},
        "surplus": SIGNED_YEN,
        "rent_ratio": RATIO,
        "rent_heavy": FLAG,
        "private_debt_total": {"type": "integer", "minimum": 0},
        "debt_service_ratio": RATIO,
        "debt_service_heavy": FLAG,
        "debt_total_ratio": RATIO,
        "debt_total_heavy": FLAG,
        "household_size": {"type": "integer", "minimum": 1},
        "protected_amount": {"type": "integer", "minimum": 0},
        "capacity": SIGNED_YEN,
        "affordable": YEN,
        "arrears_total": {"type": "integer", "minimum": 0},
        "assets_total": {"type": "integer", "minimum": 0},
        "agreed_monthly": YEN,
        "agreed_over_affordable": FLAG,
        "plan": obj(
            {
                "start": MONTH,
                "affordable": YEN,
                "total_monthly": {"type": "integer", "minimum": 0},
                "items": _rows(_PLAN_ITEM),
            },
            description="共同の納付計画の提案",
        ),
        "params": _PARAMS,
    },
    description="算出値（保存時に計算して版とともに保存）",
)
_PERSON = obj({"id": ID, "display_name": {"type": "string"}})
_SUMMARY = {
    "version": {"type": "integer", "minimum": 1},
    "author": _PERSON,
    "department": ref("DepartmentRef"),
    "created_at": TIMESTAMP,
    "categories": {
        "type": "array",
        "items": {"enum": [c.value for c in InformationCategory]},
        "description": "記入のある区分（情報の区分）",
    },
    "withheld": {
        "type": "array",
        "items": {"enum": [c.value for c in InformationCategory]},
        "description": "記入はあるが、本人の同意の範囲外のため表示しない区分（主管課には空）",
    },
    "source_note": {"type": "string", "description": "作成元（共有されたシートから作成した版）"},
}
_OUTCOME = {"enum": [o.value for o in Outcome], "description": "met / not_met / unknown"}
_JUDGEMENT = obj(
    {
        "decision": {"enum": ["met", "not_met"]},
        "reason": {"type": "string"},
        "suggestion": _OUTCOME,
        "suggestion_reason": {"type": "string"},
        "is_overruled": {"type": "boolean"},
        "sheet_version": {"type": "integer", "minimum": 1},
        "is_outdated": {"type": "boolean", "description": "最新より古い版にもとづく判断"},
        "judged_by": _PERSON,
        "department": ref("DepartmentRef"),
        "judged_at": TIMESTAMP,
    }
)
_CRITERION = {"type": "integer", "minimum": 1, "maximum": 6}

HEARING_SCHEMAS: dict[str, Schema] = {
    "HearingSections": sections(lenient=False),
    "HearingSectionsInput": sections(lenient=True),
    "HearingFigures": FIGURES,
    "HearingSheetSummary": obj(_SUMMARY),
    "HearingSheetList": items_of("HearingSheetSummary"),
    "HearingSheet": obj(
        {
            "case_id": ID,
            **_SUMMARY,
            "sections": ref("HearingSections"),
            "figures": {
                "anyOf": [ref("HearingFigures"), {"type": "null"}],
                "description": "算出値（元になる区分に表示しないものがあれば null）",
            },
            "formula": {"type": "array", "items": {"type": "string"}},
            "notice": {
                "type": ["string", "null"],
                "description": "表示しない区分の説明（例: 同意の範囲外のため表示していません：…）",
            },
        }
    ),
    "HearingSheetInput": obj(
        {
            "based_on": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "編集の元にした版（0 は初版）。最新でなければ 409",
            },
            "sections": ref("HearingSectionsInput"),
        },
        required=["sections"],
    ),
    "HearingCalculateInput": obj({"sections": ref("HearingSectionsInput")}),
    "HearingCalculation": obj(
        {
            "sections": ref("HearingSections"),
            "figures": ref("HearingFigures"),
            "formula": {"type": "array", "items": {"type": "string"}},
            "suggestions": {
                "type": "array",
                "items": obj(
                    {
                        "criterion": _CRITERION,
                        "title": {"type": "string"},
                        "outcome": _OUTCOME,
                        "reason": {"type": "string"},
                    }
                ),
            },
        }
    ),
    "HearingComparison": obj(
        {
            "from": ref("HearingSheetSummary"),
            "to": ref("HearingSheetSummary"),
            "changes": {
                "type": "array",
                "items": obj(
                    {
                        "section": {"type": "string", "description": "区分（figures は算出値）"},
                        "section_label": {"type": "string"},
                        "field": {"type": "string"},
                        "label": {"type": "string"},
                        "old": {"type": "string", "description": "比較元の表示（— は未記入）"},
                        "new": {"type": "string"},
                    }
                ),
            },
        }
    ),
    "HearingCriteria": obj(
        {
            "case_id": ID,
            "sheet_version": {"type": ["integer", "null"], "minimum": 1},
            "notice": {"type": ["string", "null"], "description": "表示しない判断の説明"},
            "suggestions_shown": {
                "type": "boolean",
                "description": "提案を表示するか（シートの全項目を見られる所管課だけ）",
            },
            "meets": {"type": ["boolean", "null"], "description": "該当の判断が1つでもあれば true"},
            "met": {"type": "array", "items": _CRITERION},
            "items": {
                "type": "array",
                "items": obj(
                    {
                        "criterion": _CRITERION,
                        "title": {"type": "string"},
                        "text": {"type": "string"},
                        "suggestion": {
                            "anyOf": [
                                obj({"outcome": _OUTCOME, "reason": {"type": "string"}}),
                                {"type": "null"},
                            ]
                        },
                        "judgement": {"anyOf": [_JUDGEMENT, {"type": "null"}]},
                    }
                ),
            },
        }
    ),
    "HearingCriteriaInput": obj(
        {
            "version": {"type": "integer", "minimum": 1, "description": "判断の基にした最新の版"},
            "decisions": obj(
                {
                    str(n): obj(
                        {
                            "decision": {"enum": ["met", "not_met", ""]},
                            "reason": text(1000, "提案と異なる判断・提案のない目安では必須"),
                        },
                        required=[],
                    )
                    for n in range(1, 7)
                },
                required=[],
                description="目安の番号ごとの判断（空の decision は判断しない）",
            ),
        }
    ),
}
