"""Fixtures for the rendering tests: sample consent forms rendered once per session, and the
external checkers (poppler, LibreOffice) wrapped so that a missing tool skips its group."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from helpers import unavailable
from hub.documents.render import fonts
from hub.documents.render.consent_form import (
    ConsentFormData,
    StatementRow,
    render_consent_docx,
    render_consent_pdf,
)

#: A name with a non-BMP kanji (𠮷), 異体字 (髙 﨑) and half-width kana: what breaks fonts.
NAME = "𠮷田 髙﨑"
KANA = "ﾖｼﾀﾞ ﾀｶｻｷ"

_DEPARTMENTS = ("納税課", "国保・年金課", "介護保険課", "生活福祉課", "ぷらっとホーム世田谷")
_CATEGORIES = ("滞納状況", "納付計画", "収支の状況", "民間債務の状況", "財産の状況")


def consent_data(*, long: bool = False, birth_date: date | None = date(1980, 4, 1)):
    """A consent as the consent service would pass it; ``long`` needs two pages or more."""
    rows = (
        StatementRow("納税課", "ぷらっとホーム世田谷", ("滞納状況", "納付計画", "収支の状況")),
        StatementRow("国保・年金課", "納税課", ("滞納状況", "財産の状況")),
        StatementRow("納税課", "国保・年金課", ("滞納状況", "民間債務の状況", "生活の状況")),
    )
    statement = (
        "世田谷区は、あなたの同意に基づき、次のとおり個人情報を目的外に利用し、又は提供します。"
        "納税課が保有するあなたの特別区民税・都民税の滞納状況、納付計画及び収支の状況を、"
        "生活困窮者の自立相談支援機関であるぷらっとホーム世田谷に提供します。"
    )
    if long:
        rows = tuple(
            StatementRow(src, dst, _CATEGORIES[: 1 + (i + j) % len(_CATEGORIES)])
            for i, src in enumerate(_DEPARTMENTS)
            for j, dst in enumerate(_DEPARTMENTS)
            if src != dst
        )
        statement = statement * 5
    return ConsentFormData(
        consent_id=12,
        city_name="世田谷区",
        resident_name=NAME,
        resident_kana=KANA,
        resident_address="東京都世田谷区世田谷四丁目21番27号 ハイツ髙﨑202",
        resident_birth_date=birth_date,
        atena_no="0012345678",
        obtaining_department="納税課",
        obtaining_staff="山田 太郎",
        contact_phone="03-5432-2215",
        rows=rows,
        purposes=(
            "生活の再建に向けた相談支援を、関係する所管課が連携して行うため",
            "あなたの状況に応じた納付計画の作成又は徴収の猶予・停止の判断を行うため",
        ),
        statement_text=statement,
        withdrawal_clause=(
            "この同意は、いつでも撤回することができます。撤回する場合は、下記のお問い合わせ先に"
            "お申し出ください。撤回後は、撤回前に共有した情報を除き、新たな共有は行いません。"
        ),
        valid_until=date(2026, 11, 21),
        issued_on=date(2026, 5, 21),
    )


@pytest.fixture(scope="session")
def make_consent():
    """``make_consent(long=..., birth_date=...)`` for tests that need their own variant."""
    return consent_data


@pytest.fixture(scope="session")
def short_data() -> ConsentFormData:
    return consent_data()


@pytest.fixture(scope="session")
def long_data() -> ConsentFormData:
    return consent_data(long=True)


@pytest.fixture(scope="session")
def short_pdf(short_data) -> bytes:
    return render_consent_pdf(short_data)


@pytest.fixture(scope="session")
def long_pdf(long_data) -> bytes:
    return render_consent_pdf(long_data)


@pytest.fixture(scope="session")
def short_docx(short_data) -> bytes:
    return render_consent_docx(short_data)


@pytest.fixture(scope="session")
def long_docx(long_data) -> bytes:
    return render_consent_docx(long_data)


@dataclass
class Poppler:
    """pdftotext / pdffonts on PDF bytes."""

    workdir: Path

    def _file(self, pdf: bytes) -> Path:
        path = self.workdir / f"{uuid.uuid4().hex}.pdf"
        path.write_bytes(pdf)
        return path

    def _run(self, *args: str) -> str:
        done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True)
        return done.stdout

    def pages(self, pdf: bytes, *, layout: bool = False) -> list[str]:
        """The text of each page (pdftotext separates pages with form feeds).

        With ``layout`` the page's layout is kept (a table row on one line, the header's
        left and right parts on one line); without it the text comes in reading order.
        """
        mode = ["-layout"] if layout else []
        text = self._run("pdftotext", *mode, "-enc", "UTF-8", str(self._file(pdf)), "-")
        return text.split("\f")[:-1]

    def lines(self, pdf: bytes) -> list[str]:
        """Every line of text with the page's layout kept: a table row is one line."""
        text = self._run("pdftotext", "-layout", "-enc", "UTF-8", str(self._file(pdf)), "-")
        return text.splitlines()

    def fonts(self, pdf: bytes) -> list[dict[str, str]]:
        """pdffonts rows as dicts: name, emb, sub, uni."""
        lines = self._run("pdffonts", str(self._file(pdf))).splitlines()[2:]
        rows = []
        for line in lines:
            # Columns are fixed-width in the header; the flags are the yes/no words near the end.
            parts = line.split()
            emb, sub, uni = parts[-5:-2]
            rows.append({"name": parts[0], "emb": emb, "sub": sub, "uni": uni})
        return rows


