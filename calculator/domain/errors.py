"""The one error type the engine raises for bad input: messages keyed by field path."""

from __future__ import annotations


class InvalidOrder(ValueError):
    """Order input that cannot be calculated; `errors` maps a field path to its messages.

    Paths are those of the JSON request ("hours_per_day", "drugs.0.rate"), so the API, the CLI
    and the form can show each message beside the field it is about.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = {field: list(messages) for field, messages in errors.items() if messages}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


class ErrorCollector:
    """Collect field errors while validating, then raise them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidOrder(self.errors)
