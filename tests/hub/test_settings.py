"""Settings: defaults until changed, typed parsing, admin-only, audited."""

import pytest
from sqlalchemy import select

from hub import settings
from hub.errors import Forbidden, InvalidInput
from hub.models import AuditEvent, Role

RENT = settings.SettingDef(
    key="test.rent_heavy_ratio",
    label="家賃負担が重いとみなす割合",
    kind=settings.RATIO,
    default=0.3,
    rationale="家賃は手取りの3割までが目安とされる",
    group="テスト",
    minimum=0.0,
    maximum=1.0,
)
PURPOSES = settings.SettingDef(
    key="test.purposes",
    label="同意の目的",
    kind=settings.TEXT_LIST,
    default=["生活再建の支援"],
    rationale="seed 000",
    group="テスト",
)
settings.register(RENT, PURPOSES)


def test_default_until_an_admin_changes_it(db, make_user):
    admin = make_user(role=Role.ADMIN)
    assert settings.get(db, RENT.key) == 0.3
    assert settings.update(db, admin, RENT.key, "0.35") == 0.35
    db.commit()
    assert settings.get(db, RENT.key) == 0.35
    assert settings.values(db, [RENT.key, PURPOSES.key]) == {
        RENT.key: 0.35,
        PURPOSES.key: ["生活再建の支援"],
    }
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "setting.update"))
    assert event.object_id == RENT.key


@pytest.mark.parametrize("raw", ["abc", "1.5", "-0.1", None])
def test_out_of_range_or_not_a_number_is_refused(db, make_user, raw):
    with pytest.raises(InvalidInput) as err:
        settings.update(db, make_user(role=Role.ADMIN), RENT.key, raw)
    assert RENT.key in err.value.fields


def test_text_list_one_item_per_line(db, make_user):
    value = settings.update(
        db, make_user(role=Role.ADMIN), PURPOSES.key, "生活再建の支援\n\n納付計画の作成\n"
    )
    assert value == ["生活再建の支援", "納付計画の作成"]


def test_only_admins_change_settings(db, make_user):
    with pytest.raises(Forbidden):
        settings.update(db, make_user(role=Role.MANAGER), RENT.key, "0.4")


def test_declaring_a_key_twice_differently_is_a_bug():
    with pytest.raises(ValueError, match="declared twice"):
        settings.register(settings.SettingDef(**{**RENT.__dict__, "default": 0.5}))


def test_single_line_text_setting(db, make_user):
    city = settings.SettingDef(
        key="test.city",
        label="自治体名",
        kind=settings.TEXT,
        default="世田谷区",
        rationale="同意書の宛先",
        group="テスト",
    )
    settings.register(city)
    admin = make_user(role=Role.ADMIN)
    assert settings.update(db, admin, city.key, " 豊田市 ") == "豊田市"
    for bad in ("", "a\nb", "区" * 101):
        with pytest.raises(InvalidInput):
            settings.update(db, admin, city.key, bad)
