"""The demo sheet of 山田 太郎: loaded by `tsunagu demo`, once."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from hub.cli import main
from hub.documents.hearing import demo, judgements
from hub.documents.hearing.models import CriteriaJudgement, HearingSheet, Outcome
from hub.models import Case, Resident


def test_the_demo_case_gets_a_sheet_and_decisions_once(db, demo_data):
    assert demo.load(db) is True
    db.commit()
    case = db.scalar(select(Case).join(Resident).where(Resident.atena_no == "0001000001"))
    sheet = db.scalar(select(HearingSheet).where(HearingSheet.case_id == case.id))
    assert sheet.version == 1 and sheet.author.login_id == "nozei01"
    assert sheet.department.name == "納税課"
    assert sheet.figures["affordable"] == 30_000
    assert len(sheet.figures["plan"]["items"]) == 2
    state = judgements.summary(db, case)
    assert state.met == [1, 2, 3]
    assert [i.suggestion.outcome for i in state.items][5] == Outcome.UNKNOWN
    assert demo.load(db) is False
    assert db.scalar(select(func.count()).select_from(HearingSheet)) == 1
    assert db.scalar(select(func.count()).select_from(CriteriaJudgement)) == 5


def test_tsunagu_demo_loads_it(db, config, monkeypatch):
    # The real day, not the frozen one of the hearing tests: the demo's consent form is stamped
    # with the real clock, and its signing day and the demo mail follow it.
    monkeypatch.undo()
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", config.database_url)
    monkeypatch.setenv("TSUNAGU_INSTANCE_PATH", config.instance_path)
    monkeypatch.setenv("TSUNAGU_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("TSUNAGU_ARGON2_MEMORY_COST", "8")
    monkeypatch.setenv("TSUNAGU_ARGON2_PARALLELISM", "1")
    db.commit()
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(main, ["demo"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert db.scalar(select(func.count()).select_from(HearingSheet)) == 1
