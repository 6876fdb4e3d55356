"""Versions, compare, judgements and who may do what — the services, as every caller uses them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.db import finish
from hub.documents.hearing import judgements, services
from hub.documents.hearing.models import CriteriaJudgement, HearingSheet, Outcome
from hub.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.models import AuditEvent


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def actions(db) -> list[tuple[str, str, str]]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    return [(e.action, e.object_type, e.outcome) for e in db.scalars(query)]


def test_each_save_is_a_new_version_and_old_ones_stay(db, world, sheet_of):
    first = services.save(db, world.staff, world.case.id, sheet_of(), based_on=0)
    changed = sheet_of()
    changed["household_budget"]["expenses"]["rent"] = "60,000"
    second = services.save(db, world.manager, world.case.id, changed, based_on=1)
    db.commit()
    assert (first.version, second.version) == (1, 2)
    assert second.author_id == world.manager.id
    assert second.department_id == world.lead.id  # the department the author acted for
    assert (
        services.get(db, world.staff, world.case.id, 1).data["household_budget"]["expenses"]["rent"]
        == 85_000
    )
    assert services.get(db, world.staff, world.case.id).version == 2
    assert second.figures["affordable"] == 55_000 and second.figures["rent_ratio"] < 0.3
    _case, listed = services.versions(db, world.manager, world.case.id)
    assert [s.version for s in listed] == [2, 1]


def test_compare_shows_old_and_new_values_with_japanese_labels(db, world, sheet_of):
    services.save(db, world.staff, world.case.id, sheet_of())
    changed = sheet_of(life_situation__work_difficulty=True)
    changed["household_budget"]["expenses"]["rent"] = "60,000"
    changed["household_budget"]["expenses"]["utilities"] = None
    changed["private_debts"]["debts"].pop()
    services.save(db, world.staff, world.case.id, changed)
    result = services.compare(db, world.staff, world.case.id, 1, 2)
    rows = {(c.section, c.label): (c.old, c.new) for c in result.changes}
    assert rows[("収支の状況", "家賃")] == ("85,000円", "60,000円")
    assert rows[("収支の状況", "水道光熱費")] == ("15,000円", "—")
    assert rows[("生活状況", "働くことが困難な事情（病気・障害等）がある")] == ("いいえ", "はい")
    assert rows[("民間債務の状況", "民間債務2")][1] == "—"
    sections = [c.section for c in result.changes]
    assert sections.index("民間債務の状況") < sections.index("生活状況") < sections.index("算出値")
    assert rows[("算出値", "家賃比率")] == ("38%", "27%")
    assert ("滞納状況", "特別区民税・都民税：滞納額") not in rows  # unchanged lines are left out
    assert services.compare(db, world.staff, world.case.id, 2, 2).changes == []
    with pytest.raises(NotFound):
        services.compare(db, world.staff, world.case.id, 1, 3)


def test_a_stale_or_unchanged_save_is_refused_and_nothing_is_written(db, world, sheet_of):
    services.save(db, world.staff, world.case.id, sheet_of(), based_on=0)
    db.commit()
    with pytest.raises(Conflict) as err:
        services.save(db, world.manager, world.case.id, sheet_of(), based_on=0)
    assert err.value.code == "sheet_outdated"
    with pytest.raises(InvalidInput) as err:
        services.save(db, world.staff, world.case.id, sheet_of(), based_on=1)
    assert err.value.code == "unchanged"
    with pytest.raises(InvalidInput) as err:
        services.save(db, world.staff, world.case.id, sheet_of(household_budget__take_home="-1"))
    assert "household_budget.take_home" in err.value.fields
    db.rollback()
    assert count(db, HearingSheet) == 1


def test_calculate_saves_nothing(db, world, sheet_of):
    result = services.calculate(db, world.staff, world.case.id, sheet_of())
    assert result.figures["affordable"] == 30_000
    assert [s.outcome for s in result.suggestions][:3] == [Outcome.MET] * 3
    assert count(db, HearingSheet) == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda db, w, s: services.save(db, w.outsider, w.case.id, s),
        lambda db, w, s: services.calculate(db, w.outsider, w.case.id, s),
        lambda db, w, s: services.get(db, w.outsider, w.case.id),
        lambda db, w, s: services.versions(db, w.outsider, w.case.id),
        lambda db, w, s: services.compare(db, w.outsider, w.case.id, 1, 1),
        lambda db, w, s: judgements.state(db, w.outsider, w.case.id),
        lambda db, w, s: judgements.judge(db, w.outsider, w.case.id, 1, {"1": {"decision": "met"}}),
    ],
)
def test_outsiders_are_told_nothing_exists_and_admins_are_refused(db, world, sheet_of, call):
    services.save(db, world.staff, world.case.id, sheet_of())
    db.commit()
    with pytest.raises(NotFound):
        call(db, world, sheet_of(life_situation__notes="外部"))
    finish(db, ok=False)  # as a refused request ends: the denial is kept
    admin_world = type(world)(**{**world.__dict__, "outsider": world.admin})
    with pytest.raises(Forbidden):
        call(db, admin_world, sheet_of(life_situation__notes="管理者"))
    finish(db, ok=False)
    denied = [a for a in actions(db) if a[2] == "denied"]
    assert denied, "the refusals are audited"
    assert count(db, HearingSheet) == 1 and count(db, CriteriaJudgement) == 0


def test_views_and_saves_are_audited(db, world, sheet_of):
    services.save(db, world.staff, world.case.id, sheet_of())
    services.get(db, world.partner_staff, world.case.id, 1)
    services.compare(db, world.staff, world.case.id, 1, 1)
    db.commit()
    logged = actions(db)
    assert ("hearing.create", "case", "allowed") in logged
    assert ("hearing.saved", "hearing_sheet", "allowed") in logged
    assert ("hearing.view_version", "hearing_sheet", "allowed") in logged
    assert ("hearing.compare", "case", "allowed") in logged


# ---------------------------------------------------------------------- judgements


def test_staff_confirm_or_overrule_suggestions_and_the_case_meets_the_criteria(db, world, sheet_of):
    services.save(db, world.staff, world.case.id, sheet_of())
    db.commit()
    state = judgements.state(db, world.staff, world.case.id)
    assert [i.suggestion.outcome for i in state.items] == [
        Outcome.MET,
        Outcome.MET,
        Outcome.MET,
        Outcome.NOT_MET,
        Outcome.NOT_MET,
        Outcome.UNKNOWN,
    ]
    assert state.meets is None  # nothing judged yet
    with pytest.raises(InvalidInput) as err:
        judgements.judge(
            db,
            world.staff,
            world.case.id,
            1,
            {"2": {"decision": "not_met"}, "6": {"decision": "met"}},
        )
    assert set(err.value.fields) == {"decisions.2.reason", "decisions.6.reason"}
    assert "提案（該当）と異なる判断" in err.value.fields["decisions.2.reason"]
    db.rollback()
    state = judgements.judge(
        db,
        world.staff,
        world.case.id,
        1,
        {
            "1": {"decision": "met"},
            "2": {"decision": "not_met", "reason": "家賃は来月から減額される"},
            "4": {"decision": "", "reason": ""},
        },
    )
    db.commit()
    assert state.meets is True and state.met == [1]
    second = state.items[1].judgement
    assert second.is_overruled and second.suggestion == Outcome.MET
    assert second.suggestion_reason == "家賃が手取り収入の38%（目安30%）"
    assert second.judged_by_id == world.staff.id and second.department_id == world.lead.id
    assert second.sheet.version == 1
    assert state.items[3].judgement is None


def test_a_newer_version_shows_the_judgement_as_based_on_an_older_one(db, world, sheet_of):
    services.save(db, world.staff, world.case.id, sheet_of())
    judgements.judge(db, world.staff, world.case.id, 1, {"1": {"decision": "met"}})
    services.save(db, world.staff, world.case.id, sheet_of(life_situation__notes="再訪"))
    state = judgements.state(db, world.staff, world.case.id)
    assert state.sheet.version == 2
    assert state.items[0].is_outdated and state.is_outdated
    assert state.items[0].judgement.sheet.version == 1
    with pytest.raises(Conflict):
        judgements.judge(db, world.staff, world.case.id, 1, {"1": {"decision": "met"}})
    state = judgements.judge(db, world.manager, world.case.id, 2, {"1": {"decision": "met"}})
    assert not state.is_outdated
    assert state.last.judged_by_id == world.manager.id
    assert count(db, CriteriaJudgement) == 2  # the history is kept


def test_judging_needs_a_sheet_a_choice_and_a_change(db, world, sheet_of):
    with pytest.raises(InvalidInput) as err:
        judgements.judge(db, world.staff, world.case.id, 1, {"1": {"decision": "met"}})
    assert err.value.code == "no_sheet"
    services.save(db, world.staff, world.case.id, sheet_of())
    with pytest.raises(InvalidInput) as err:
        judgements.judge(db, world.staff, world.case.id, 1, {})
    assert "decisions" in err.value.fields
    with pytest.raises(InvalidInput) as err:
        judgements.judge(db, world.staff, world.case.id, 1, {"7": {"decision": "met"}})
    assert "decisions.7" in err.value.fields
    with pytest.raises(InvalidInput) as err:
        judgements.judge(db, world.staff, world.case.id, "1", {"1": {"decision": "met"}})
    assert "version" in err.value.fields
    judgements.judge(db, world.staff, world.case.id, 1, {"1": {"decision": "met"}})
    with pytest.raises(InvalidInput) as err:
        judgements.judge(db, world.staff, world.case.id, 1, {"1": {"decision": "met"}})
    assert err.value.code == "unchanged"


# ------------------------------------------------------------- another department on the case


@pytest.mark.parametrize(
    "write",
    [
        lambda db, w, s: services.save(db, w.partner_staff, w.case.id, s),
        lambda db, w, s: services.calculate(db, w.partner_staff, w.case.id, s),
        lambda db, w, s: judgements.judge(
            db, w.partner_staff, w.case.id, 1, {"1": {"decision": "met"}}
        ),
    ],
)
def test_a_department_on_the_case_does_not_write_the_leads_sheet(db, world, sheet_of, write):
    services.save(db, world.staff, world.case.id, sheet_of())
    db.commit()
    with pytest.raises(Forbidden) as refused:
        write(db, world, sheet_of(life_situation__notes="他課が書き換え"))
    assert refused.value.code == "not_owner"
    assert "主管課（納税課）" in refused.value.message
    finish(db, ok=False)
    assert count(db, HearingSheet) == 1 and count(db, CriteriaJudgement) == 0
    assert [a for a in actions(db) if a[2] == "denied"] == [
        (a, "case", "denied") for a, _t, o in actions(db) if o == "denied"
    ]  # the refusal is audited, on the case
    assert any(o == "denied" for _a, _t, o in actions(db))


def test_another_department_reads_only_what_the_consent_gives_it(
    db, world, sheet_of, active_consent
):
    services.save(db, world.staff, world.case.id, sheet_of(life_situation__notes="生活の秘密"))
    judgements.judge(db, world.staff, world.case.id, 1, {"1": {"decision": "met"}})
    db.commit()
    # No consent: the department on the case sees that a version exists, nothing of it.
    seen = services.get(db, world.partner_staff, world.case.id)
    assert seen.data == {} and seen.figures is None
    assert seen.withheld == ["arrears", "household_budget", "private_debts", "life_situation"]
    assert seen.notice.startswith("同意の範囲外のため表示していません：滞納状況、収支の状況")
    state = judgements.state(db, world.partner_staff, world.case.id)
    assert all(i.judgement is None and i.suggestion is None for i in state.items)
    assert state.notice.endswith("生活状況（共通目安の判断を含む）")
    # A consent for arrears and the life situation: those sections, the judgements, no figures.
    resident = world.case.resident
    active_consent(
        resident, world.lead, [(world.lead, world.partner, ["arrears", "life_situation"])]
    )
    seen = services.get(db, world.partner_staff, world.case.id)
    assert sorted(seen.data) == ["arrears", "life_situation"]
    assert seen.data["life_situation"]["notes"] == "生活の秘密"
    assert seen.figures is None  # the surplus would tell the budget and the private debts
    assert seen.withheld == ["household_budget", "private_debts"]
    state = judgements.state(db, world.partner_staff, world.case.id)
    assert state.items[0].judgement.decision == Outcome.MET
    assert not state.suggestions_shown
    _case, listed = services.versions(db, world.partner_staff, world.case.id)
    assert listed[0].withheld == ["household_budget", "private_debts"]
    # The lead sees everything of its own sheet, whatever the consent says.
    own = services.get(db, world.staff, world.case.id)
    assert own.withheld == [] and own.figures["affordable"] == 30_000
