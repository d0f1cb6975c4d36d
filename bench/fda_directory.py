"""Write a synthetic FDA NDC directory (product.txt + package.txt) of a chosen size.

Run from the project root:  python bench/fda_directory.py OUTDIR [--products N] [--seed S]

or import it:  ``write_directory(path, products=110_000, seed=0) -> DirectorySummary``.

The two files have the FDA download's layout: tab-separated, no quoting, Windows-1252 text (as
the FDA serves it), and the real files' full column sets and header names

  product.txt  PRODUCTID PRODUCTNDC PRODUCTTYPENAME PROPRIETARYNAME PROPRIETARYNAMESUFFIX
               NONPROPRIETARYNAME DOSAGEFORMNAME ROUTENAME STARTMARKETINGDATE ENDMARKETINGDATE
               MARKETINGCATEGORYNAME APPLICATIONNUMBER LABELERNAME SUBSTANCENAME
               ACTIVE_NUMERATOR_STRENGTH ACTIVE_INGRED_UNIT PHARM_CLASSES DEASCHEDULE
               NDC_EXCLUDE_FLAG LISTING_RECORD_CERTIFIED_THROUGH
  package.txt  PRODUCTID PRODUCTNDC NDCPACKAGECODE PACKAGEDESCRIPTION STARTMARKETINGDATE
               ENDMARKETINGDATE NDC_EXCLUDE_FLAG SAMPLE_PACKAGE

joined on PRODUCTID, about 1.5 packages a product. The default size is about the real
directory's: 110,000 products, ~168,000 packages. What is in it, for a given seed always the same:

- about 7% single-ingredient injectable solutions, the rows a catalog import keeps: morphine,
  hydromorphone, fentanyl, sufentanil, meperidine, methadone, bupivacaine, ropivacaine, ketamine,
  ziconotide, clonidine, baclofen and common hospital injectables, with strengths written as the
  FDA writes them: "25" "mg/mL", "50" "ug/mL", "5000" "[iU]/mL", "10" "[USP'U]/mL", "2" "meq/mL",
  percentages as "0.25" "g/100mL", per-volume forms such as "500" "ug/5mL", and some fractions
  with no leading zero (".5"); vials, ampules, bags and syringes, in cartons or alone;
- the rest rows an injectable catalog does not take: tablets and capsules ("mg/1"), creams and
  ointments ("mg/g", "g/100g"), patches ("ug/h"), powders for injection ("mg/1"), homeopathic
  drops ("[hp_X]/mL"), kits with no strength, and products with several active ingredients
  written the FDA's way, "5; .005" "mg/mL; mg/mL" (injectables among them);
- NDCs in all three 10-digit label shapes: 4-digit labeler codes are 4-4-2, 5-digit ones
  5-3-2 or 5-4-1 (one shape per labeler, as the FDA assigns them), thousands of labelers;
- some products and some single packages whose ENDMARKETINGDATE has passed, some that end in
  the 2030s, and some rows with the exclusion flags of the FDA's excluded-products file
  (NDC_EXCLUDE_FLAG E, I or U; "I" rows also have a past end date, "E" rows a past
  LISTING_RECORD_CERTIFIED_THROUGH); every other row says N, as the current directory does.

The summary is worked out from what was written, never by running the importer: which packages
an import should keep (those of the single-ingredient per-volume injectables), the concentration
and container volume each should get, whether each has ended (by *today*) and its exclusion flag.
One morphine sulfate 25 mg/mL product is always there (``summary.anchors``).

Rows are generated and written one product at a time (only the kept packages' facts stay in
memory): about 4 s for 110,000 products.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from bisect import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

__all__ = ["DirectorySummary", "KeptPackage", "write_directory"]

PRODUCT_COLUMNS = (
    "PRODUCTID",
    "PRODUCTNDC",
    "PRODUCTTYPENAME",
    "PROPRIETARYNAME",
    "PROPRIETARYNAMESUFFIX",
    "NONPROPRIETARYNAME",
    "DOSAGEFORMNAME",
    "ROUTENAME",
    "STARTMARKETINGDATE",
    "ENDMARKETINGDATE",
    "MARKETINGCATEGORYNAME",
    "APPLICATIONNUMBER",
    "LABELERNAME",
    "SUBSTANCENAME",
    "ACTIVE_NUMERATOR_STRENGTH",
    "ACTIVE_INGRED_UNIT",
    "PHARM_CLASSES",
    "DEASCHEDULE",
    "NDC_EXCLUDE_FLAG",
    "LISTING_RECORD_CERTIFIED_THROUGH",
)
PACKAGE_COLUMNS = (
    "PRODUCTID",
    "PRODUCTNDC",
    "NDCPACKAGECODE",
    "PACKAGEDESCRIPTION",
    "STARTMARKETINGDATE",
    "ENDMARKETINGDATE",
    "NDC_EXCLUDE_FLAG",
    "SAMPLE_PACKAGE",
)
ENCODING = "cp1252"  # as the FDA serves the text files

# --- What the rows say ------------------------------------------------------------------------

RX = "HUMAN PRESCRIPTION DRUG"
OTC = "HUMAN OTC DRUG"
OPIOID = "Full Opioid Agonists [MoA], Opioid Agonist [EPC]"
AMIDE = "Amide Local Anesthetic [EPC], Amides [CS], Local Anesthesia [PE]"
IV_IM = "INTRAMUSCULAR; INTRAVENOUS"
IV_IM_SC = "INTRAMUSCULAR; INTRAVENOUS; SUBCUTANEOUS"
NEURAXIAL = "EPIDURAL; INTRATHECAL"
REGIONAL = "EPIDURAL; INFILTRATION; INTRACAUDAL; PERINEURAL"


@dataclass(frozen=True)
class Injectable:
    """A single-ingredient injectable solution: how the FDA file names and measures it."""

    substance: str  # SUBSTANCENAME
    generic: str  # NONPROPRIETARYNAME
    brands: tuple[str, ...]
    strengths: tuple[tuple[str, str], ...]  # (ACTIVE_NUMERATOR_STRENGTH, ACTIVE_INGRED_UNIT)
    volumes: tuple[int, ...]  # mL in one container
    routes: tuple[str, ...]
    classes: str = ""
    schedule: str = ""
    weight: int = 1


def strengths(text: str) -> tuple[tuple[str, str], ...]:
    """Return "25 mg/mL, 50 ug/mL" as (("25", "mg/mL"), ("50", "ug/mL"))."""
    return tuple(tuple(pair.split(" ")) for pair in text.split(", "))  # type: ignore[misc]


INJECTABLES = (
    Injectable(
        "MORPHINE SULFATE",
        "morphine sulfate",
        ("INFUMORPH 500", "INFUMORPH 200", "DURAMORPH", "MITIGO"),
        strengths(
            "0.5 mg/mL, 1 mg/mL, 2 mg/mL, 4 mg/mL, 8 mg/mL, 10 mg/mL, 15 mg/mL, 25 mg/mL, "
            "50 mg/mL, 1 mg/10mL"
        ),
        (1, 2, 10, 20, 30, 50),
        (IV_IM, NEURAXIAL, "INTRAVENOUS"),
        OPIOID,
        "CII",
        weight=8,
    ),
    Injectable(
        "HYDROMORPHONE HYDROCHLORIDE",
        "hydromorphone hydrochloride",
        ("DILAUDID", "DILAUDID-HP"),
        strengths("1 mg/mL, 2 mg/mL, 4 mg/mL, 10 mg/mL, 0.2 mg/mL"),
        (1, 5, 10, 50),
        (IV_IM_SC, "INTRAVENOUS"),
        OPIOID,
        "CII",
        weight=6,
    ),
    Injectable(
        "FENTANYL CITRATE",
        "fentanyl citrate",
        ("SUBLIMAZE",),
        strengths("50 ug/mL, 10 ug/mL, 2500 ug/250mL, 1000 ug/100mL"),
        (2, 5, 10, 20, 50, 100, 250),
        (IV_IM, "INTRAVENOUS", NEURAXIAL),
        OPIOID,
        "CII",
        weight=6,
    ),
    Injectable(
        "SUFENTANIL CITRATE",
        "sufentanil citrate",
        (),
        strengths("50 ug/mL"),
        (1, 2, 5),
        ("EPIDURAL; INTRAVENOUS",),
        OPIOID,
        "CII",
    ),
    Injectable(
        "MEPERIDINE HYDROCHLORIDE",
        "meperidine hydrochloride",
        ("DEMEROL",),
        strengths("25 mg/mL, 50 mg/mL, 100 mg/mL"),
        (1, 20, 30),
        (IV_IM_SC,),
        OPIOID,
        "CII",
    ),
    Injectable(
        "METHADONE HYDROCHLORIDE",
        "methadone hydrochloride",
        (),
        strengths("10 mg/mL"),
        (20,),
        (IV_IM_SC,),
        OPIOID,
        "CII",
    ),
    Injectable(
        "BUPIVACAINE HYDROCHLORIDE",
        "bupivacaine hydrochloride",
        ("MARCAINE", "SENSORCAINE", "SENSORCAINE-MPF"),
        strengths(
            "2.5 mg/mL, 5 mg/mL, 7.5 mg/mL, 0.25 g/100mL, 0.5 g/100mL, 0.75 g/100mL, .25 g/100mL"
        ),
        (10, 20, 30, 50),
        (REGIONAL, "EPIDURAL; INTRACAUDAL; PERINEURAL", "INFILTRATION"),
        AMIDE,
        weight=7,
    ),
    Injectable(
        "ROPIVACAINE HYDROCHLORIDE",
        "ropivacaine hydrochloride",
        ("NAROPIN",),
        strengths("2 mg/mL, 5 mg/mL, 7.5 mg/mL, 10 mg/mL, 0.2 g/100mL"),
        (10, 20, 30, 100, 200),
        ("EPIDURAL; INFILTRATION; PERINEURAL",),
        AMIDE,
        weight=5,
    ),
    Injectable(
        "KETAMINE HYDROCHLORIDE",
        "ketamine hydrochloride",
        ("KETALAR",),
        strengths("10 mg/mL, 50 mg/mL, 100 mg/mL"),
        (5, 10, 20),
        (IV_IM,),
        "General Anesthesia [PE], General Anesthetic [EPC]",
        "CIII",
        weight=4,
    ),
    Injectable(
        "ZICONOTIDE ACETATE",
        "ziconotide acetate",
        ("PRIALT",),
        strengths("25 ug/mL, 100 ug/mL, 500 ug/5mL"),
        (1, 5, 20),
        ("INTRATHECAL",),
        "N-type Calcium Channel Antagonist [EPC]",
    ),
    Injectable(
        "CLONIDINE HYDROCHLORIDE",
        "clonidine hydrochloride",
        ("DURACLON",),
        strengths("100 ug/mL, 500 ug/mL"),
        (10,),
        ("EPIDURAL",),
        "Central alpha-2 Adrenergic Agonist [EPC]",
        weight=2,
    ),
    Injectable(
        "BACLOFEN",
        "baclofen",
        ("GABLOFEN", "LIORESAL"),
        strengths("50 ug/mL, 500 ug/mL, 2000 ug/mL, 10 mg/20mL"),
        (1, 5, 20),
        ("INTRATHECAL",),
        "GABA-ergic Agonist [EPC]",
        weight=2,
    ),
    Injectable(
        "HEPARIN SODIUM",
        "heparin sodium",
        (),
        strengths(
            "1000 [iU]/mL, 5000 [iU]/mL, 10000 [iU]/mL, 100 [iU]/mL, 10 [USP'U]/mL, "
            "25000 [iU]/250mL"
        ),
        (1, 5, 10, 30, 250, 500),
        ("INTRAVENOUS; SUBCUTANEOUS", "INTRAVENOUS"),
        "Anti-coagulant [EPC], Heparin [CS]",
        weight=8,
    ),
    Injectable(
        "INSULIN HUMAN",
        "insulin human",
        ("HUMULIN R", "NOVOLIN R", "MYXREDLIN"),
        strengths("100 [iU]/mL, 1 [iU]/mL"),
        (3, 10, 100),
        ("INTRAVENOUS; SUBCUTANEOUS",),
        "Insulin [CS], Insulin [EPC]",
        weight=3,
    ),
    Injectable(
        "OXYTOCIN",
        "oxytocin",
        ("PITOCIN",),
        strengths("10 [USP'U]/mL"),
        (1, 10, 30),
        (IV_IM,),
        "Oxytocic [EPC], Oxytocin [CS]",
    ),
    Injectable(
        "SODIUM CHLORIDE",
        "sodium chloride",
        (),
        strengths("0.9 g/100mL, 9 mg/mL, 3 g/100mL, 23.4 g/100mL"),
        (10, 50, 100, 250, 500, 1000),
        ("INTRAVENOUS",),
        "Osmotic Activity [MoA]",
        weight=8,
    ),
    Injectable(
        "DEXTROSE MONOHYDRATE",
        "dextrose monohydrate",
        (),
        strengths("5 g/100mL, 10 g/100mL, 50 g/100mL, 70 g/100mL"),
        (50, 250, 500, 1000),
        ("INTRAVENOUS",),
        weight=5,
    ),
    Injectable(
        "LIDOCAINE HYDROCHLORIDE",
        "lidocaine hydrochloride",
        ("XYLOCAINE", "XYLOCAINE-MPF"),
        strengths("10 mg/mL, 20 mg/mL, 1 g/100mL, 2 g/100mL, 4 mg/mL"),
        (2, 5, 10, 20, 30, 50),
        ("INFILTRATION; PERINEURAL", "INTRAVENOUS", "EPIDURAL; INFILTRATION"),
        AMIDE,
        weight=8,
    ),
    Injectable(
        "ONDANSETRON HYDROCHLORIDE",
        "ondansetron hydrochloride",
        ("ZOFRAN",),
        strengths("2 mg/mL"),
        (2, 20),
        (IV_IM,),
        "Serotonin 3 Receptor Antagonists [MoA]",
        weight=4,
    ),
    Injectable(
        "POTASSIUM CHLORIDE",
        "potassium chloride",
        (),
        strengths("2 meq/mL, 20 meq/100mL, 40 meq/100mL"),
        (10, 20, 100, 250),
        ("INTRAVENOUS",),
        weight=3,
    ),
    Injectable(
        "KETOROLAC TROMETHAMINE",
        "ketorolac tromethamine",
        (),
        strengths("15 mg/mL, 30 mg/mL, 60 mg/2mL"),
        (1, 2),
        (IV_IM,),
        "Nonsteroidal Anti-inflammatory Drug [EPC]",
        weight=3,
    ),
    Injectable(
        "DEXAMETHASONE SODIUM PHOSPHATE",
        "dexamethasone sodium phosphate",
        (),
        strengths("4 mg/mL, 10 mg/mL"),
        (1, 5, 30),
        ("INTRAMUSCULAR; INTRAVENOUS; INTRA-ARTICULAR; SOFT TISSUE",),
        "Corticosteroid [EPC]",
        weight=3,
    ),
    Injectable(
        "MIDAZOLAM HYDROCHLORIDE",
        "midazolam hydrochloride",
        (),
        strengths("1 mg/mL, 5 mg/mL, 100 mg/100mL"),
        (2, 5, 10, 100),
        (IV_IM,),
        "Benzodiazepine [EPC]",
        "CIV",
        weight=3,
    ),
)
INJECTABLE_CUM = list(accumulate(drug.weight for drug in INJECTABLES))
MORPHINE = INJECTABLES[0]

# Other rows: (SUBSTANCENAME, strengths, ACTIVE_INGRED_UNIT, DEASCHEDULE).
ORAL = (
    ("ATORVASTATIN CALCIUM TRIHYDRATE", ("10", "20", "40", "80"), "mg/1", ""),
    ("LISINOPRIL", ("2.5", "5", "10", "20", "40"), "mg/1", ""),
    ("METFORMIN HYDROCHLORIDE", ("500", "850", "1000"), "mg/1", ""),
    ("AMLODIPINE BESYLATE", ("2.5", "5", "10"), "mg/1", ""),
    ("OXYCODONE HYDROCHLORIDE", ("5", "10", "15", "30"), "mg/1", "CII"),
    ("MORPHINE SULFATE", ("15", "30", "60", "100"), "mg/1", "CII"),
    ("HYDROMORPHONE HYDROCHLORIDE", ("2", "4", "8"), "mg/1", "CII"),
    ("TRAMADOL HYDROCHLORIDE", ("50", "100"), "mg/1", "CIV"),
    ("SERTRALINE HYDROCHLORIDE", ("25", "50", "100"), "mg/1", ""),
    ("LEVOTHYROXINE SODIUM", ("25", "50", "75", "88", "100", "112", "125"), "ug/1", ""),
    ("IBUPROFEN", ("200", "400", "600", "800"), "mg/1", ""),
    ("ACETAMINOPHEN", ("325", "500", "650"), "mg/1", ""),
    ("CLONIDINE HYDROCHLORIDE", (".1", ".2", ".3"), "mg/1", ""),
    ("LOSARTAN POTASSIUM", ("25", "50", "100"), "mg/1", ""),
    ("PREDNISONE", ("5", "10", "20"), "mg/1", ""),
    ("ACETAMINOPHEN; HYDROCODONE BITARTRATE", ("325; 5", "325; 10"), "mg/1; mg/1", "CII"),
)
CAPSULES = (
    ("GABAPENTIN", ("100", "300", "400"), "mg/1", ""),
    ("OMEPRAZOLE", ("10", "20", "40"), "mg/1", ""),
    ("AMOXICILLIN", ("250", "500"), "mg/1", ""),
    ("PREGABALIN", ("25", "50", "75", "150"), "mg/1", "CV"),
    ("DULOXETINE HYDROCHLORIDE", ("20", "30", "60"), "mg/1", ""),
)
TOPICAL = (
    ("HYDROCORTISONE", ("1", "2.5"), "g/100g", ""),
    ("LIDOCAINE", ("4", "5"), "g/100g", ""),
    ("MUPIROCIN", ("20",), "mg/g", ""),
    ("TRIAMCINOLONE ACETONIDE", (".25", ".5", "1"), "mg/g", ""),
    ("DICLOFENAC SODIUM", ("10",), "mg/g", ""),
    ("CLOTRIMAZOLE", ("1",), "g/100g", ""),
)
PATCHES = (
    ("FENTANYL", ("12", "25", "50", "75", "100"), "ug/h", "CII"),
    ("BUPRENORPHINE", ("5", "10", "20"), "ug/h", "CIII"),
    ("NICOTINE", ("7", "14", "21"), "mg/24h", ""),
)
POWDERS = (
    ("CEFTRIAXONE SODIUM", ("250", "500", "1", "2"), "g/1", ""),
    ("VANCOMYCIN HYDROCHLORIDE", ("500", "750", "1000"), "mg/1", ""),
    ("PIPERACILLIN SODIUM; TAZOBACTAM SODIUM", ("3; .375", "4; .5"), "g/1; g/1", ""),
    ("MEROPENEM", ("500", "1"), "mg/1", ""),
)
HOMEOPATHIC = (
    ("ARNICA MONTANA", ("30", "6", "200"), "[hp_C]/mL", ""),
    ("BELLADONNA", ("6", "12"), "[hp_X]/mL", ""),
)
MIXTURES = (  # several active ingredients: OTC sunscreens, rubs and cold medicines
    (
        "AVOBENZONE; HOMOSALATE; OCTISALATE; OCTOCRYLENE",
        ("3; 10; 5; 10", "3; 15; 5; 8"),
        "g/100mL; g/100mL; g/100mL; g/100mL",
        "",
    ),
    ("ZINC OXIDE; TITANIUM DIOXIDE", ("9; 3", "12; 2"), "g/100g; g/100g", ""),
    (
        "ACETAMINOPHEN; DEXTROMETHORPHAN HYDROBROMIDE; DOXYLAMINE SUCCINATE",
        ("650; 30; 12.5",),
        "mg/30mL; mg/30mL; mg/30mL",
        "",
    ),
    ("MENTHOL; METHYL SALICYLATE", ("10; 30",), "g/100g; g/100g", ""),
)
MIXTURE_FORMS = {  # by the first ingredient's unit: (DOSAGEFORMNAME choices, ROUTENAME)
    "g/100mL": (("LOTION", "SPRAY"), "TOPICAL"),
    "g/100g": (("CREAM", "OINTMENT", "STICK"), "TOPICAL"),
    "mg/30mL": (("LIQUID", "SOLUTION"), "ORAL"),
}
INJECTABLE_MIXTURES = (  # rejected by an import that takes single ingredients only
    (
        "BUPIVACAINE HYDROCHLORIDE; EPINEPHRINE BITARTRATE",
        ("2.5; .005", "5; .005"),
        "mg/mL; mg/mL",
        "",
    ),
    ("LIDOCAINE HYDROCHLORIDE; EPINEPHRINE", ("10; .01", "20; .01"), "mg/mL; mg/mL", ""),
    ("FENTANYL CITRATE; BUPIVACAINE HYDROCHLORIDE", ("2; 1.25",), "ug/mL; mg/mL", "CII"),
)

# Category -> (weight per 1,000 products, dosage forms, product type). "solution" is what is kept.
CATEGORIES = {
    "solution": (70, ("INJECTION, SOLUTION", "INJECTION", "INJECTION, SOLUTION, CONCENTRATE"), RX),
    "injectable mixture": (7, ("INJECTION, SOLUTION",), RX),
    "powder": (20, ("INJECTION, POWDER, LYOPHILIZED, FOR SOLUTION", "INJECTION, POWDER"), RX),
    "tablet": (390, ("TABLET", "TABLET, FILM COATED", "TABLET, EXTENDED RELEASE"), RX),
    "capsule": (150, ("CAPSULE", "CAPSULE, DELAYED RELEASE"), RX),
    "topical": (80, ("CREAM", "OINTMENT", "GEL"), RX),
    "patch": (10, ("PATCH", "PATCH, EXTENDED RELEASE"), RX),
    "homeopathic": (80, ("LIQUID", "SOLUTION/ DROPS"), OTC),
    "mixture": (188, ("LOTION",), OTC),  # the form goes with the ingredients
    "kit": (5, ("KIT",), RX),
}
CATEGORY_NAMES = tuple(CATEGORIES)
CATEGORY_CUM = list(accumulate(weight for weight, _, _ in CATEGORIES.values()))
SOURCES = {
    "tablet": ORAL,
    "capsule": CAPSULES,
    "topical": TOPICAL,
    "patch": PATCHES,
    "powder": POWDERS,
    "homeopathic": HOMEOPATHIC,
    "mixture": MIXTURES,
    "injectable mixture": INJECTABLE_MIXTURES,
}
ROUTES = {
    "tablet": "ORAL",
    "capsule": "ORAL",
    "topical": "TOPICAL",
    "patch": "TRANSDERMAL",
    "powder": "INTRAVENOUS",
    "homeopathic": "ORAL",
    "mixture": "TOPICAL",
    "injectable mixture": "EPIDURAL; INFILTRATION",
    "kit": "TOPICAL",
}

# Real labelers (code, name); the rest of the labelers are made up from the word lists below.
REAL_LABELERS = (
    ("0409", "Hospira, Inc."),
    ("63323", "Fresenius Kabi USA, LLC"),
    ("0641", "Hikma Pharmaceuticals USA Inc."),
    ("0338", "Baxter Healthcare Corporation"),
    ("0703", "Teva Parenteral Medicines, Inc."),
    ("72572", "Civica, Inc."),
    ("25021", "Sagent Pharmaceuticals"),
    ("67457", "Mylan Institutional LLC"),
    ("0143", "Hikma Pharmaceuticals USA Inc."),
    ("55150", "Eugia US LLC"),
    ("76420", "Asclemed USA, Inc."),
    ("68118", "TerSera Therapeutics LLC"),
    ("39822", "X-GEN Pharmaceuticals, Inc."),
    ("0264", "B. Braun Medical Inc."),
    ("0990", "ICU Medical Inc."),
    ("70121", "Amneal Pharmaceuticals LLC"),
    ("0781", "Sandoz Inc"),
    ("0093", "Teva Pharmaceuticals USA, Inc."),
    ("0591", "Actavis Pharma, Inc."),
    ("0054", "Hikma Pharmaceuticals USA Inc."),
    ("68001", "BluePoint Laboratories"),
    ("0002", "Eli Lilly and Company"),
)
FOREIGN_LABELER = "Hikma Farmacêutica (Portugal) S.A."  # not ASCII: Windows-1252 "ê"
WORDS_A = [
    "Apex",
    "Northwind",
    "Bluebird",
    "Cardinal",
    "Summit",
    "Meridian",
    "Keystone",
    "Harbor",
    "Redwood",
    "Silverline",
    "Granite",
    "Lakeshore",
    "Pinnacle",
    "Evergreen",
    "Crescent",
    "Liberty",
    "Heritage",
    "Beacon",
    "Riverside",
    "Westfield",
    "Aurora",
    "Sterling",
    "Cascade",
    "Horizon",
    "Prairie",
    "Coastal",
    "Allied",
    "Unity",
    "Trinity",
    "Vista",
    "Orchard",
    "Juniper",
]
WORDS_B = [
    "Pharmaceuticals",
    "Pharma",
    "Laboratories",
    "Health",
    "Medical",
    "Rx",
    "Therapeutics",
    "Biologics",
    "Scientific",
    "Generics",
    "Healthcare",
    "Compounding",
    "Packaging",
    "Specialty",
]
WORDS_C = ("Inc.", "LLC", "Inc", "Corporation", "Co., Ltd.", "L.P.", "USA, Inc.", "Limited")

# Package shapes: a NDC package segment from these, in this order of preference.
PACKAGE_CODES_2 = ("01", "10", "25", "02", "05", "20", "50", "11", "03", "99", "30", "04")
PACKAGE_CODES_1 = ("1", "2", "3", "5", "4", "6", "7", "8", "9", "0")
PACKAGE_COUNTS = (1, 2, 3, 4, 5, 6)
PACKAGE_COUNT_CUM = list(accumulate((66, 22, 7, 3, 1, 1)))  # ~1.53 packages a product

FLAGS = ("N", "E", "I", "U")
FLAG_CUM = list(accumulate((970, 12, 10, 8)))


# --- The summary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptPackage:
    """A package an import should keep, and what the generator wrote about it."""

    ndc: str  # as written, e.g. "0641-6040-01"
    ndc11: str  # e.g. "00641604001"
    product_id: str
    substance: str
    strength: str  # ACTIVE_NUMERATOR_STRENGTH and ACTIVE_INGRED_UNIT as written
    unit: str
    concentration: str  # the same in the catalog's words, e.g. "25 mg/mL", "0.25 g/100 mL"
    package_volume: str  # one container's volume, e.g. "20 mL", "1 L"; "" when not stated
    labeler: str
    ended: bool  # the product's or the package's ENDMARKETINGDATE is on or before today
    exclude_flag: str  # NDC_EXCLUDE_FLAG of the package row: N, E, I or U


@dataclass
class DirectorySummary:
    """What :func:`write_directory` wrote; ``kept`` is keyed by 11-digit NDC."""

    path: Path
    seed: int
    today: date
    products: int = 0
    packages: int = 0
    categories: Counter[str] = field(default_factory=Counter)  # product rows by category
    ndc_shapes: Counter[str] = field(default_factory=Counter)  # product rows: 4-4-2, ...
    exclude_flags: Counter[str] = field(default_factory=Counter)  # product rows by flag
    ended_products: int = 0  # product rows whose ENDMARKETINGDATE is on or before today
    ended_packages: int = 0  # package rows whose own ENDMARKETINGDATE is on or before today
    labelers: int = 0  # distinct labeler codes used
    kept: dict[str, KeptPackage] = field(default_factory=dict)
    anchors: dict[str, str] = field(default_factory=dict)  # e.g. "morphine 25 mg/mL" -> ndc11
    seconds: float = 0.0

    @property
    def injectable_solutions(self) -> int:
        """Product rows an import should read: single-ingredient per-volume injectables."""
        return self.categories["solution"]

    @property
    def rejected_products(self) -> int:
        """Product rows an import of single-ingredient per-volume strengths cannot use."""
        return self.products - self.injectable_solutions

    def lines(self) -> list[str]:
        """Return the summary as lines of text for a terminal."""
        kept = list(self.kept.values())
        ended = sum(package.ended for package in kept)
        flagged = Counter(package.exclude_flag for package in kept if package.exclude_flag != "N")
        other = ", ".join(
            f"{name} {count:,}"
            for name, count in self.categories.most_common()
            if name != "solution"
        )
        return [
            f"wrote {self.path / 'product.txt'} and {self.path / 'package.txt'} "
            f"(seed {self.seed}) in {self.seconds:.1f} s",
            f"  products {self.products:,}, packages {self.packages:,} "
            f"({self.packages / max(self.products, 1):.2f} a product), "
            f"labelers {self.labelers:,}",
            "  NDC shapes: "
            + ", ".join(f"{shape} {count:,}" for shape, count in sorted(self.ndc_shapes.items())),
            f"  injectable solutions expected to be kept: {self.injectable_solutions:,} products, "
            f"{len(kept):,} packages (of which {ended:,} ended by {self.today.isoformat()}, "
            + (
                ", ".join(f"{count:,} flagged {flag}" for flag, count in sorted(flagged.items()))
                or "none flagged"
            )
            + ")",
            f"  product rows an import should reject: {self.rejected_products:,} ({other})",
            f"  product rows ended: {self.ended_products:,}; package rows ended on their own: "
            f"{self.ended_packages:,}; NDC_EXCLUDE_FLAG "
            + ", ".join(f"{flag} {self.exclude_flags[flag]:,}" for flag in FLAGS),
            "  anchors: " + ", ".join(f"{name} {ndc11}" for name, ndc11 in self.anchors.items()),
        ]


# --- Writing -----------------------------------------------------------------------------------


class _Random(random.Random):
    """random.Random with quicker draws (one random() each) for the hot loop."""

    def pick(self, seq):
        return seq[int(self.random() * len(seq))]

    def weighted(self, seq, cum_weights):
        return seq[bisect(cum_weights, self.random() * cum_weights[-1])]

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))


class _Labeler:
    __slots__ = ("capacity", "code", "name", "next_code", "shape", "used")

    def __init__(self, code: str, name: str, shape: str) -> None:
        self.code, self.name, self.shape = code, name, shape
        self.capacity = 1000 if shape == "5-3-2" else 10000
        self.next_code = 0
        self.used = False


def _labelers(rng: _Random, count: int) -> list[_Labeler]:
    """Return *count* labelers, the real ones first, with unique codes and one shape each."""
    labelers = []
    taken = set()
    for code, name in REAL_LABELERS:
        shape = "4-4-2" if len(code) == 4 else ("5-4-1" if code == "39822" else "5-3-2")
        labelers.append(_Labeler(code, name, shape))
        taken.add(code.zfill(5))
    labelers.insert(3, _Labeler("50742", FOREIGN_LABELER, "5-4-1"))
    taken.add("50742")
    while len(labelers) < count:
        four = rng.random() < 0.25
        code = f"{rng.between(1, 9999):04d}" if four else f"{rng.between(10000, 99999)}"
        if code.zfill(5) in taken:
            continue
        taken.add(code.zfill(5))
        shape = "4-4-2" if four else ("5-4-1" if rng.random() < 0.3 else "5-3-2")
        name = f"{rng.pick(WORDS_A)} {rng.pick(WORDS_B)} {rng.pick(WORDS_C)}"
        if rng.random() < 0.2:
            name = f"{rng.pick(WORDS_A)} {name}"
        labelers.append(_Labeler(code, name, shape))
    return labelers


def _product_code(rng: _Random, labeler: _Labeler) -> str | None:
    """Return the labeler's next product segment (small random gaps), or None when it is full."""
    code = labeler.next_code + rng.between(1, 3)
    if code >= labeler.capacity:
        return None
    labeler.next_code = code
    return f"{code:03d}" if labeler.shape == "5-3-2" else f"{code:04d}"


