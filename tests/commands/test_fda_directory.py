"""`import_ndc` on a generated FDA NDC directory (bench/fda_directory.py) of 3,000 products.

The generator's summary says, from what it wrote, which packages an import should keep and
what each should become; these tests hold the real command to that.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from bench.fda_directory import PACKAGE_COLUMNS, PRODUCT_COLUMNS, write_directory
from calculator.domain import fda_files, ndc
from calculator.models import DrugProduct

PRODUCTS = 3_000
# The FDA's flags are N in the directory and E, I, U (or Y) in its excluded-products file:
# every flag but N imports the package as inactive.
IMPORTER_INACTIVE_FLAGS = frozenset({"E", "I", "U", "Y"})


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    """A 3,000-product directory, written once for this module, and its summary."""
    return write_directory(tmp_path_factory.mktemp("fda"), products=PRODUCTS, seed=0)


def run_import(summary) -> list[str]:
    out = io.StringIO()
    call_command(
        "import_ndc",
        "--product",
        str(summary.path / "product.txt"),
        "--package",
        str(summary.path / "package.txt"),
        stdout=out,
    )
    return out.getvalue().splitlines()


def test_the_files_have_the_fda_columns_and_the_promised_mix(directory):
    """Real header names (a superset of what the importer reads) and every kind of row."""
    product_header = (directory.path / "product.txt").open(encoding="cp1252").readline()
    package_header = (directory.path / "package.txt").open(encoding="cp1252").readline()
    assert tuple(product_header.rstrip("\n").split("\t")) == PRODUCT_COLUMNS
    assert tuple(package_header.rstrip("\n").split("\t")) == PACKAGE_COLUMNS
    assert set(fda_files.PRODUCT_COLUMNS) <= set(PRODUCT_COLUMNS)
    assert set(fda_files.PACKAGE_COLUMNS) <= set(PACKAGE_COLUMNS)
    assert directory.products == PRODUCTS
    assert 1.4 < directory.packages / directory.products < 1.7
    assert set(directory.ndc_shapes) == {"4-4-2", "5-3-2", "5-4-1"}
    assert min(directory.exclude_flags[flag] for flag in "EIU") > 0
    assert directory.ended_products > 0 and directory.ended_packages > 0
    assert directory.categories["injectable mixture"] > 0 and directory.categories["tablet"] > 0
    units = {package.unit for package in directory.kept.values()}
    assert {"mg/mL", "ug/mL", "[iU]/mL", "g/100mL"} <= units
    substances = {package.substance for package in directory.kept.values()}
    assert {"MORPHINE SULFATE", "HYDROMORPHONE HYDROCHLORIDE", "BUPIVACAINE HYDROCHLORIDE"} <= (
        substances
    )


def test_the_same_seed_writes_the_same_bytes(directory, tmp_path):
    """Deterministic for a seed: a second run writes identical files; another seed does not."""
    again = write_directory(tmp_path / "again", products=PRODUCTS, seed=0)
    other = write_directory(tmp_path / "other", products=PRODUCTS, seed=1)
    for name in ("product.txt", "package.txt"):
        written = (directory.path / name).read_bytes()
        assert (again.path / name).read_bytes() == written
        assert (other.path / name).read_bytes() != written
    assert again.kept == directory.kept


def test_import_keeps_exactly_the_injectable_solutions_as_the_summary_says(directory, db):
    """Added = the summary's kept packages, rejected = every other product row; each product
    has the concentration, container volume, labeler and active flag the summary expects."""
    lines = run_import(directory)
    kept = directory.kept
    assert lines[0] == (
        f"product.txt + package.txt: added {len(kept)}, updated 0, unchanged 0, "
        f"rejected {directory.rejected_products}"
    )
    stored = {product.ndc: product for product in DrugProduct.objects.all()}
    assert set(stored) == set(kept)
    for ndc11, package in kept.items():
        product = stored[ndc11]
        assert product.concentration == package.concentration, ndc11
        assert product.package_volume == package.package_volume, ndc11
        assert product.labeler == package.labeler, ndc11
        inactive = package.ended or package.exclude_flag in IMPORTER_INACTIVE_FLAGS
        assert product.active is (not inactive), ndc11


def test_ended_and_flagged_packages_are_imported_as_the_importer_documents(directory, db):
    """Ended packages (product or package end date passed) are kept but inactive, and so are
    E, I and U flagged ones that have not ended (out of the FDA's directory)."""
    run_import(directory)
    active = dict(DrugProduct.objects.values_list("ndc", "active"))
    ended = [ndc11 for ndc11, package in directory.kept.items() if package.ended]
    flagged_live = [
        ndc11
        for ndc11, package in directory.kept.items()
        if package.exclude_flag != "N" and not package.ended
    ]
    assert ended and flagged_live
    assert not any(active[ndc11] for ndc11 in ended)
    assert not any(active[ndc11] for ndc11 in flagged_live)


def test_the_morphine_25_mg_per_ml_product_is_found_by_its_ndc(directory, db):
    """The anchor product is there under its 11-digit NDC and its hyphenated label form."""
    run_import(directory)
    ndc11 = directory.anchors["morphine 25 mg/mL"]
    label = directory.kept[ndc11].ndc
    assert ndc.normalize_ndc(label) == ndc11
    morphine = DrugProduct.objects.get(ndc=ndc.normalize_ndc(label))
    assert morphine.name == "INFUMORPH 500 (morphine sulfate) 25 mg/mL"
    assert morphine.concentration == "25 mg/mL"
    assert morphine.package_volume == "20 mL"
    assert morphine.labeler == "Hikma Farmacêutica (Portugal) S.A."  # Windows-1252 decoded
    assert morphine.active is True


def test_a_second_import_of_the_same_directory_changes_nothing(directory, db):
    """Re-running reports every kept package unchanged and writes no history."""
    run_import(directory)
    history = DrugProduct.history.count()
    lines = run_import(directory)
    assert lines[0] == (
        f"product.txt + package.txt: added 0, updated 0, unchanged {len(directory.kept)}, "
        f"rejected {directory.rejected_products}"
    )
    assert DrugProduct.history.count() == history == len(directory.kept)


def test_the_summary_does_not_depend_on_the_importer_today(tmp_path):
    """*today* only moves which end dates count as passed, never what is written."""
    early = write_directory(tmp_path / "a", products=500, seed=3, today=date(2000, 1, 1))
    late = write_directory(tmp_path / "b", products=500, seed=3, today=date(2040, 1, 1))
    assert (early.path / "package.txt").read_bytes() == (late.path / "package.txt").read_bytes()
    assert not any(package.ended for package in early.kept.values())
    assert sum(package.ended for package in late.kept.values()) > sum(
        package.ended for package in early.kept.values()
    )
