"""Benchmark the case packet (ケース記録一式): PDF and DOCX, LibreOffice, memory, linearity.

Run by ``make bench`` (or ``python bench/packets.py [--runs N]``). No database: the packet is
built from its contract (hub.documents.packet.contract) filled with synthetic data shaped like
the issue's case: the 10th version of the hearing sheet (a packet prints the latest version,
with its figures, joint plan and six criteria; with contracts as input the nine earlier
versions cost nothing), 30 exchanges on the timeline, 3 feedback rounds, a
sharing request, the consent scope, the policy, and 10 attached PDFs of 10 pages each. Each
attached page is scan-like (a grey noise JPEG of ≈170 KB, as noise does not compress, and a
line of text), so merging moves real bytes: 500 pages are ≈85 MB of attachments. The
attachments carry their page counts (``Attachment.pages``), as phase 2 is to pass them.

It prints, warm (same process, after two warm-up builds), p50 and p95 of writing the PDF packet
and the DOCX packet to a file; then LibreOffice's time converting that DOCX to PDF (the route a
city would take without the hub: one soffice run with its own profile, as the tests do); then,
each in a fresh process, the peak RSS and the time of a packet with 100 and with 500 attached
pages. Targets: PDF ≤ 0.5 s and ≥ 5× faster than LibreOffice; peak RSS ≤ 200 MB at 500 pages;
the 500-page packet ≤ 1.2 × 5 × the 100-page one. Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "documents"), str(ROOT / "tests")]

import printed_samples as samples  # noqa: E402 (the tests' sample contracts)

from hub.documents.packet.assemble import write_packet_pdf  # noqa: E402
from hub.documents.packet.contract import Attachment, PacketData  # noqa: E402
from hub.documents.packet.word import write_packet_docx  # noqa: E402

TARGET_PDF_S = 0.5
TARGET_SPEEDUP = 5.0
TARGET_RSS_MB = 200
LINEAR_SLACK = 1.2
VERSIONS = 10


def scan_pdf(path: Path, pages: int, label: str, seed: int) -> None:
    """A PDF of ``pages`` scan-like pages: a distinct grey noise JPEG each, and a label."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_font("helvetica", size=12)
    for n in range(pages):
        image = Image.effect_noise((620, 877), 48 + (seed * 7 + n) % 30)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=35)
        buffer.seek(0)
        pdf.add_page()
        pdf.image(buffer, x=15, y=25, w=180)
        pdf.set_xy(15, 15)
        pdf.cell(0, 8, f"{label} page {n + 1} of {pages}")
    pdf.output(str(path))


def attachments(folder: Path, count: int, pages: int) -> tuple[Attachment, ...]:
    out = []
    for n in range(1, count + 1):
        path = folder / f"scan-{count}x{pages}-{n}.pdf"
        if not path.exists():
            scan_pdf(path, pages, f"SCAN-{n}", n)
        # The page count as phase 2 will pass it (recorded when the file was uploaded).
        out.append(Attachment(f"添付資料{n}（スキャン {pages}ページ）", path, pages=pages))
    return tuple(out)


def case(attached: tuple[Attachment, ...]) -> PacketData:
    """The issue's case: the latest of 10 sheet versions, 30 exchanges, 3 feedback rounds."""
    # The packet prints the latest version; the nine before it are not read from a contract.
    latest = dataclasses.replace(samples.hearing(), version=VERSIONS, saved_on=date(2026, 11, 30))
    base = samples.packet(attachments=attached, timeline_rows=30)
    feedback = tuple(
        dataclasses.replace(samples.feedback(None, n), sent_on=date(2026, 9, 1) + timedelta(30 * n))
        for n in (1, 2, 3)
    )
    return dataclasses.replace(base, hearing_sheet=latest, feedback=feedback, minutes=())


