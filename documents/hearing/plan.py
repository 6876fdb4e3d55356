"""The joint payment plan (共同の納付計画): split what the resident can pay across the claims.

The affordable amount is shared in proportion to each claim's arrears (按分), in whole rounding
units (100円), largest remainders first; no claim gets more than clears it, and what one claim
cannot take goes to the others. So the sum never exceeds the affordable amount and every
monthly amount is a multiple of the unit. hub/static/js/hearing.js does the same (``split``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub import jp
from hub.documents.hearing import dates
from hub.documents.hearing.settings import Params


def split(amounts: Sequence[int], affordable: int, unit: int) -> list[int]:
    """Share ``affordable`` across the claims' amounts; return the monthly amount of each."""
    budget = max(affordable, 0) // unit
    caps = [-(-a // unit) for a in amounts]  # units that clear each claim in one month
    if sum(caps) <= budget:
        return [c * unit for c in caps]
    total = sum(amounts)
    shares = [min(budget * a // total, cap) for a, cap in zip(amounts, caps, strict=True)]
    remainders = [budget * a % total for a in amounts]
    order = sorted(range(len(amounts)), key=lambda i: (-remainders[i], i))
    left = budget - sum(shares)
    while left > 0:
        takers = [i for i in order if shares[i] < caps[i]]
        for i in takers[:left]:
            shares[i] += 1
        left -= len(takers[:left])
    return [s * unit for s in shares]


@dataclass(frozen=True)
class ClaimInfo:
    """What the plan needs to know of a claim type."""

    id: int
    name: str
    limitation_years: int


def limitation(claim: Mapping[str, Any], info: ClaimInfo, params: Params, today: date) -> dict:
    """Estimate when the oldest unpaid period may become time-barred, and flag it if near."""
    if claim.get("oldest_due"):
        start, estimated = date.fromisoformat(claim["oldest_due"]), False
    elif claim.get("periods"):
        # Without the due date, the first day of the oldest 年度 is used: no 納期限 of that
        # year is earlier, so the warning comes early rather than late.
        start, estimated = date(min(p["fiscal_year"] for p in claim["periods"]), 4, 1), True
    else:
        return {"date": None, "estimated": False, "is_near": False, "is_passed": False}
    barred = _add_years(start, info.limitation_years)
    months_left = (barred.year - today.year) * 12 + barred.month - today.month
    return {
        "date": barred.isoformat(),
        "estimated": estimated,
        "is_near": barred > today and months_left <= params.limitation_warning_months,
        "is_passed": barred <= today,
    }


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def propose(
    claims: Sequence[Mapping[str, Any]],
    affordable: int | None,
    infos: Mapping[int, ClaimInfo],
    params: Params,
    today: date,
) -> dict[str, Any]:
    """Propose monthly amounts, months to clear and limitation flags for the arrears claims."""
    owed = [c for c in claims if c.get("amount") and c.get("claim_type_id") in infos]
    amounts = [c["amount"] for c in owed]
    monthly = split(amounts, affordable or 0, params.rounding_unit)
    start = dates.next_month(today)
    items = []
    for claim, amount, pay in zip(owed, amounts, monthly, strict=True):
        info = infos[claim["claim_type_id"]]
        months = -(-amount // pay) if pay else None
        items.append(
            {
                "claim_type_id": info.id,
                "amount": amount,
                "monthly": pay,
                "months": months,
                "until": dates.add_months(start, months - 1) if months else None,
                "is_long": bool(months and months > params.plan_long_months),
                "limitation": limitation(claim, info, params, today),
            }
        )
    return {
        "start": start,
        "affordable": affordable,
        "total_monthly": sum(monthly),
        "items": items,
    }


def limitation_label(flag: Mapping[str, Any]) -> str:
    """Say when a claim may become time-barred: 「令和8年4月1日頃（推定）」."""
    if not flag.get("date"):
        return ""
    text = jp.wareki(date.fromisoformat(flag["date"]))
    return f"{text}頃（推定）" if flag.get("estimated") else text
