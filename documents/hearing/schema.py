"""The 共通ヒアリングシート's sections and fields, with their Japanese labels (seed 000 §4⑴①).

Each section maps to the information category a consent grants, so a sheet can be shared
section by section. The parser (sections.py), the screens, the compare view and the JSON
schemas of the API all read these tables.
"""

from __future__ import annotations

from hub.documents.categories import InformationCategory

#: Section key → (label, information category), in the order of the paper sheet.
SECTIONS: dict[str, tuple[str, InformationCategory]] = {
    "arrears": ("滞納状況", InformationCategory.ARREARS),
    "payment_plan": ("納付計画", InformationCategory.PAYMENT_PLAN),
    "household_budget": ("収支の状況", InformationCategory.HOUSEHOLD_BUDGET),
    "private_debts": ("民間債務の状況", InformationCategory.PRIVATE_DEBTS),
    "assets": ("財産の状況", InformationCategory.ASSETS),
    "life_situation": ("生活状況", InformationCategory.LIFE_SITUATION),
}

OTHER_INCOME = {
    "pension": "年金",
    "allowance": "手当",
    "remittance": "仕送り",
    "other": "その他の収入",
}

EXPENSES = {
    "rent": "家賃",
    "food": "食費",
    "utilities": "水道光熱費",
    "communication": "通信費",
    "insurance": "保険料",
    "medical": "医療費",
    "education": "教育費",
    "transport": "交通費",
    "other": "その他の支出",
}

DEBT_KINDS = {
    "consumer_finance": "消費者金融",
    "credit_card": "クレジットカード",
    "bank": "銀行",
    "scholarship": "奨学金",
    "family": "家族・知人",
    "other": "その他",
}

#: Asset kind → (label, what the amount is).
ASSETS = {
    "real_estate": ("不動産", "評価額"),
    "deposits": ("預貯金", "残高"),
    "life_insurance": ("生命保険", "解約返戻金"),
    "vehicles": ("自動車", "評価額"),
    "other": ("その他の財産", "評価額"),
}

EMPLOYMENT = {
    "working": "就労中",
    "lost_job": "退職・失職した",
    "never_worked": "就労したことがない",
}

#: Yes/no questions of the life situation (None: not asked or not answered).
LIFE_FLAGS = {
    "income_reduced": "退職・失職・休業等で収入が減った",
    "wants_work": "就労を希望している",
    "work_difficulty": "働くことが困難な事情（病気・障害等）がある",
    "family_circumstances": "家族等に介護その他の特殊な事情がある",
    "large_expenses": "その事情による出費が大きい",
    "wants_rebuild": "生活再建を希望している",
}

LIFE_TEXTS = {
    "work_difficulty_notes": ("働くことが困難な事情の内容", 500),
    "family_notes": ("特殊な事情・出費の内容", 500),
    "notes": ("その他の聞き取り内容", 2000),
}

#: Field labels used by messages and the compare view.
LABELS = {
    "claim_type_id": "債権",
    "amount": "滞納額",
    "periods": "年度・期",
    "oldest_due": "最も古い未納分の納期限",
    "notes": "備考",
    "monthly": "月額",
    "start": "開始月",
    "until": "終了月",
    "take_home": "手取り収入（月額）",
    "relationship": "続柄",
    "age": "年齢",
    "is_working": "就労",
    "kind": "種類",
    "creditor": "借入先",
    "total": "債務総額",
    "is_overdue": "延滞",
    "has": "有無",
    "value": "金額",
    "employment": "就労の状況",
    "job_lost_on": "退職・失職した日",
}

#: Rows a list may hold (a form shows the filled rows and a few blank ones).
MAX_ROWS = {"members": 15, "debts": 30, "periods": 20}
TEXT_LIMITS = {"notes": 200, "relationship": 20, "creditor": 100, "plan_notes": 500}
