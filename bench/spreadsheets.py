"""Hostile spreadsheet uploads: time and peak memory to refuse each one, and the size of the answer.

Each file (tests/hostile_sheets.py) goes through the reading of two entry points, in a process of its own so
that its peak RSS is its own (resource.getrusage): the cart upload (2,000 lines at most) and the dealer import
(50,000 rows at most). Neither needs the database: both refuse before any query. The "answer" is the JSON the
API would send for the refusal (the error's body or the per-row errors).

Targets (issue 18): every hostile file refused in well under a second, a worker's peak stays near its
baseline (the `baseline` line: a good 2-row file), answers of a few KB.

Run: .venv/bin/python bench/spreadsheets.py [--ratio-off]   (--ratio-off: without the compression ratio check,
which refuses the bombs first, to measure the limits behind it; to measure older code, copy this file and
tests/hostile_sheets.py into a checkout of it and run it there)
"""

from __future__ import annotations

import io
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120
MEMORY_CAP = 8 << 30  # a runaway child dies at 8 GB rather than taking the machine down

FILES = {
    "baseline.csv": "small_csv",
    "cells_bomb.xlsx": "cells_bomb",
    "row_bomb.xlsx": "row_bomb",
    "shared_strings_bomb.xlsx": "shared_strings_bomb",
    "many_shared_strings.xlsx": "many_shared_strings",
    "million_rows.xlsx": "million_rows_xlsx",
    "million_rows.csv": "million_rows_csv",
    "far_row.xlsx": "far_row_xlsx",
    "wide.csv": "wide_csv",
    "huge_field.csv": "huge_field_csv",
    "good_50000.xlsx": "good_xlsx",  # not hostile: the largest import a brand makes, to compare reading speed
    "good_50000.csv": "good_csv",
}


def small_csv(columns=("sku", "quantity")) -> bytes:
    return (",".join(columns) + "\nA,1\nB,2\n").encode()


def good_rows(columns, rows: int = 50_000):
    for n in range(rows):
        yield [f"{column[:4]}-{n}" if i % 3 else f"上海{n % 97}号" for i, column in enumerate(columns)]


def good_xlsx(columns) -> bytes:
    from openpyxl import Workbook  # an ordinary workbook: shared strings, as Excel writes them

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append(list(columns))
    for row in good_rows(columns):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_csv(columns) -> bytes:
    return ("\n".join(",".join(row) for row in [list(columns), *good_rows(columns)]) + "\n").encode()


def build(name: str, columns) -> bytes:
    sys.path[:0] = [str(ROOT)]
    from tests import hostile_sheets

    maker = FILES[name]
    if maker in ("small_csv", "good_xlsx", "good_csv"):
        return globals()[maker](columns)
    return getattr(hostile_sheets, maker)(columns)


def child(name: str, entry: str, ratio: str) -> None:
    """Read one file through one entry point; print one JSON line. `ratio` "off": without the compression
    ratio check, to see the limits behind it hold (on older code this changes nothing)."""
    sys.path[:0] = [str(ROOT / "bench")]
    from _setup import django_setup

    django_setup()
    if ratio == "off":
        from django.conf import settings

        settings.SPREADSHEET_LIMITS = {**getattr(settings, "SPREADSHEET_LIMITS", {}), "max_ratio": 10**9}
    from django.utils import translation

    translation.activate("en")
    from tenant_apps.core.errors import DomainError
    from tenant_apps.core.tables import FileUnreadable

    if entry == "cart":
        from tenant_apps.ordering.quick import UPLOAD_COLUMNS as columns
        from tenant_apps.ordering.quick import parse_upload as read
    else:
        from tenant_apps.dealers.transfer import COLUMNS as columns
        from tenant_apps.dealers.transfer import _rows_from_file as read
    data = (Path(sys.argv[5]) / name).read_bytes() if len(sys.argv) > 5 else build(name, columns)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        rows = read(file=data, filename=name)
        outcome, answer = f"read {len(rows)} rows", b""
    except DomainError as error:
        outcome, answer = type(error).__name__, json.dumps(error.as_dict(), ensure_ascii=False).encode()
        first = next(iter(error.fields.values()), [error.detail])[0]
        outcome += f": {first}"[:110]
    except FileUnreadable as error:
        answer = json.dumps([asdict(e) for e in error.errors], ensure_ascii=False).encode()
        outcome = f"FileUnreadable ({len(error.errors)} errors): {error.errors[0].message}"[:110]
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"ms": round(elapsed * 1000), "peak_mb": round(peak / 1024), "base_mb": round(base_rss / 1024),
                      "file_kb": round(len(data) / 1024), "answer_kb": round(len(answer) / 1024, 1),
                      "outcome": outcome}))


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def write_files(folder: Path) -> None:
    """Each file once per entry point (its own header), so that a child's peak is the reading alone."""
    sys.path[:0] = [str(ROOT / "bench")]
    from _setup import django_setup

    django_setup()
    from tenant_apps.dealers.transfer import COLUMNS
    from tenant_apps.ordering.quick import UPLOAD_COLUMNS

    for entry, columns in (("cart", UPLOAD_COLUMNS), ("import", COLUMNS)):
        (folder / entry).mkdir()
        for name in FILES:
            (folder / entry / name).write_bytes(build(name, columns))