@pytest.fixture(scope="session")
def poppler(tmp_path_factory) -> Poppler:
    if not shutil.which("pdftotext") or not shutil.which("pdffonts"):
        unavailable("poppler", "pdftotext/pdffonts not found (apt-get install poppler-utils)")
    return Poppler(tmp_path_factory.mktemp("poppler"))


_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{font_dir}</dir>
  <cachedir>{cache_dir}</cachedir>
  <alias binding="same"><family>ＭＳ 明朝</family>
    <prefer><family>IPAexMincho</family><family>Noto Serif JP</family></prefer></alias>
  <alias binding="same"><family>ＭＳ ゴシック</family>
    <prefer><family>IPAexGothic</family><family>Noto Sans JP</family></prefer></alias>
</fontconfig>
"""


@dataclass
class LibreOffice:
    """Converts DOCX to PDF with soffice, as an independent check that a file opens and lays out.

    Each conversion gets its own profile (two conversions sharing one fail silently), and a
    fontconfig file that maps ＭＳ 明朝/ＭＳ ゴシック to the metric-compatible IPAex fonts when
    installed, with the Noto fonts of the wheel for what IPAex lacks (𠮷): a Linux machine has
    no MS fonts, and without this LibreOffice would draw 𠮷 as a box.
    """

    workdir: Path
    soffice: str

    def to_pdf(self, documents: dict[str, bytes]) -> dict[str, bytes]:
        run_dir = self.workdir / uuid.uuid4().hex
        (run_dir / "out").mkdir(parents=True)
        paths = []
        for name, content in documents.items():
            path = run_dir / f"{name}.docx"
            path.write_bytes(content)
            paths.append(str(path))
        conf = run_dir / "fonts.conf"
        conf.write_text(
            _FONTS_CONF.format(font_dir=fonts.sans_path().parent, cache_dir=run_dir / "fc")
        )
        env = {**os.environ, "HOME": str(run_dir), "FONTCONFIG_FILE": str(conf)}
        subprocess.run(
            [
                self.soffice,
                f"-env:UserInstallation=file://{run_dir / 'profile'}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(run_dir / "out"),
                *paths,
            ],
            capture_output=True,
            timeout=180,
            check=True,
            env=env,
        )
        return {name: (run_dir / "out" / f"{name}.pdf").read_bytes() for name in documents}


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    soffice = shutil.which("soffice")
    if not soffice:
        unavailable("libreoffice", "soffice not found (apt-get install libreoffice-writer-nogui)")
    return LibreOffice(tmp_path_factory.mktemp("libreoffice"), soffice)
