"""Benchmark the pages at a pharmacy's scale: bytes, queries and server time per page.

Run from the project root:  python bench/pages.py [--scales 2000:1000,20000:11774] [--runs 5]

Each scale is ORDERS:PRODUCTS. It builds a throwaway SQLite database in a temporary directory
(migrate, seed_catalog), saves the seed order through `services.order_create` (morphine
5 mg/hr, 25 mg/mL, Jan 1-31 2026 on HMSA: S9325 x 31, J3490 x 149), has a second pharmacist
verify it, then grows in bulk to each scale in turn, keeping a copy of the database at each
(VACUUM INTO): products are `bulk_create`d copies of the seed product (new NDCs, names and
labelers, the FDA directory's 11,774 injectables at the largest scale); orders are
`bulk_create`d copies of the seed order with its OrderDrug and ClaimLine rows. Orders fill
31-day periods 2,000 at a time: the first 2,000 fall in January 2026, each next 2,000 in the
period 35 days before. Each order has a patient of its own (one patient's overlapping per diem
would hold each claim against all the others). Every other order is verified (half of those on
the STANDARD profile), the rest are drafts: January's claim summary holds 1,000 orders at both
scales, 500 of them on STANDARD. The verified orders are all held (the seed order has no payer
nor member ID).

Pages (as the role that uses them; the test Client, force_login):

  ORDER FORM    GET  /orders/new/                              pharmacist
  ADD DRUG      POST /orders/new/ action=add-drug               pharmacist
  LIST P1       GET  /orders/                                   clerk (25 orders a page)
  LIST MIDDLE   GET  /orders/?page=<pages // 2 + 1>             clerk
  ORDER         GET  /orders/<a verified order in the middle>/  clerk
  SUMMARY JAN   GET  /claims/summary/ January 2026              clerk (1,000 orders)
  SUMMARY ALL   GET  /claims/summary/ any dates                 clerk (over the limit: first
                                                                1,000, and the CSV offered)
  REVIEW QUEUE  GET  /claims/837p/                              clerk
  ADMIN PRODUCTS GET /admin/calculator/drugproduct/             administrator (100 a page)
  PDF 500       GET  /claims/summary.pdf January, STANDARD      clerk (500 orders)
  PDF 1000      GET  /claims/summary.pdf January                clerk (1,000 orders)
  REPORTS MONTH GET  /reports/ January 2026                     clerk (1,000 verified orders)
  REPORTS YEAR  GET  /reports/ February 2025 - January 2026     clerk (every verified order
                                                                of the last 11 periods)
  LIST HELD     GET  /orders/?held=on                           clerk (held claims, 25 a page)

It checks each page's answer (status 200 and a text it must hold), counts the queries of one
request (CaptureQueriesContext), then times R rounds, each round one request of every page at
every scale (switching database copies), and keeps each median: a burst of load elsewhere on
the machine then falls on all scales alike. It prints bytes, queries and milliseconds per page,
wall clock and CPU (the request runs in this process, no network: on a quiet machine the two
agree; on a busy one the wall clock also counts waiting for a core, so the goals are judged on
the CPU time), and the CPU of the first request (cold: it computes the stored claim verdicts,
which a catalog edit or a release makes stale; alone in a run with --pages it is the whole
cost, otherwise the pages before it computed some); then whether each goal is met at the largest
scale (on the medians): queries per page the same at
every scale; the order form and add a drug under 100 KB and 50 ms; the other pages under 1 s;
the 500-order PDF under 15 s (1,000 orders: under 30 s, half gunicorn's --timeout 60).

DEBUG is off, as in production, except that static URLs come from the plain storage (the
production manifest storage needs a `collectstatic` of about a minute and a half here; a
manifest lookup is one dict read per URL).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
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

PER_PERIOD = 2000  # orders per 31-day period; the first period is January 2026
PERIOD_STEP = timedelta(days=35)  # the next period starts 35 days earlier: no overlap
SEED_REQUEST = {
    "patient_reference": "ACC-1",
    "profile": "HMSA",
    "start": "2026-01-01",
    "end": "2026-01-31",
    "drugs": [{"ndc": "00074-1133-03", "rate": "5 mg/hr"}],
}
JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
A_YEAR = {"date_from": "2025-02-01", "date_to": "2026-01-31"}
ALL_DATES = {"date_from": "", "date_to": ""}
ADD_DRUG = {
    "action": "add-drug",
    "patient_reference": "ACC-1",
    "profile": "HMSA",
    "start_date": "2026-01-01",
    "end_date": "2026-01-31",
    "drugs-TOTAL_FORMS": "1",
    "drugs-INITIAL_FORMS": "0",
    "drugs-0-product_search": "morph",
    "drugs-0-rate_value": "5",
    "drugs-0-rate_unit": "mg/hr",
}
GOALS_MS = {"ORDER FORM": 50, "ADD DRUG": 50, "PDF 500": 15000, "PDF 1000": 30000}
GOALS_KB = {"ORDER FORM": 100, "ADD DRUG": 100}
PAGE_GOAL_MS = 1000
DRUG_NAMES = ("Morphine", "Hydromorphone", "Fentanyl", "Ketamine", "Vancomycin", "Heparin")


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


def grow_products(total: int) -> None:
    """Add copies of the seed product (new NDC, name, labeler) until there are `total`."""
    from calculator.models import DrugProduct

    seed = DrugProduct.objects.get(ndc="00074113303")
    count = DrugProduct.objects.count()
    while count < total:
        batch = range(count, min(total, count + 2000))
        DrugProduct.objects.bulk_create(
            DrugProduct(
                **copy_fields(
                    seed,
                    ndc=f"9{index:010d}",
                    name=f"{DRUG_NAMES[index % len(DRUG_NAMES)]} sulfate {index}",
                    labeler=f"Labeler {index % 700}",
                )
            )
            for index in batch
        )
        count += len(batch)


class Orders:
    """The seed order and its clones, added in bulk up to a total."""

    def __init__(self, seed, verifier) -> None:
        from calculator.models import BillingProfile, Order

        self.seed = seed
        self.verifier = verifier
        self.standard = BillingProfile.objects.get(name="STANDARD")
        self.drugs = list(seed.drugs.all())
        self.lines = list(seed.lines.all())
        self.count = Order.objects.count()

    def grow_to(self, total: int) -> None:
        from calculator.models import ClaimLine, Order, OrderDrug, Patient

        while self.count < total:
            batch = range(self.count, min(total, self.count + 1000))
            patients = Patient.objects.bulk_create(
                Patient(number=f"CLONE-{index}") for index in batch
            )
            clones = [
                self._order(index, patient) for index, patient in zip(batch, patients, strict=True)
            ]
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

    def _order(self, index: int, patient):
        from calculator.models import Order

        shift = PERIOD_STEP * (index // PER_PERIOD)
        verified = index % 2 == 0  # the seed (verified, HMSA) is order 0
        changes = {}
        if index % 4 == 2:
            changes["profile_id"] = self.standard.pk
        return Order(
            **copy_fields(
                self.seed,
                patient_reference=patient.number,
                patient_id=patient.pk,
                start_date=self.seed.start_date - shift,
                end_date=self.seed.end_date - shift,
                status=Order.Status.VERIFIED if verified else Order.Status.DRAFT,
                verified_by_id=self.verifier.pk if verified else None,
                verified_at=self.seed.verified_at if verified else None,
                **changes,
            )
        )


def pages(orders: int, products: int) -> list[tuple[str, str, str, str, dict, str]]:
    """Return (label, user, method, path, data, text the answer must hold) for each page."""
    from calculator.models import Order
    from calculator.web.views.orders import ORDERS_PER_PAGE

    in_january = min(orders, PER_PERIOD)
    shown_january = in_january // 2  # the seed and every other clone are verified
    # The year's verified orders (all held: the seed has no payer nor member ID): those of the
    # periods that end on or after 2025-02-01, 364 days before January 31 2026.
    in_year = sum(
        1 for index in range(0, orders, 2) if (PERIOD_STEP * (index // PER_PERIOD)).days <= 364
    )
    pages_ = -(-orders // ORDERS_PER_PAGE)
    middle = pages_ // 2 + 1
    order = Order.objects.filter(status=Order.Status.VERIFIED).order_by("pk")[orders // 4].pk
    return [
        ("ORDER FORM", "pharmacist", "get", "/orders/new/", {}, "Add another drug"),
        ("ADD DRUG", "pharmacist", "post", "/orders/new/", ADD_DRUG, 'name="drugs-1-rate_value"'),
        ("LIST P1", "clerk", "get", "/orders/", {}, f"Page 1 of {pages_}"),
        (
            "LIST MIDDLE",
            "clerk",
            "get",
            "/orders/",
            {"page": str(middle)},
            f"Page {middle} of {pages_}",
        ),
        ("ORDER", "clerk", "get", f"/orders/{order}/", {}, f"Order {order}"),
        (
            "SUMMARY JAN",
            "clerk",
            "get",
            "/claims/summary/",
            JANUARY,
            f'<span id="summary-order-count">{shown_january}</span>',
        ),
        (
            "SUMMARY ALL",
            "clerk",
            "get",
            "/claims/summary/",
            ALL_DATES,
            f'<span id="summary-order-count">{min(orders // 2, 1000)}</span>',
        ),
        ("REVIEW QUEUE", "clerk", "get", "/claims/837p/", {}, "Held for review"),
        (
            "ADMIN PRODUCTS",
            "admin",
            "get",
            "/admin/calculator/drugproduct/",
            {},
            f"{products:,} drug products".replace(",", ""),
        ),
        ("PDF 500", "clerk", "get", "/claims/summary.pdf", {**JANUARY, "profile": "STANDARD"}, ""),
        ("PDF 1000", "clerk", "get", "/claims/summary.pdf", JANUARY, ""),
        (
            "REPORTS MONTH",
            "clerk",
            "get",
            "/reports/",
            JANUARY,
            f"Held claims by reason ({shown_january})",
        ),
        (
            "REPORTS YEAR",
            "clerk",
            "get",
            "/reports/",
            A_YEAR,
            f"Held claims by reason ({in_year})",
        ),
        (
            "LIST HELD",
            "clerk",
            "get",
            "/orders/",
            {"held": "on"},
            f"Page 1 of {-(-(orders // 2) // ORDERS_PER_PAGE)}",
        ),
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


def request(client, method: str, path: str, data: dict):
    return getattr(client, method)(path, data)


def check(
    client, method: str, path: str, data: dict, expected: str
) -> tuple[int, list[str], float]:
    """Check the page answers with `expected`; return its size, the SQL of one more request and
    the CPU seconds of the first (cold: templates, caches, the claim verdicts computed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu = time.process_time()
    response = request(client, method, path, data)  # also the warm-up: templates, caches
    first_cpu = time.process_time() - cpu
    body = response.content
    if response.status_code != 200 or expected.encode() not in body:
        raise AssertionError(f"{path} {data}: {response.status_code}, no {expected!r}")
    with CaptureQueriesContext(connection) as queries:
        request(client, method, path, data)
    return len(body), [query["sql"] for query in queries.captured_queries], first_cpu


def profile(label: str, call, *args) -> None:
    """Print where `call(*args)`'s time goes under cProfile: the 35 costliest functions counting
    what they call (the first are the request's own wrappers), then the 15 costliest alone."""
    profiler = cProfile.Profile()
    profiler.runcall(call, *args)
    print(f"--- {label} (cProfile, one request; profiling inflates every figure)")
    for order, count in (("cumulative", 35), ("tottime", 15)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(count)
        print(out.getvalue().split("\n", 4)[-1].rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales", default="2000:1000,20000:11774", help="ORDERS:PRODUCTS, ascending"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page (median)")
    parser.add_argument("--pdf-runs", type=int, default=1, help="timed requests per PDF")
    parser.add_argument(
        "--pages", default="", help="only these pages, comma-separated labels (e.g. 'LIST HELD')"
    )
    parser.add_argument(
        "--sql", action="store_true", help="print the SQL of pages whose query count changes"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the timings, print where each page's time goes at the largest scale "
        "(cProfile, one request each)",
    )
    args = parser.parse_args(argv)
    scales = [tuple(int(part) for part in scale.split(":")) for scale in args.scales.split(",")]
    if scales != sorted(scales) or scales[0][0] < 4 * 250:
        parser.error("--scales must be ascending, with at least 1,000 orders")

    only = {label.strip().upper() for label in args.pages.split(",") if label.strip()}

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
        from calculator.models import BillingProvider
        from calculator.roles import BILLING_CLERK, PHARMACIST

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_catalog", verbosity=0, stdout=io.StringIO())
        users = {}
        roles = {"pharmacist": PHARMACIST, "pharmacist2": PHARMACIST, "clerk": BILLING_CLERK}
        for name, role in roles.items():
            users[name] = User.objects.create_user(name)  # no password: force_login
            users[name].groups.add(Group.objects.get(name=role))
        users["admin"] = User.objects.create_superuser("admin")
        BillingProvider.objects.create(name="Bench Infusion", npi="1234567893")
        seed = services.order_create(created_by=users["pharmacist"], request_data=SEED_REQUEST)
        seed = services.order_verify(order=seed, verified_by=users["pharmacist2"])
        orders = Orders(seed, users["pharmacist2"])
        clients = {}
        for name, user in users.items():
            clients[name] = Client()
            clients[name].force_login(user)
        setup_s = time.perf_counter() - started
        load_before = Path("/proc/loadavg").read_text().split()[:3]

        started = time.perf_counter()
        databases = {}
        plans = {}
        for scale in scales:
            orders.grow_to(scale[0])
            grow_products(scale[1])
            databases[scale] = tmp / f"scale-{scale[0]}.sqlite3"
            snapshot(databases[scale])
            plans[scale] = [page for page in pages(*scale) if not only or page[0] in only]
        grow_s = time.perf_counter() - started

        sizes: dict[tuple[str, tuple], int] = {}
        sql: dict[tuple[str, tuple], list[str]] = {}
        times: dict[tuple[str, tuple], list[float]] = {}
        cpu_times: dict[tuple[str, tuple], list[float]] = {}
        first: dict[tuple[str, tuple], float] = {}
        static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
            for scale in scales:
                use_database(databases[scale])
                for label, user, method, path, data, expected in plans[scale]:
                    sizes[label, scale], sql[label, scale], first[label, scale] = check(
                        clients[user], method, path, data, expected
                    )
            # Rounds over every page at every scale, so that a burst of load elsewhere on the
            # machine falls on all of them rather than on one scale.
            for run in range(args.runs):
                for scale in scales:
                    use_database(databases[scale])
                    for label, user, method, path, data, _ in plans[scale]:
                        if label.startswith("PDF") and run >= args.pdf_runs:
                            continue
                        started, cpu = time.perf_counter(), time.process_time()
                        request(clients[user], method, path, data)
                        elapsed = time.perf_counter() - started
                        times.setdefault((label, scale), []).append(elapsed)
                        cpu_times.setdefault((label, scale), []).append(time.process_time() - cpu)
            if args.profile:
                use_database(databases[scales[-1]])
                for label, user, method, path, data, _ in plans[scales[-1]]:
                    profile(label, request, clients[user], method, path, data)
        labels = [label for label, *_ in plans[scales[0]]]
        load_after = Path("/proc/loadavg").read_text().split()[:3]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"SQLite in a temp dir, DEBUG off, test Client; median of {args.runs} interleaved rounds "
        f"({args.pdf_runs} for the PDFs) after a warm-up; set-up {setup_s:.1f} s, bulk inserts "
        f"and copies {grow_s:.1f} s"
    )
    header = "".join(f"{f'{o:,} orders, {p:,} products':>40}" for o, p in scales)
    print(f"  {'page':<15}{header}")
    print(
        f"  {'':<15}"
        + "".join(f"{'KB':>10}{'queries':>10}{'ms':>10}{'CPU ms':>10}" for _ in scales)
        + "".join(f"{'first CPU':>12}" for _ in scales)
    )
    for label in labels:
        cells = "".join(
            f"{sizes[label, scale] / 1024:>10.1f}{len(sql[label, scale]):>10}"
            f"{statistics.median(times[label, scale]) * 1000:>10.1f}"
            f"{statistics.median(cpu_times[label, scale]) * 1000:>10.1f}"
            for scale in scales
        )
        cells += "".join(f"{first[label, scale] * 1000:>12.1f}" for scale in scales)
        print(f"  {label:<15}{cells}")
    largest = scales[-1]
    for label in labels:
        counts = [len(sql[label, scale]) for scale in scales]
        constant = len(set(counts)) == 1
        ms = statistics.median(cpu_times[label, largest]) * 1000
        limit_ms = GOALS_MS.get(label, PAGE_GOAL_MS)
        goals = [
            f"queries constant {'MET' if constant else 'NOT MET'} ({'/'.join(map(str, counts))})"
        ]
        goals.append(
            f"< {limit_ms:,} ms of CPU {'MET' if ms < limit_ms else 'NOT MET'} ({ms:,.1f})"
        )
        if label in GOALS_KB:
            kb = sizes[label, largest] / 1024
            met = kb < GOALS_KB[label]
            goals.append(f"< {GOALS_KB[label]} KB {'MET' if met else 'NOT MET'} ({kb:.1f})")
        print(f"goal: {label}: " + "; ".join(goals))
        if args.sql and not constant:
            for scale in scales:
                print(f"    {label} at {scale[0]:,} orders:")
                for statement in sql[label, scale]:
                    print(f"      {statement[:160]}{'...' if len(statement) > 160 else ''}")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.platform()}, {platform.machine()}, cpu_count={os.cpu_count()}; "
        f"load average {' '.join(load_before)} before, {' '.join(load_after)} after"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