def main() -> None:
    ratio = "off" if "--ratio-off" in sys.argv else "on"
    print(f"compression ratio check: {ratio}")
    folder = Path(tempfile.mkdtemp(prefix="bench-sheets-"))
    try:
        write_files(folder)
        results = run_all(folder, ratio)
    finally:
        shutil.rmtree(folder)
    summary(results)


def run_child(name: str, entry: str, ratio: str, folder: Path) -> dict:
    """The child's JSON line; if it is killed (time, memory), its peak so far from /proc (VmHWM)."""
    child = subprocess.Popen([sys.executable, __file__, "--child", name, entry, ratio, str(folder / entry)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limit_memory)
    started, peak_kb = time.monotonic(), 0
    while child.poll() is None and time.monotonic() - started < TIMEOUT:
        try:
            status = Path(f"/proc/{child.pid}/status").read_text()
            peak_kb = max(peak_kb, int(status.split("VmHWM:")[1].split()[0]))
        except (OSError, IndexError, ValueError):
            pass
        time.sleep(0.2)
    if child.poll() is None:
        child.kill()
        child.communicate()
        return {"ms": TIMEOUT * 1000, "peak_mb": round(peak_kb / 1024), "file_kb": -1, "answer_kb": -1,
                "outcome": f"killed after {TIMEOUT} s (peak: the highest seen)"}
    out, err = child.communicate()
    lines = out.strip().splitlines()
    if child.returncode == 0 and lines:
        return json.loads(lines[-1])
    return {"ms": -1, "peak_mb": round(peak_kb / 1024), "file_kb": -1, "answer_kb": -1,
            "outcome": f"crashed ({child.returncode}): {err.strip().splitlines()[-1:]}"[:110]}


def run_all(folder: Path, ratio: str) -> dict:
    results = {}
    print(f"{'file':<26} {'entry':<7} {'file KB':>8} {'ms':>7} {'peak MB':>8} {'answer KB':>10}  outcome")
    for name in FILES:
        for entry in ("cart", "import"):
            line = run_child(name, entry, ratio, folder)
            results[(name, entry)] = line
            print(f"{name:<26} {entry:<7} {line['file_kb']:>8} {line['ms']:>7} {line['peak_mb']:>8} "
                  f"{line['answer_kb']:>10}  {line['outcome']}", flush=True)
    return results


def summary(results: dict) -> None:
    hostile = [line for (name, _entry), line in results.items() if not name.startswith(("baseline", "good"))]
    baseline = max(line["peak_mb"] for (name, _entry), line in results.items() if name == "baseline.csv")
    print("RESULT " + " ".join([
        f"baseline_peak_mb={baseline}",
        f"worst_ms={max(line['ms'] for line in hostile)}",
        f"worst_peak_mb={max(line['peak_mb'] for line in hostile)}",
        f"worst_answer_kb={max(line['answer_kb'] for line in hostile)}",
        f"cells_bomb_peak_mb={results[('cells_bomb.xlsx', 'import')]['peak_mb']}",
        f"million_rows_xlsx_ms={results[('million_rows.xlsx', 'cart')]['ms']}",
        f"good_50000_xlsx_ms={results[('good_50000.xlsx', 'import')]['ms']}",
        f"good_50000_xlsx_peak_mb={results[('good_50000.xlsx', 'import')]['peak_mb']}",
    ]))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "on")
    else:
        main()
