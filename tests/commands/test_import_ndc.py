"""`manage.py import_ndc`: the FDA NDC directory and catalog CSV imports, and their readers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from calculator.models import DrugProduct, HcpcsCode
from tests.helpers import PACKAGE, PACKAGE_REJECTION, PRODUCT, PRODUCT_REJECTION, SAMPLES

CSV = SAMPLES / "products.csv"
CSV_HEADER = "ndc,name,labeler,concentration,package_volume,ndc_unit,hcpcs\n"


def run(*args: str) -> list[str]:
    """Run import_ndc in-process and return its output lines."""
    out = io.StringIO()
    call_command("import_ndc", *args, stdout=out)
    return out.getvalue().splitlines()


def fda(product: Path = PRODUCT, package: Path = PACKAGE, *more: str) -> list[str]:
    """Import an FDA product/package pair and return the output lines."""
    return run("--product", str(product), "--package", str(package), *more)


def edited(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    """Write a copy of a sample file, with the same name, with *old* replaced by *new*."""
    text = source.read_text()
    assert old in text
    target = tmp_path / source.name
    target.write_text(text.replace(old, new))
    return target


def write_csv(tmp_path: Path, *rows: str, name: str = "products.csv") -> Path:
    """Write a catalog CSV with the expected header and *rows*."""
    path = tmp_path / name
    path.write_text(CSV_HEADER + "".join(row + "\n" for row in rows))
    return path


# --- The FDA NDC directory ------------------------------------------------------------------


def test_fda_samples_add_one_product_per_good_package_and_reject_two_rows(db):
    """The shipped product.txt/package.txt add 8 packages and reject the two malformed rows."""
    lines = fda()
    assert lines[0] == "product.txt + package.txt: added 8, updated 0, unchanged 0, rejected 2"
    assert DrugProduct.objects.count() == 8


def test_rejected_rows_are_listed_with_file_line_and_reason(db):
    """Each rejected row is one line naming its file and line number, products first."""
    assert fda()[1:] == [PRODUCT_REJECTION, PACKAGE_REJECTION]


def test_infumorph_package_is_stored_with_its_exact_fields(db):
    """0641-6040-01 is stored as 00641604001, 25 mg/mL, 20 mL, from its product row."""
    fda()
    product = DrugProduct.objects.get(ndc="00641604001")
    assert product.name == "INFUMORPH 500 (morphine sulfate) 25 mg/mL"
    assert product.labeler == "Hikma Pharmaceuticals USA Inc."
    assert product.concentration == "25 mg/mL"
    assert product.package_volume == "20 mL"
    assert product.package_description == "20 mL in 1 AMPULE (0641-6040-01)"
    assert product.ndc_unit == "ML"
    assert product.active is True
    assert product.hcpcs is None
    assert product.source.startswith("FDA NDC directory, PRODUCTID 0641-6040_")


def test_fda_units_and_package_shapes_become_our_grammar(db):
    """ug/mL reads as mcg/mL, ug/5mL as mcg/5 mL, a carton's volume is its vial's, 5-4-1 pads."""
    fda()
    stored = {
        product.ndc: (product.concentration, product.package_volume)
        for product in DrugProduct.objects.all()
    }
    assert stored["72572017025"] == ("50 mcg/mL", "2 mL")  # 25 VIAL in 1 CARTON > 2 mL in 1 VIAL
    assert stored["68118072210"] == ("500 mcg/5 mL", "5 mL")
    assert stored["39822200001"] == ("100 mcg/mL", "10 mL")  # 39822-2000-1
    assert stored["76420001810"] == ("2.5 mg/mL", "10 mL")


def test_second_run_of_the_same_files_adds_and_updates_nothing(db):
    """Importing the same files again reports 0 added, 0 updated and writes no history."""
    fda()
    history = DrugProduct.history.count()
    assert fda()[0] == "product.txt + package.txt: added 0, updated 0, unchanged 8, rejected 2"
    assert DrugProduct.history.count() == history


def test_a_changed_row_updates_the_existing_product_keyed_by_ndc(db, tmp_path):
    """A new labeler name and package text update that product in place, with a history row."""
    fda()
    product = edited(tmp_path, PRODUCT, "Civica, Inc.", "Civica Rx, Inc.")
    package = edited(
        tmp_path, PACKAGE, "> 2 mL in 1 VIAL (72572-170-01)", "> 1 mL in 1 VIAL (72572-170-01)"
    )
    assert fda(product, package)[0] == (
        "product.txt + package.txt: added 0, updated 1, unchanged 7, rejected 2"
    )
    fentanyl = DrugProduct.objects.get(ndc="72572017025")
    assert (fentanyl.labeler, fentanyl.package_volume) == ("Civica Rx, Inc.", "1 mL")
    assert fentanyl.history.count() == 2
    assert fentanyl.history.first().history_type == "~"


def test_an_update_keeps_the_hcpcs_link_and_doses_the_file_does_not_give(catalog):
    """The seeded Infumorph 500 takes the FDA name but keeps J2274, its doses and PF flag."""
    lines = fda()
    assert lines[0] == "product.txt + package.txt: added 7, updated 1, unchanged 0, rejected 2"
    infumorph = DrugProduct.objects.get(ndc="00641604001")
    assert infumorph.name == "INFUMORPH 500 (morphine sulfate) 25 mg/mL"
    assert infumorph.hcpcs.code == "J2274"
    assert (infumorph.typical_daily_dose_high, infumorph.max_daily_dose) == ("10 mg", "20 mg")
    assert infumorph.preservative_free is True


def test_a_package_without_a_stated_volume_keeps_the_volume_already_kept(catalog, tmp_path):
    """A package description with no volume leaves the product's package volume as it was."""
    package = edited(
        tmp_path, PACKAGE, "20 mL in 1 AMPULE (0641-6040-01)", "1 AMPULE (0641-6040-01)"
    )
    fda(PRODUCT, package)
    infumorph = DrugProduct.objects.get(ndc="00641604001")
    assert infumorph.package_volume == "20 mL"
    assert infumorph.package_description == "1 AMPULE (0641-6040-01)"


