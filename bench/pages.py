"""Benchmark the list pages as the orders grow: queries per page and time per page.

Run from the project root:  python bench/pages.py [--sizes 50,500,5000] [--runs 5]

It builds a throwaway SQLite database in a temporary directory (migrate, seed_catalog), saves
the seed order through `services.order_create` (morphine 5 mg/hr, 25 mg/mL, Jan 1-31 2026 on
HMSA: S9325 x 31, J3490 x 149), has a second pharmacist verify it, then clones it in bulk
(`bulk_create` of Order, OrderDrug and ClaimLine rows; every other order verified, the rest
drafts) up to each size in turn, keeping a copy of the database at each size (VACUUM INTO).
Orders fill 31-day periods 500 at a time: the first 500 fall in January 2026, each next 500 in
the period 35 days before. So the January range holds 50, 500 and 500 orders at 50, 500 and
5,000 orders (half of them verified: the summary shows those).

At each size, signed in (test Client, force_login) as a billing clerk, who may read both pages:

  SUMMARY JAN   /claims/summary/?date_from=2026-01-01&date_to=2026-01-31
  SUMMARY ALL   /claims/summary/?date_from=&date_to=   (every verified order: not paginated)
  LIST P1       /orders/                                (25 orders a page)
  LIST MIDDLE   /orders/?page=<pages // 2 + 1>

It checks each page's answer (status 200 and the order count or page number it should show),
counts the queries of one request (CaptureQueriesContext), then times R rounds, each round one
request of every page at every size (switching database copies), and keeps each median: a
burst of load elsewhere on the machine then falls on all sizes alike. Goal: the queries per
page do not grow with the orders. The time ratio 5,000 / 500 orders is information: ~1x where
a page shows the same rows at both sizes (SUMMARY JAN, LIST P1), growing with the rows shown on
SUMMARY ALL.

DEBUG is off, as in production, except that static URLs come from the plain storage (the
production manifest storage needs a `collectstatic` of about a minute and a half here; a
manifest lookup is one dict read per URL).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PER_PERIOD = 500  # orders per 31-day period; the first period is January 2026
PERIOD_STEP = timedelta(days=35)  # the next period starts 35 days earlier: no overlap
SEED_REQUEST = {
    "patient_reference": "ACC-1",
    "profile": "HMSA",
    "start": "2026-01-01",
    "end": "2026-01-31",
    "drugs": [{"ndc": "00074-1133-03", "rate": "5 mg/hr"}],
}
JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
ALL_DATES = {"date_from": "", "date_to": ""}


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
        DJANGO_SECURE_SSL_REDIRECT="0",  # the test Client speaks plain HTTP
    )
    (tmp / "static").mkdir()


def copy_fields(obj, **changes) -> dict:
    """Return a model instance's column values, without its primary key, with changes."""
    values = {
        field.attname: getattr(obj, field.attname)
        for field in type(obj)._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return values


class Orders:
    """The seed order and its clones, added in bulk up to a total."""

    def __init__(self, seed, verifier) -> None:
        from calculator.models import Order

        self.seed = seed
        self.verifier = verifier
        self.drugs = list(seed.drugs.all())
        self.lines = list(seed.lines.all())
        self.count = Order.objects.count()

    def grow_to(self, total: int) -> None:
        from calculator.models import ClaimLine, Order, OrderDrug

        while self.count < total:
            batch = range(self.count, min(total, self.count + 1000))
            clones = [self._order(index) for index in batch]
            Order.objects.bulk_create(clones)  # SQLite returns the new primary keys
            shifts = [PERIOD_STEP * (index // PER_PERIOD) for index in batch]
            OrderDrug.objects.bulk_create(
                OrderDrug(**copy_fields(drug, order_id=clone.pk))
                for clone in clones
                for drug in self.drugs
            )
            ClaimLine.objects.bulk_create(
                ClaimLine(
                    **copy_fields(
                        line,
                        order_id=clone.pk,
                        start_date=line.start_date - shift if line.start_date else None,
                        end_date=line.end_date - shift if line.end_date else None,
                    )
                )
                for clone, shift in zip(clones, shifts, strict=True)
                for line in self.lines
            )
            self.count += len(clones)

    def _order(self, index: int):
        from calculator.models import Order

        shift = PERIOD_STEP * (index // PER_PERIOD)
        verified = index % 2 == 0
        return Order(
            **copy_fields(
                self.seed,
                patient_reference=f"CLONE-{index}",
                start_date=self.seed.start_date - shift,
                end_date=self.seed.end_date - shift,
                status=Order.Status.VERIFIED if verified else Order.Status.DRAFT,
                verified_by_id=self.verifier.pk if verified else None,
                verified_at=self.seed.verified_at if verified else None,
            )
        )


def pages(total: int) -> list[tuple[str, str, dict, str]]:
    """Return (label, path, query, text the answer must hold) for each page at this size."""
    from calculator.web.views.orders import ORDERS_PER_PAGE

    in_january = min(total, PER_PERIOD)
    shown_january = (in_january + 1) // 2  # orders 0, 2, 4... are verified
    pages_ = -(-total // ORDERS_PER_PAGE)
    middle = pages_ // 2 + 1
    return [
        (
            "SUMMARY JAN",
            "/claims/summary/",
            JANUARY,
            f'<span id="summary-order-count">{shown_january}</span>',
        ),
        (
            "SUMMARY ALL",
            "/claims/summary/",
            ALL_DATES,
            f'<span id="summary-order-count">{(total + 1) // 2}</span>',
        ),
        ("LIST P1", "/orders/", {}, f"Page 1 of {pages_}"),
        ("LIST MIDDLE", "/orders/", {"page": str(middle)}, f"Page {middle} of {pages_}"),
    ]


def use_database(path: Path) -> None:
    """Point the default connection at another SQLite file (it reconnects on the next query;
    with SQLite's default CONN_MAX_AGE of 0 each request opens its own connection anyway)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = str(path)


def snapshot(path: Path) -> None:
    """Copy the current database, WAL included, to a new file."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM INTO '{path}'")


def count_queries(client, path: str, query: dict, expected: str) -> list[str]:
    """Check the page answers with `expected`; return the SQL of one more request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path, query)  # also the warm-up: templates, caches
    text = response.content.decode()
    if response.status_code != 200 or expected not in text:
        raise AssertionError(f"{path} {query}: {response.status_code}, no {expected!r}")
    with CaptureQueriesContext(connection) as queries:
        client.get(path, query)
    return [query["sql"] for query in queries.captured_queries]  # before the next request resets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,500,5000", help="order counts, ascending")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page (median)")
    parser.add_argument(
        "--sql", action="store_true", help="print the SQL of pages whose query count changes"
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    if sizes != sorted(sizes) or sizes[0] < 1:
        parser.error("--sizes must be ascending positive counts")

    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        configure(tmp)
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth.models import Group, User
        from django.core.management import call_command
        from django.test import Client, override_settings

        from calculator import services
        from calculator.roles import BILLING_CLERK, PHARMACIST

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_catalog", verbosity=0, stdout=io.StringIO())
        users = {}
        roles = {"pharmacist": PHARMACIST, "pharmacist2": PHARMACIST, "clerk": BILLING_CLERK}
        for name, role in roles.items():
            users[name] = User.objects.create_user(name)  # no password: force_login
            users[name].groups.add(Group.objects.get(name=role))
        seed = services.order_create(created_by=users["pharmacist"], request_data=SEED_REQUEST)
        seed = services.order_verify(order=seed, verified_by=users["pharmacist2"])
        orders = Orders(seed, users["pharmacist2"])
        client = Client()
        client.force_login(users["clerk"])
        setup_s = time.perf_counter() - started
        load_before = Path("/proc/loadavg").read_text().split()[:3]

        started = time.perf_counter()
        databases = {}
        for size in sizes:
            orders.grow_to(size)
            databases[size] = tmp / f"orders-{size}.sqlite3"
            snapshot(databases[size])
        grow_s = time.perf_counter() - started

        plan = [(size, page) for size in sizes for page in pages(size)]
        sql: dict[tuple[str, int], list[str]] = {}
        times: dict[tuple[str, int], list[float]] = {}
        static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
            for size, (label, path, query, expected) in plan:
                use_database(databases[size])
                sql[label, size] = count_queries(client, path, query, expected)
            # Rounds over every page at every size, so that a burst of load elsewhere on the
            # machine falls on all of them rather than on one size.
            for _ in range(args.runs):
                for size, (label, path, query, _) in plan:
                    use_database(databases[size])
                    started = time.perf_counter()
                    client.get(path, query)
                    times.setdefault((label, size), []).append(time.perf_counter() - started)
        results = {
            label: {
                size: (sql[label, size], statistics.median(times[label, size])) for size in sizes
            }
            for label in dict.fromkeys(label for _, (label, *_) in plan)
        }
        load_after = Path("/proc/loadavg").read_text().split()[:3]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"SQLite in a temp dir, DEBUG off, test Client as a billing clerk; median of {args.runs} "
        f"interleaved rounds after a warm-up; set-up {setup_s:.1f} s, bulk inserts and copies "
        f"{grow_s:.1f} s"
    )
    header = "".join(f"{f'{size:,} orders':>22}" for size in sizes)
    print(f"  {'page':<12}{header}")
    print(f"  {'':<12}" + "".join(f"{'queries':>10}{'ms/page':>12}" for _ in sizes))
    for label, by_size in results.items():
        cells = "".join(
            f"{len(sql):>10}{seconds * 1000:>12.1f}" for sql, seconds in map(by_size.get, sizes)
        )
        print(f"  {label:<12}{cells}")
    print(
        "  rows shown: SUMMARY JAN "
        + "/".join(f"{(min(size, PER_PERIOD) + 1) // 2:,}" for size in sizes)
        + " orders, SUMMARY ALL "
        + "/".join(f"{(size + 1) // 2:,}" for size in sizes)
        + " orders, LIST 25 orders a page"
    )
    if 500 in sizes and 5000 in sizes:
        ratios = "   ".join(
            f"{label} {by_size[5000][1] / by_size[500][1]:.2f}x"
            for label, by_size in results.items()
        )
        print(f"time per page, 5,000 / 500 orders: {ratios}")
    for label, by_size in results.items():
        counts = [len(by_size[size][0]) for size in sizes]
        constant = len(set(counts)) == 1
        print(
            f"goal: {label} queries per page constant -> {'MET' if constant else 'NOT MET'} "
            f"({'/'.join(str(count) for count in counts)})"
        )
        if args.sql and not constant:
            for size in sizes:
                print(f"    {label} at {size:,} orders:")
                for statement in by_size[size][0]:
                    print(f"      {statement[:160]}{'...' if len(statement) > 160 else ''}")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.platform()}, {platform.machine()}, cpu_count={os.cpu_count()}; "
        f"load average {' '.join(load_before)} before, {' '.join(load_after)} after"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
