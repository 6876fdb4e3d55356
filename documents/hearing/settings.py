"""The thresholds and constants of the derived figures and the 共通目安 rules (hub.settings)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy.orm import Session

from hub import settings
from hub.settings import INT, RATIO, YEN, SettingDef

GROUP = "共通ヒアリングシート・共通目安"

DEFINITIONS = (
    SettingDef(
        key="hearing.rent_heavy_ratio",
        label="家賃負担が大きいとみなす割合（手取り収入に対する家賃）",
        kind=RATIO,
        default=0.3,
        rationale="家賃は手取り収入の3割以内が家計の一般的な目安。これを超えると共通目安2を提案する。",
        group=GROUP,
        minimum=0.05,
        maximum=1.0,
    ),
    SettingDef(
        key="hearing.protected_base",
        label="保護する生活費（本人・月額）",
        kind=YEN,
        default=100_000,
        rationale="国税徴収法第76条第1項第4号: 給料等の差押禁止額は本人につき月10万円。",
        group=GROUP,
        minimum=0,
        maximum=1_000_000,
        unit="円",
    ),
    SettingDef(
        key="hearing.protected_per_member",
        label="保護する生活費（世帯員1人あたり・月額）",
        kind=YEN,
        default=45_000,
        rationale="国税徴収法第76条第1項第4号: 生計を一にする親族1人につき月4万5千円を加える。",
        group=GROUP,
        minimum=0,
        maximum=1_000_000,
        unit="円",
    ),
    SettingDef(
        key="hearing.debt_service_heavy_ratio",
        label="民間債務の返済が重いとみなす割合（手取り収入に対する月返済額）",
        kind=RATIO,
        default=0.2,
        rationale="返済が手取りの2割を超えると生活費を圧迫しやすい（家計相談の目安。運用に合わせて調整）。",
        group=GROUP,
        minimum=0.05,
        maximum=1.0,
    ),
    SettingDef(
        key="hearing.debt_total_heavy_ratio",
        label="民間債務が多いとみなす割合（年収に対する債務総額）",
        kind=RATIO,
        default=0.3333,
        rationale="貸金業法第13条の2（総量規制）: 貸付けは原則として年収の3分の1まで。",
        group=GROUP,
        minimum=0.05,
        maximum=5.0,
    ),
    SettingDef(
        key="hearing.rounding_unit",
        label="納付額の端数処理の単位",
        kind=INT,
        default=100,
        rationale="分納額は100円未満を切り捨てて提案する（納付書・口座振替で扱いやすい額）。",
        group=GROUP,
        minimum=1,
        maximum=10_000,
        unit="円",
    ),
    SettingDef(
        key="hearing.limitation_warning_months",
        label="消滅時効が近いとみなす残りの月数",
        kind=INT,
        default=6,
        rationale="時効の更新（承認・差押え等）の手続に要する期間を見込み、6か月前から注意を促す。",
        group=GROUP,
        minimum=1,
        maximum=36,
        unit="か月",
    ),
    SettingDef(
        key="hearing.plan_long_months",
        label="完納まで長期とみなす月数",
        kind=INT,
        default=24,
        rationale="換価の猶予等の期間は原則1年・延長して最長2年（国税徴収法第152条）。超える計画は見直しを促す。",
        group=GROUP,
        minimum=1,
        maximum=240,
        unit="か月",
    ),
)
settings.register(*DEFINITIONS)


@dataclass(frozen=True)
class Params:
    """The setting values one computation uses (stored with each sheet version)."""

    rent_heavy_ratio: float = 0.3
    protected_base: int = 100_000
    protected_per_member: int = 45_000
    debt_service_heavy_ratio: float = 0.2
    debt_total_heavy_ratio: float = 0.3333
    rounding_unit: int = 100
    limitation_warning_months: int = 6
    plan_long_months: int = 24

    def as_dict(self) -> dict[str, float | int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def params(session: Session) -> Params:
    """Read the current values of the hearing settings."""
    stored = settings.values(session, [d.key for d in DEFINITIONS])
    return Params(**{key.removeprefix("hearing."): value for key, value in stored.items()})