@pytest.mark.parametrize("flag", ["E", "I", "U", "Y"])
def test_ended_marketing_or_the_exclude_flag_makes_a_product_inactive(db, tmp_path, flag):
    """A past ENDMARKETINGDATE, or any NDC_EXCLUDE_FLAG but N, imports the package inactive."""
    product = edited(
        tmp_path,
        PRODUCT,
        "20200409\t\tANDA\t\tAsclemed",
        "20200409\t20210101\tANDA\t\tAsclemed",
    )
    package = edited(tmp_path, PACKAGE, "20210315\t\tN\tN", f"20210315\t\t{flag}\tN")
    fda(product, package)
    active = dict(DrugProduct.objects.values_list("ndc", "active"))
    assert active["76420001810"] is False  # bupivacaine, marketing ended 2021
    assert active["55150043810"] is False  # ketamine, excluded
    assert active["00641604001"] is True


def test_a_multi_ingredient_product_is_rejected_with_its_packages(db, tmp_path):
    """Two active ingredients reject the product row once, saying its package is not imported."""
    product = edited(tmp_path, PRODUCT, "\t2\tmg/mL\t", "\t2; 0.5\tmg/mL; ug/mL\t")
    lines = fda(product, PACKAGE)
    assert lines[0] == "product.txt + package.txt: added 7, updated 0, unchanged 0, rejected 3"
    assert (
        "product.txt line 6: has 2 active ingredients (2; 0.5 mg/mL; ug/mL); only "
        "single-ingredient products are imported (its 1 package not imported)"
    ) in lines
    assert not DrugProduct.objects.filter(ndc="65145010710").exists()


def test_records_are_saved_with_history_naming_the_import_and_user(db, django_user_model):
    """Every added product has a "+" history row with the file line and the --user."""
    user = django_user_model.objects.create_user("importer")
    fda(PRODUCT, PACKAGE, "--user", "importer")
    records = DrugProduct.history.filter(ndc="00641604001")
    assert [(r.history_type, r.history_user) for r in records] == [("+", user)]
    assert records.get().history_change_reason == "import_ndc: package.txt line 2"
    assert DrugProduct.history.count() == 8


# --- The catalog CSV ------------------------------------------------------------------------


def test_csv_sample_matches_the_seeded_catalog_and_rejects_the_9_digit_ndc(catalog):
    """The shipped CSV's three products already match the catalog; the fourth row is refused."""
    assert run("--csv", str(CSV)) == [
        "products.csv: added 0, updated 0, unchanged 3, rejected 1",
        'products.csv line 5: "064160400" is not an NDC: use 11 digits (5-4-2) or a hyphenated '
        "10-digit label form (4-4-2, 5-3-2 or 5-4-1)",
    ]