def _ndc11(labeler: _Labeler, product: str, package: str) -> str:
    """Return the 11-digit 5-4-2 form of a label NDC (the short segment padded with a zero)."""
    return labeler.code.zfill(5) + product.zfill(4) + package.zfill(2)


def _plain(number: str) -> str:
    """Return an FDA number as plain decimal text with no trailing zeros (".50" -> "0.5")."""
    text = format(Decimal(number), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


AMOUNTS = {"mg": "mg", "ug": "mcg", "g": "g", "meq": "mEq", "[iU]": "units", "[USP'U]": "units"}


def _concentration(strength: str, unit: str) -> str:
    """Return the catalog's words for an FDA strength: ("0.25", "g/100mL") -> "0.25 g/100 mL"."""
    amount, per = unit.split("/")
    count = per.removesuffix("mL")
    per = f"{count} mL" if count and count != "1" else "mL"
    return f"{_plain(strength)} {AMOUNTS[amount]}/{per}"


def _days(first: int, last: int) -> tuple[str, ...]:
    """Return every day of the years *first* to *last* as FDA dates ("20210315")."""
    start, end = date(first, 1, 1).toordinal(), date(last, 12, 31).toordinal()
    return tuple(date.fromordinal(day).strftime("%Y%m%d") for day in range(start, end + 1))


STARTS = _days(1985, 2025)
PAST = _days(2012, 2025)
FUTURE = _days(2031, 2036)  # "ends in the future", however long this file is kept
LAPSED = _days(2019, 2023)  # LISTING_RECORD_CERTIFIED_THROUGH of an "E" row


def _product_id(rng: _Random, product_ndc: str) -> str:
    """Return "<PRODUCTNDC>_<SPL set id>", the set id a version-4 UUID as the FDA writes it."""
    bits = f"{rng.getrandbits(128):032x}"
    variant = "89ab"[int(bits[16], 16) & 3]
    return (
        f"{product_ndc}_{bits[:8]}-{bits[8:12]}-4{bits[13:16]}-{variant}{bits[17:20]}-{bits[20:]}"
    )


def _application(rng: _Random, category: str, product_type: str) -> tuple[str, str]:
    """Return (MARKETINGCATEGORYNAME, APPLICATIONNUMBER)."""
    if category == "homeopathic":
        return "UNAPPROVED HOMEOPATHIC", ""
    if product_type == OTC:
        return "OTC MONOGRAPH DRUG", f"M{rng.between(1, 40):03d}"
    kind = rng.pick(
        ("ANDA", "ANDA", "ANDA", "NDA", "NDA AUTHORIZED GENERIC", "UNAPPROVED DRUG OTHER")
    )
    if kind == "UNAPPROVED DRUG OTHER":
        return kind, ""
    prefix = "ANDA" if kind == "ANDA" else "NDA"
    return kind, f"{prefix}{rng.between(40000, 219999):06d}"


def _container(rng: _Random, volume: int) -> tuple[str, str]:
    """Return (container word, its volume text as the FDA writes it) for a volume in mL."""
    if volume >= 50:
        word = rng.pick(("BAG", "BAG", "BOTTLE, GLASS", "VIAL"))
    elif volume <= 5:
        word = rng.pick(("VIAL, SINGLE-DOSE", "AMPULE", "SYRINGE, PLASTIC", "CARTRIDGE"))
    else:
        word = rng.pick(("VIAL, SINGLE-DOSE", "VIAL, MULTI-DOSE", "VIAL", "VIAL, GLASS"))
    amount = "1 L" if volume == 1000 else f"{volume} mL"
    return word, amount


def _solution_package(rng: _Random, ndc: str, inner: str, volume: int) -> tuple[str, str]:
    """Return (PACKAGEDESCRIPTION, the container volume an import should read or "")."""
    word, amount = _container(rng, volume)
    shape = rng.random()
    if shape < 0.45:
        return f"{amount} in 1 {word} ({ndc})", amount
    if shape < 0.8:
        count = rng.pick((1, 5, 10, 10, 24, 25))
        outer = rng.pick(("CARTON", "TRAY", "BOX", "CASE"))
        inner_code = f" ({inner})" if rng.random() < 0.6 else ""
        return f"{count} {word} in 1 {outer} ({ndc})  > {amount} in 1 {word}{inner_code}", amount
    if shape < 0.97:
        return f"1 {word} in 1 POUCH ({ndc})  > {amount} in 1 {word}", amount
    return f"1 {word} in 1 CARTON ({ndc})", ""  # no stated volume


def _other_package(rng: _Random, category: str, ndc: str) -> str:
    if category in ("tablet", "capsule", "mixture"):
        unit = "CAPSULE" if category == "capsule" else "TABLET"
        count = rng.pick((30, 60, 90, 100, 500, 1000))
        if rng.random() < 0.3:
            return f"10 BLISTER PACK in 1 CARTON ({ndc})  > 10 {unit} in 1 BLISTER PACK"
        return f"{count} {unit} in 1 BOTTLE ({ndc})"
    if category == "topical":
        return f"1 TUBE in 1 CARTON ({ndc})  > {rng.pick((15, 30, 45, 60))} g in 1 TUBE"
    if category == "patch":
        return f"5 POUCH in 1 CARTON ({ndc})  > 1 PATCH in 1 POUCH"
    if category == "kit":
        return f"1 KIT in 1 CARTON ({ndc}) * 5 mL in 1 VIAL * 1 SYRINGE in 1 PACKAGE"
    if category == "homeopathic":
        return f"1 BOTTLE, DROPPER in 1 CARTON ({ndc})  > 30 mL in 1 BOTTLE, DROPPER"
    return f"10 VIAL in 1 CARTON ({ndc})  > {rng.pick((1, 2, 10))} mL in 1 VIAL"


def _title(name: str) -> str:
    return name.title() if name.isupper() else name


def write_directory(
    path: Path | str,
    products: int = 110_000,
    seed: int = 0,
    *,
    today: date | None = None,
) -> DirectorySummary:
    """Write product.txt and package.txt into *path* (made if missing); return the summary.

    *today* (default: the local date) decides which written end dates count as passed; the
    dates themselves do not depend on it, so a seed always writes the same bytes.
    """
    if products < 1:
        raise ValueError("products must be at least 1")
    started = time.perf_counter()
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    today = today or date.today()
    today_text = today.strftime("%Y%m%d")
    rng = _Random(seed)
    summary = DirectorySummary(path=path, seed=seed, today=today)
    labelers = _labelers(rng, max(60, min(6000, products // 18)))
    # Zipf-like sizes: a few labelers with thousands of products, most with a handful.
    cum_weights = []
    total = 0.0
    for rank in range(len(labelers)):
        total += 1 / (rank + 4) ** 0.9
        cum_weights.append(total)
    foreign = next(labeler for labeler in labelers if labeler.name == FOREIGN_LABELER)
    anchor_index = products // 2

    with (
        (path / "product.txt").open("w", encoding=ENCODING, newline="") as product_file,
        (path / "package.txt").open("w", encoding=ENCODING, newline="") as package_file,
    ):
        product_file.write("\t".join(PRODUCT_COLUMNS) + "\n")
        package_file.write("\t".join(PACKAGE_COLUMNS) + "\n")
        write_product, write_package = product_file.write, package_file.write
        for index in range(products):
            anchor = index == anchor_index
            # Labeler and product NDC.
            labeler = foreign if anchor else rng.weighted(labelers, cum_weights)
            code = _product_code(rng, labeler)
            while code is None:  # that labeler is full: another one
                labeler = rng.pick(labelers)
                code = _product_code(rng, labeler)
            labeler.used = True
            product_ndc = f"{labeler.code}-{code}"
            product_id = _product_id(rng, product_ndc)
            summary.ndc_shapes[labeler.shape] += 1

            # What it is.
            category = "solution" if anchor else rng.weighted(CATEGORY_NAMES, CATEGORY_CUM)
            _, forms, product_type = CATEGORIES[category]
            form = rng.pick(forms)
            suffix = ""
            if category == "solution":
                drug = MORPHINE if anchor else rng.weighted(INJECTABLES, INJECTABLE_CUM)
                strength, unit = ("25", "mg/mL") if anchor else rng.pick(drug.strengths)
                substance, generic = drug.substance, drug.generic
                route, classes, schedule = rng.pick(drug.routes), drug.classes, drug.schedule
                if anchor:
                    brand = "INFUMORPH 500"
                elif drug.brands and rng.random() < 0.15:
                    brand = rng.pick(drug.brands)
                else:
                    brand = _title(substance) if rng.random() < 0.7 else substance
                if rng.random() < 0.03:
                    suffix = "Preservative Free"
                if not anchor and rng.random() < 0.25 and Decimal(strength) < 1:
                    strength = strength.removeprefix("0")  # ".5", as some labelers write it
            elif category == "kit":
                substance, strength, unit, schedule = "", "", "", ""
                generic = "lidocaine hydrochloride, povidone-iodine"
                brand, route, classes = "Nerve Block Kit", ROUTES[category], ""
            else:
                substance, strengths, unit, schedule = rng.pick(SOURCES[category])
                strength = rng.pick(strengths)
                names = substance.lower().split("; ")
                generic = ", ".join(names[:-1]) + " and " + names[-1] if names[1:] else names[0]
                brand = _title(substance.split(";")[0]) if rng.random() < 0.8 else substance
                route, classes = ROUTES[category], ""
                if category == "mixture":
                    forms, route = MIXTURE_FORMS[unit.split(";")[0]]
                    form = rng.pick(forms)
                if rng.random() < 0.001:
                    brand += ' "Extra" Strength'  # a quote mark: the file is never quoted
            category_name, application = _application(rng, category, product_type)

            # Dates and flags.
            start = rng.pick(STARTS)
            flag = "N" if anchor else rng.weighted(FLAGS, FLAG_CUM)
            roll = rng.random()
            if anchor:
                end = ""
            elif flag == "I" or roll < 0.04:
                end = rng.pick(PAST)
            elif roll < 0.10:
                end = rng.pick(FUTURE)
            else:
                end = ""
            certified = rng.pick(LAPSED) if flag == "E" else "20271231"
            product_ended = bool(end) and end <= today_text
            summary.ended_products += product_ended
            summary.exclude_flags[flag] += 1
            summary.categories[category] += 1

            write_product(
                "\t".join(
                    (
                        product_id,
                        product_ndc,
                        product_type,
                        brand,
                        suffix,
                        generic,
                        form,
                        route,
                        start,
                        end,
                        category_name,
                        application,
                        labeler.name,
                        substance,
                        strength,
                        unit,
                        classes,
                        schedule,
                        flag,
                        certified,
                    )
                )
                + "\n"
            )

            # Packages.
            count = 1 if anchor else rng.weighted(PACKAGE_COUNTS, PACKAGE_COUNT_CUM)
            pool = PACKAGE_CODES_1 if labeler.shape == "5-4-1" else PACKAGE_CODES_2
            codes = pool[:count] if rng.random() < 0.5 else rng.sample(pool, count)
            inner = f"{product_ndc}-{pool[-1]}"
            for package_code in codes:
                ndc = f"{product_ndc}-{package_code}"
                volume_text = ""
                if category == "solution":
                    volume = 20 if anchor else rng.pick(drug.volumes)
                    if anchor:
                        description, volume_text = f"20 mL in 1 AMPULE ({ndc})", "20 mL"
                    else:
                        description, volume_text = _solution_package(rng, ndc, inner, volume)
                else:
                    description = _other_package(rng, category, ndc)
                package_end = ""
                if end:  # the product's end date is its packages' too
                    package_end = end
                elif not anchor and rng.random() < 0.02:
                    package_end = rng.pick(PAST)
                    summary.ended_packages += package_end <= today_text
                sample = "Y" if rng.random() < 0.005 else "N"
                write_package(
                    f"{product_id}\t{product_ndc}\t{ndc}\t{description}\t{start}\t"
                    f"{package_end}\t{flag}\t{sample}\n"
                )
                summary.packages += 1
                if category == "solution":
                    ndc11 = _ndc11(labeler, code, package_code)
                    summary.kept[ndc11] = KeptPackage(
                        ndc=ndc,
                        ndc11=ndc11,
                        product_id=product_id,
                        substance=substance,
                        strength=strength,
                        unit=unit,
                        concentration=_concentration(strength, unit),
                        package_volume=volume_text,
                        labeler=labeler.name,
                        ended=product_ended or (bool(package_end) and package_end <= today_text),
                        exclude_flag=flag,
                    )
                    if anchor:
                        summary.anchors["morphine 25 mg/mL"] = ndc11
            summary.products += 1

    summary.labelers = sum(labeler.used for labeler in labelers)
    summary.seconds = time.perf_counter() - started
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="directory for product.txt and package.txt")
    parser.add_argument("--products", type=int, default=110_000, help="product rows (110,000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    args = parser.parse_args(argv)
    if args.products < 1:
        parser.error("--products must be at least 1")
    summary = write_directory(args.outdir, products=args.products, seed=args.seed)
    print("\n".join(summary.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
