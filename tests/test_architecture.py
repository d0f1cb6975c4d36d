"""The layering of calculator/, enforced: what each package may import (docs/architecture.md).

- domain/ is pure Python: no Django (nor any web framework) and nothing outside domain/.
- engine/ imports only domain/ (and no Django).
- domain/, engine/, models/, selectors/ and services/ never import web/, api/ or http/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "calculator"
FRAMEWORKS = ("django", "ninja", "simple_history", "crispy_forms", "django_htmx", "pydantic")
EDGES = ("calculator.web", "calculator.api", "calculator.http")


def imported_modules(source: str, module: str) -> set[str]:
    """Return every module `source` imports, anywhere in it (relative imports made absolute)."""
    found: set[str] = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules_under(folder: str) -> list[tuple[str, set[str]]]:
    """Return (dotted name, imported modules) of each module under calculator/<folder>/."""
    out = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        dotted = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        out.append((dotted, imported_modules(path.read_text(), dotted)))
    return out


def within(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(f"{prefix}.") for prefix in prefixes)


def domain_breaches(imports: set[str]) -> set[str]:
    return {
        name
        for name in imports
        if within(name, *FRAMEWORKS)
        or (within(name, "calculator") and not within(name, "calculator.domain"))
    }


def engine_breaches(imports: set[str]) -> set[str]:
    return {
        name
        for name in imports
        if within(name, *FRAMEWORKS)
        or (
            within(name, "calculator")
            and not within(name, "calculator.domain", "calculator.engine")
        )
    }


def edge_breaches(imports: set[str]) -> set[str]:
    return {name for name in imports if within(name, *EDGES)}


@pytest.mark.parametrize(("module", "imports"), modules_under("domain"), ids=lambda v: str(v))
def test_the_domain_imports_nothing_outside_it(module: str, imports: set[str]) -> None:
    assert domain_breaches(imports) == set(), f"{module} reaches outside domain/"


@pytest.mark.parametrize(("module", "imports"), modules_under("engine"), ids=lambda v: str(v))
def test_the_engine_imports_only_the_domain(module: str, imports: set[str]) -> None:
    assert engine_breaches(imports) == set(), f"{module} imports beyond domain/"


@pytest.mark.parametrize(
    ("module", "imports"),
    [
        found
        for folder in ("domain", "engine", "models", "selectors", "services")
        for found in modules_under(folder)
    ],
    ids=lambda v: str(v),
)
def test_inner_packages_never_import_the_web_api_or_http(module: str, imports: set[str]) -> None:
    assert edge_breaches(imports) == set(), f"{module} imports an outer package"


def test_every_package_is_checked() -> None:
    """A rule over an empty or misnamed folder would pass vacuously."""
    for folder in ("domain", "engine", "models", "selectors", "services"):
        assert len(modules_under(folder)) >= 3, folder


@pytest.mark.parametrize(
    ("checker", "source", "module", "breach"),
    [
        (domain_breaches, "from django.db import models", "calculator.domain.units", "django.db"),
        (domain_breaches, "import django", "calculator.domain.units", "django"),
        (
            domain_breaches,
            "def f():\n    from calculator.models import Order",
            "calculator.domain.dosing",
            "calculator.models",
        ),
        (
            domain_breaches,
            "from ..engine import calculate",
            "calculator.domain.dosing",
            "calculator.engine",
        ),
        (
            engine_breaches,
            "from calculator.selectors.catalog import DatabaseCatalog",
            "calculator.engine.request",
            "calculator.selectors.catalog",
        ),
        (
            edge_breaches,
            "from calculator.web import forms",
            "calculator.services.orders",
            "calculator.web",
        ),
    ],
)
def test_each_rule_catches_a_breach(checker, source: str, module: str, breach: str) -> None:
    """The rules fail when broken: a forbidden import, even inside a function or relative."""
    assert breach in checker(imported_modules(source, module))


def test_allowed_imports_pass_the_rules() -> None:
    imports = imported_modules(
        "from calculator.domain.units import Measure\nfrom decimal import Decimal\n",
        "calculator.engine.request",
    )
    assert engine_breaches(imports) == set()
    assert (
        domain_breaches(imported_modules("from .units import factor", "calculator.domain.dosing"))
        == set()
    )