def test_csv_adds_products_linked_to_their_hcpcs_codes(db):
    """Into an empty catalog, the CSV adds three products with their HCPCS links."""
    for code in ("J2274", "J1171", "J0735"):
        HcpcsCode.objects.create(code=code, description=code, kind="drug", billing_unit="1 mg")
    assert run("--csv", str(CSV))[0] == "products.csv: added 3, updated 0, unchanged 0, rejected 1"
    clonidine = DrugProduct.objects.get(ndc="00143972401")
    assert (clonidine.concentration, clonidine.package_volume) == ("100 mcg/mL", "10 mL")
    assert clonidine.hcpcs.code == "J0735"
    assert clonidine.source == "CSV import (products.csv)"


def test_csv_accepts_hyphenated_ndcs_and_blank_cells_keep_what_is_kept(catalog, tmp_path):
    """A 4-4-2 NDC finds the product; blank hcpcs and package volume keep J2274 and 20 mL."""
    path = write_csv(tmp_path, "0641-6040-01,Infumorph 500,,25 mg/mL,,,")
    assert run("--csv", str(path))[0] == "products.csv: added 0, updated 1, unchanged 0, rejected 0"
    infumorph = DrugProduct.objects.get(ndc="00641604001")
    assert infumorph.name == "Infumorph 500"
    assert (infumorph.hcpcs.code, infumorph.package_volume) == ("J2274", "20 mL")
    assert infumorph.labeler == "Hikma Pharmaceuticals USA Inc."


def test_csv_resolves_a_bare_10_digit_ndc_through_the_catalog(catalog, tmp_path):
    """A bare 10-digit NDC with exactly one catalog reading updates that product."""
    path = write_csv(tmp_path, "0641604001,Infumorph 500 PF,,25 mg/mL,20 mL,ML,J2274")
    assert run("--csv", str(path))[0] == "products.csv: added 0, updated 1, unchanged 0, rejected 0"
    assert DrugProduct.objects.get(ndc="00641604001").name == "Infumorph 500 PF"


def test_csv_rejects_unknown_or_non_drug_codes_bad_units_and_repeated_ndcs(catalog, tmp_path):
    """Each bad row is rejected with its reason and line; the good row is still added."""
    path = write_csv(
        tmp_path,
        "11111-2222-33,New drug,,5 mg/mL,10 mL,ML,J9999",
        "11111-2222-44,Per diem,,5 mg/mL,10 mL,ML,S9325",
        "11111-2222-55,Shouty,,5 MG/ML,10 mL,XX,",
        "11111-2222-66,Good,,5 mg/mL,10 mL,ml,J2270",
        "11111222266,Again,,5 mg/mL,10 mL,ML,",
    )
    lines = run("--csv", str(path))
    assert lines[0] == "products.csv: added 1, updated 0, unchanged 0, rejected 4"
    assert lines[1:] == [
        'products.csv line 2: HCPCS code "J9999" is not in the catalog',
        "products.csv line 3: HCPCS code S9325 is not a drug code",
        'products.csv line 4: concentration: "MG" is not a unit here; did you mean mg? '
        "(units are case-sensitive: mg, mcg, g, kg, mL, L, hr, h, min, day, units, IU, mEq, %); "
        'ndc_unit "XX" is not one of ML, GR, ME, UN, F2',
        "products.csv line 6: NDC 11111-2222-66 is already on line 5",
    ]
    assert DrugProduct.objects.get(ndc="11111222266").ndc_unit == "ML"


# --- Dry run and refusals -------------------------------------------------------------------


def test_dry_run_reports_the_counts_but_writes_nothing(db):
    """--dry-run prints what would be added and leaves the database and history empty."""
    lines = fda(PRODUCT, PACKAGE, "--dry-run")
    assert lines[0] == (
        "product.txt + package.txt: added 8, updated 0, unchanged 0, rejected 2 "
        "(dry run: nothing written)"
    )
    assert DrugProduct.objects.count() == 0
    assert DrugProduct.history.count() == 0


