"""Benchmark `manage.py import_ndc` on an FDA NDC directory of the real one's size.

Run from the project root:  python bench/import_ndc.py [--products 110000] [--seed 0]

It writes a directory with bench/fda_directory.py (110,000 products, ~168,000 packages, ~12,000
of them packages of injectable solutions that the import keeps) into a temporary directory,
builds a throwaway SQLite database there (migrate, seed_catalog, as `make setup` does), then
times, one after the other:

  FIRST    `import_ndc --product --package` into that catalog: every kept package is added;
  AGAIN    the same command again: every kept package is read and found unchanged;
  READ     `domain.fda_files.read_fda` alone on the same files (parsing, no database), to show how
           the first run's time splits between reading the files and writing the products.

It checks that FIRST added what the generator's summary says it should (or updated a seeded
product that happens to share an NDC) and that AGAIN added and updated nothing, then prints
products/s and kept packages/s for each, and the process's peak resident memory.
Goal (issue 9): the 110,000-product import in under 30 s and 300 MB.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fda_directory import write_directory  # noqa: E402

GOAL_SECONDS = 30
GOAL_MB = 300


def configure(tmp: Path) -> None:
    """Point the settings at a throwaway database, DEBUG off, before Django starts."""
    for key in [key for key in os.environ if key.startswith("DJANGO_")] + ["DATABASE_URL"]:
        os.environ.pop(key, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="infusion.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SQLITE_PATH=str(tmp / "db.sqlite3"),
        DJANGO_STATIC_ROOT=str(tmp / "static"),
    )
    (tmp / "static").mkdir()


def peak_mb() -> float:
    """Return this process's peak resident memory so far in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=110_000, help="product rows (110,000)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (0)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-import-ndc-"))
    try:
        configure(tmp)
        summary = write_directory(tmp / "fda", products=args.products, seed=args.seed)
        product, package = summary.path / "product.txt", summary.path / "package.txt"
        import django

        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        from calculator.domain import fda_files
        from calculator.models import DrugProduct

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_catalog", verbosity=0, stdout=io.StringIO())
        setup_s = time.perf_counter() - started
        seeded = set(DrugProduct.objects.values_list("ndc", flat=True))
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        memory_before = peak_mb()

        def run() -> tuple[float, str]:
            out = io.StringIO()
            started = time.perf_counter()
            call_command(
                "import_ndc", "--product", str(product), "--package", str(package), stdout=out
            )
            return time.perf_counter() - started, out.getvalue().split("\n", 1)[0]

        first_s, first = run()
        memory_first = peak_mb()
        again_s, again = run()
        started = time.perf_counter()
        result = fda_files.read_fda(product, package, today=timezone.localdate())
        read_s = time.perf_counter() - started
        load_after = Path("/proc/loadavg").read_text().split()[:3]
        stored = DrugProduct.objects.count()
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    kept = len(summary.kept)
    overlap = len(seeded & set(summary.kept))
    rejected = summary.rejected_products
    expected_first = f"added {kept - overlap}, updated {overlap}, unchanged 0, rejected {rejected}"
    expected_again = f"added 0, updated 0, unchanged {kept}, rejected {rejected}"
    checks = {
        "FIRST": expected_first in first,
        "AGAIN": expected_again in again,
        "READ": len(result.records) == kept,
        "catalog": stored == len(seeded | set(summary.kept)),
    }

    print(
        f"{summary.products:,} products, {summary.packages:,} packages "
        f"({summary.injectable_solutions:,} injectable solution products, {kept:,} packages "
        f"kept), written in {summary.seconds:.1f} s; SQLite in a temp dir, DEBUG off, "
        f"migrate + seed_catalog {setup_s:.1f} s"
    )
    print(f"  {'run':<7}{'seconds':>9}{'products/s':>12}{'kept/s':>10}   output")
    for label, seconds, text in (
        ("FIRST", first_s, first),
        ("AGAIN", again_s, again),
        ("READ", read_s, f"{len(result.records):,} records, {len(result.rejections):,} rejected"),
    ):
        rate = summary.products / seconds
        print(f"  {label:<7}{seconds:>9.2f}{rate:>12,.0f}{kept / seconds:>10,.0f}   {text}")
    print(
        f"  FIRST split: reading the files ~{read_s / first_s:.0%} (READ), writing "
        f"~{1 - read_s / first_s:.0%}; AGAIN / FIRST {again_s / first_s:.2f}x"
    )
    print(
        f"  peak resident memory: {memory_before:.0f} MB before the imports (Django, "
        f"directory written), {memory_first:.0f} MB after FIRST, {peak_mb():.0f} MB at the end"
    )
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        print(f"CHECK FAILED: {', '.join(failed)} (expected FIRST '{expected_first}')")
    met = first_s < GOAL_SECONDS and memory_first < GOAL_MB
    print(
        f"goal: import of {summary.products:,} products under {GOAL_SECONDS} s and "
        f"{GOAL_MB} MB -> {'MET' if met else 'NOT MET'} ({first_s:.1f} s, {memory_first:.0f} MB)"
    )
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.platform()}, {platform.machine()}, cpu_count={os.cpu_count()}; "
        f"load average {' '.join(load_before)} before, {' '.join(load_after)} after"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