def timed(function, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``runs`` calls, after two warm-up calls."""
    function()
    function()
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def libreoffice(docx: Path, workdir: Path, runs: int) -> tuple[list[float], list[float]] | None:
    """Wall and CPU seconds (user + system of soffice and its children) of each conversion."""
    soffice = shutil.which("soffice")
    if not soffice:
        return None
    wall, cpu = [], []
    for n in range(runs):
        run = workdir / f"lo-{n}"
        run.mkdir()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{run / 'profile'}", "--headless",
             "--convert-to", "pdf", "--outdir", str(run), str(docx)],
            check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(run)},
        )  # fmt: skip
        wall.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall, cpu


def child(folder: Path, pages: int, out: Path) -> None:
    """In a fresh process: build a packet with ``pages`` attached pages twice; print figures."""
    attached = attachments(folder, 10, pages // 10)
    data = case(attached)
    baseline = memory("VmRSS")
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        with open(out, "wb") as stream:
            result = write_packet_pdf(data, stream)
        times.append(time.perf_counter() - t0)
    peak = memory("VmHWM")
    print(json.dumps({"pages": result.pages, "baseline_mb": baseline, "peak_mb": peak,
                      "seconds": min(times), "size_mb": out.stat().st_size / 2**20}))  # fmt: skip


def memory(field: str) -> float:
    """MB from /proc/self/status: VmRSS now, VmHWM the peak since this program started.

    Not getrusage's ru_maxrss: Linux carries it over from the parent across fork and exec,
    so a child started by a large parent would report the parent's peak.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def in_child(folder: Path, pages: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(pages), "--folder", str(folder)],
        check=True, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--lo-runs", type=int, default=3)
    parser.add_argument("--child", type=int)
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.folder, args.child, args.folder / f"packet-{args.child}.pdf")
        return
    with tempfile.TemporaryDirectory(prefix="tsunagu-packets-") as temp:
        folder = Path(temp)
        t0 = time.perf_counter()
        data = case(attachments(folder, 10, 10))
        attachments(folder, 10, 50)  # made here, so the child measures only the packet
        prepared = time.perf_counter() - t0
        pdf_path, docx_path = folder / "packet.pdf", folder / "packet.docx"

        def build_pdf() -> None:
            with open(pdf_path, "wb") as stream:
                write_packet_pdf(data, stream)

        def build_docx() -> None:
            with open(docx_path, "wb") as stream:
                write_packet_docx(data, stream)

        pdf_wall, pdf_cpu = timed(build_pdf, args.runs)
        docx_wall, docx_cpu = timed(build_docx, args.runs)
        result_pages = len(PdfReader(pdf_path).pages)
        lo = libreoffice(docx_path, folder, args.lo_runs)
        small, large = in_child(folder, 100), in_child(folder, 500)

    report(result_pages, prepared, pdf_wall, pdf_cpu, docx_wall, docx_cpu, lo, small, large)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(pages, prepared, pdf_wall, pdf_cpu, docx_wall, docx_cpu, lo, small, large) -> None:
    print(
        f"case: hearing sheet version {VERSIONS}, 30 exchanges, 3 feedback rounds,"
        f" 10 attached PDFs of 10 scan pages; the PDF packet has {pages} pages"
        f" (attachments made in {prepared:.1f} s)"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'warm process':<22}{'p50 s':>8}{'p95 s':>8}{'cpu p50 s':>11}")
    for label, wall, cpu in (
        ("PDF packet", pdf_wall, pdf_cpu),
        ("DOCX packet", docx_wall, docx_cpu),
    ):
        print(f"{label:<22}{p(wall, 0.5):>8.3f}{p(wall, 0.95):>8.3f}{p(cpu, 0.5):>11.3f}")
    pdf_p50 = p(pdf_wall, 0.5)
    print(f"target PDF p50 ≤ {TARGET_PDF_S} s: {verdict(pdf_p50 <= TARGET_PDF_S)}")
    if lo is None:
        print("LibreOffice: soffice not found, not measured")
    else:
        lo_wall, lo_cpu = lo
        lo_p50 = statistics.median(lo_wall)
        speedup = lo_p50 / pdf_p50
        runs = ", ".join(f"{t:.2f}" for t in lo_wall)
        print(
            f"LibreOffice DOCX → PDF, own profile each run: median {lo_p50:.2f} s ({runs}),"
            f" cpu median {statistics.median(lo_cpu):.2f} s"
        )
        print(
            f"PDF packet vs LibreOffice: {speedup:.1f}× faster"
            f" (cpu: {statistics.median(lo_cpu) / p(pdf_cpu, 0.5):.1f}×;"
            f" target ≥ {TARGET_SPEEDUP}×: {verdict(speedup >= TARGET_SPEEDUP)})"
        )
    for figures in (small, large):
        print(
            f"fresh process, {figures['pages']} pages ({figures['size_mb']:.0f} MB file):"
            f" {figures['seconds']:.2f} s, peak RSS {figures['peak_mb']:.0f} MB"
            f" (after imports and sample data: {figures['baseline_mb']:.0f} MB)"
        )
    rss = large["peak_mb"]
    print(f"target peak RSS ≤ {TARGET_RSS_MB} MB at 500 pages: {verdict(rss <= TARGET_RSS_MB)}")
    ratio = large["seconds"] / small["seconds"]
    limit = LINEAR_SLACK * 5
    print(f"500-page / 100-page time: {ratio:.2f} (limit {limit:.1f}): {verdict(ratio <= limit)}")


if __name__ == "__main__":
    main()
