"""The HTML of a form widget, written as Django's own widget templates write it (django/forms/
templates/django/forms/widgets/: input, textarea, select and its options, attrs), without a
template per widget, per option and per attribute list. Drawing the order form's ~40 widgets
through those templates cost most of the page's time (issue 9: the order form and "Add
another drug" under 50 ms). Widgets of any other kind are left to Django (None)."""

from __future__ import annotations

from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_WIDGETS = "django/forms/widgets/"
_INPUTS = {f"{_WIDGETS}{kind}.html" for kind in ("text", "date", "checkbox", "hidden", "number")}


def _text(value: Any) -> str:
    """Return a value as `{{ value|stringformat:'s' }}` writes it: str(), then escaped."""
    return str(conditional_escape(value if isinstance(value, str) else str(value)))


def attributes(attrs: dict[str, Any]) -> str:
    """Return ` name="value"` for each attribute (just ` name` for True, nothing for False)."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def widget_html(widget: dict[str, Any]) -> SafeString | None:
    """Return the HTML of a widget's context (`Widget.get_context(...)["widget"]`), or None for
    a kind of widget written here by no rule."""
    template, name = widget["template_name"], _text(widget["name"])
    if template in _INPUTS:
        value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
        html = f'<input type="{_text(widget["type"])}" name="{name}"{value}'
        return mark_safe(f"{html}{attributes(widget['attrs'])}>")  # every part escaped
    if template == f"{_WIDGETS}textarea.html":
        text = _text(widget["value"]) if widget["value"] else ""
        html = f'<textarea name="{name}"{attributes(widget["attrs"])}>'
        return mark_safe(f"{html}\n{text}</textarea>")
    if template == f"{_WIDGETS}select.html":
        parts = [f'<select name="{name}"{attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in options:
                if option["template_name"] != f"{_WIDGETS}select_option.html":
                    return None
                parts.append(
                    f'\n  <option value="{_text(option["value"])}"'
                    f"{attributes(option['attrs'])}>{_text(option['label'])}</option>\n"
                )  # the option's template ends with a line break
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))
    return None
