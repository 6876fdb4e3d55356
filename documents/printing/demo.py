"""Demo: a directory of counselling windows like seed 002's 相談先一覧表 (and seed 001's
ぷらっとホーム世田谷・法テラス), each linked to the 共通目安 and sheet facts it helps with.
The places and numbers are made up for the demo, except 法テラス's published support line."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.documents.printing.models import CounsellingWindow

WINDOWS: tuple[dict[str, Any], ...] = (
    dict(
        name="ぷらっとホーム世田谷",
        what_for="仕事や住まい、家計のことなど、生活全般の困りごと。どこに相談したらよいかわからないときも。",
        keywords="生活困窮、仕事、家計、住まい、自立相談支援",
        place="世田谷区三軒茶屋二丁目（デモ）",
        phone="03-5432-2221",
        hours="平日 9:00〜17:00",
        criteria=[1, 2, 3],
        facts=["income_lost", "wants_rebuild"],
    ),
    dict(
        name="法テラス（日本司法支援センター）",
        what_for="借金の整理や返済の相談。収入が一定以下なら無料の法律相談が受けられます。",
        keywords="借金、債務整理、法律相談、多重債務",
        place="法テラス東京（新宿区）",
        phone="0570-078374",
        hours="平日 9:00〜21:00、土曜 9:00〜17:00",
        note="https://www.houterasu.or.jp/",
        criteria=[3],
        facts=["private_debts", "consumer_credit"],
    ),
    dict(
        name="世田谷区消費生活センター",
        what_for="クレジットや消費者金融の借入れ、契約のトラブル。多重債務の相談窓口を案内します。",
        keywords="多重債務、クレジット、契約",
        place="世田谷区太子堂二丁目（デモ）",
        phone="03-5432-3341",
        hours="平日 9:00〜16:00",
        facts=["consumer_credit"],
    ),
    dict(
        name="ハローワーク（公共職業安定所）",
        what_for="仕事探し、職業訓練、雇用保険の手続き。",
        keywords="仕事、就労、失業、雇用保険",
        place="最寄りのハローワーク",
        phone="03-5432-4451",
        hours="平日 8:30〜17:15",
        criteria=[1],
        facts=["income_lost", "wants_work"],
    ),
    dict(
        name="世田谷区社会福祉協議会",
        what_for="一時的な生活費や住まいの費用の貸付（生活福祉資金）の相談。",
        keywords="貸付、生活福祉資金、住居",
        place="世田谷区下馬二丁目（デモ）",
        phone="03-5432-5561",
        hours="平日 8:30〜17:15",
        criteria=[2],
        facts=["rent_heavy"],
    ),
    dict(
        name="保健福祉センター（保健福祉課）",
        what_for="介護や障害、病気で働くことが難しいときの相談。家族の介護の負担の相談も。",
        keywords="介護、障害、病気、家族",
        place="各総合支所（デモ）",
        phone="03-5432-2222",
        hours="平日 8:30〜17:15",
        criteria=[4, 5],
        facts=["work_difficulty", "family_circumstances"],
    ),
)


def load(session: Session) -> bool:
    """Fill an empty directory once; False if it already has windows (nothing changes)."""
    if session.scalar(select(CounsellingWindow.id).limit(1)) is not None:
        return False
    for order, values in enumerate(WINDOWS, 1):
        session.add(CounsellingWindow(sort_order=order * 10, **values))
    session.flush()
    return True