def test_a_file_with_the_wrong_header_is_refused_with_a_command_error(db, tmp_path):
    """A CSV given as product.txt, or a tab file given as --csv, stops before any write."""
    with pytest.raises(CommandError, match=r"products.csv does not have the header of the FDA"):
        fda(CSV, PACKAGE)
    with pytest.raises(CommandError, match=r"package.txt .* a catalog CSV \(it is tab-separated\)"):
        run("--csv", str(PACKAGE))
    typo = tmp_path / "typo.csv"
    typo.write_text("ndc,name,labeler,concentraton,package_volume,ndc_unit,hcpcs\n")
    with pytest.raises(CommandError, match=r'lacks concentration; it has unexpected columns "c'):
        run("--csv", str(typo))
    assert DrugProduct.objects.count() == 0


def test_missing_files_and_half_an_fda_pair_are_refused_clearly(db, tmp_path):
    """A missing file, a directory or --product without --package is a CommandError."""
    with pytest.raises(CommandError, match=r"cannot read .*nope.txt: No such file"):
        fda(tmp_path / "nope.txt", PACKAGE)
    with pytest.raises(CommandError, match=r"cannot read .*: Is a directory"):
        run("--csv", str(tmp_path))
    with pytest.raises(CommandError, match="--product and --package go together"):
        run("--product", str(PRODUCT))
    with pytest.raises(CommandError, match="nothing to import"):
        run()


def test_a_bad_header_in_the_second_file_writes_nothing_from_the_first(db, tmp_path):
    """With FDA files and a bad CSV in one run, every file is read before anything is written."""
    bad = tmp_path / "bad.csv"
    bad.write_text("ndc;name\n")
    with pytest.raises(CommandError):
        fda(PRODUCT, PACKAGE, "--csv", str(bad))
    assert DrugProduct.objects.count() == 0


def test_an_unknown_user_is_refused(db):
    """--user must name an existing user."""
    assert not get_user_model().objects.exists()
    with pytest.raises(CommandError, match='there is no user "ghost"'):
        fda(PRODUCT, PACKAGE, "--user", "ghost")


# --- Output on a terminal ------------------------------------------------------------------


class Terminal(io.StringIO):
    """Output that says it is a terminal, as a person's shell is."""

    def isatty(self) -> bool:
        return True


def on_terminal(*args: str) -> str:
    out = Terminal()
    call_command("import_ndc", *args, stdout=out)
    return out.getvalue()


def many_bad_rows(tmp_path: Path, count: int) -> Path:
    """A catalog CSV with one good row and `count` rows whose NDC is not one."""
    rows = [f"1234-{n:04d},Bad row {n},Lab,1 mg/mL,10 mL,ML," for n in range(count)]
    good = "00074-1133-03,Morphine sulfate,Hospira,25 mg/mL,20 mL,ML,"
    return write_csv(tmp_path, good, *rows)


def test_on_a_terminal_a_progress_bar_then_reasons_counted_and_the_first_20_rows(db, tmp_path):
    text = on_terminal("--csv", str(many_bad_rows(tmp_path, 30)))
    assert "\r[" in text and "kept " in text and "rejected 30" in text  # the progress bar
    lines = text.split("\n")
    summary = next(line for line in lines if line.startswith("products.csv:"))
    assert summary.endswith("products.csv: added 1, updated 0, unchanged 0, rejected 30")
    assert "Rejected, by reason:" in lines
    counted = lines[lines.index("Rejected, by reason:") + 1]
    assert counted.lstrip().startswith("30  ") and '"…"' in counted
    assert "First 20 of 30 rejected rows:" in lines
    assert sum(1 for line in lines if line.startswith("  products.csv line ")) == 20
    assert "(--show-rejected lists them all)" in lines


def test_show_rejected_lists_every_row_on_a_terminal(db, tmp_path):
    text = on_terminal("--csv", str(many_bad_rows(tmp_path, 30)), "--show-rejected")
    assert sum(1 for line in text.split("\n") if line.startswith("products.csv line ")) == 30
    assert "Rejected, by reason:" not in text


def test_off_a_terminal_the_output_is_plain_every_rejected_row_and_no_bar(db, tmp_path):
    lines = run("--csv", str(many_bad_rows(tmp_path, 30)))
    assert lines[0] == "products.csv: added 1, updated 0, unchanged 0, rejected 30"
    assert len(lines) == 31 and all(line.startswith("products.csv line ") for line in lines[1:])
    assert not any("\r" in line for line in lines)
