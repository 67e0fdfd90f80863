"""Jinja helpers for templates, shared by the Flask extension and the Starlette helpers.

Pure: no web framework. The adapter says where a template finds the visitor's consent
(``flask.g`` or ``request.state``) with a ``lookup`` callable over the Jinja context.

- ``consent_allows("analytics")``: is the category granted for this visitor?
- ``consent_script("analytics", src="https://...", async=true)``: a ``<script>`` that is
  live when the category is granted and held back otherwise, in the markup the banner
  revives (``type="text/plain" data-consentkit="analytics" data-consentkit-src=...``);
  with a ``{% call %}`` block it wraps an inline script.
- ``consent_attrs("marketing", src="https://...", vendor="YouTube")``: the attributes of
  an ``<iframe>``, ``<img>``, ``<embed>``... the same way (``src`` becomes
  ``data-consentkit-src`` while the category is refused).
- ``cookie_table(lang=None)``: the policy's cookie table, a
  :class:`~consentkit.declaration.Declaration` (sections of cookie rows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from .consent import Consent
from .declaration import Declaration, build_declaration
from .policy import NECESSARY, Policy

ConsentLookup = Callable[[Context], Consent | None]

#: The attributes that load something; held back as ``data-consentkit-<name>``.
LOADING_ATTRIBUTES = ("src", "srcset", "href", "data")


def jinja_helpers(
    policy: Policy, lookup: ConsentLookup, cookie_name: str = "consentkit"
) -> dict[str, Any]:
    """The template globals, to merge into a Jinja environment's ``globals``."""
    required = policy.required_categories | {NECESSARY}
    tables: dict[str | None, Declaration] = {}

    def allowed(context: Context, category: str) -> bool:
        consent = lookup(context)
        if consent is None:  # no middleware in front: only what cannot be refused
            return category in required
        return consent.allows(category)

    @pass_context
    def consent_allows(context: Context, category: str) -> bool:
        return allowed(context, category)

    @pass_context
    def consent_script(
        context: Context, category: str, src: str | None = None, **attributes: Any
    ) -> Markup:
        caller = attributes.pop("caller", None)
        code = caller() if caller is not None else ""
        if src is not None:
            attributes = {"src": src, **attributes}
        return script_tag(category, allowed(context, category), attributes, code)

    @pass_context
    def consent_attrs(context: Context, category: str, **attributes: Any) -> Markup:
        return element_attributes(category, allowed(context, category), attributes)

    def cookie_table(lang: str | None = None) -> Declaration:
        found = tables.get(lang)
        if found is None:
            found = build_declaration(policy, lang=lang, cookie_name=cookie_name)
            if len(tables) < 64:
                tables[lang] = found
        return found

    return {
        "consent_allows": consent_allows,
        "consent_script": consent_script,
        "consent_attrs": consent_attrs,
        "cookie_table": cookie_table,
    }


def script_tag(category: str, live: bool, attributes: Mapping[str, Any], code: str) -> Markup:
    """``<script>`` markup, held back unless ``live``. The inline ``code`` is the
    template's own (already escaped as Jinja does for a ``{% call %}`` body)."""
    attrs = dict(attributes)
    if not live:
        kind = attrs.pop("type", None)
        src = attrs.pop("src", None)
        held: dict[str, Any] = {"type": "text/plain", "data-consentkit": category}
        if kind is not None:
            held["data-consentkit-type"] = kind
        if src is not None:
            held["data-consentkit-src"] = src
        attrs = {**held, **attrs}
    return Markup(f"<script{render_attributes(attrs)}>{code}</script>")


def element_attributes(category: str, live: bool, attributes: Mapping[str, Any]) -> Markup:
    """The attributes of an embed or pixel, with its loading attributes held back unless
    ``live``. ``vendor`` names who is behind it (for the banner's placeholder)."""
    attrs = dict(attributes)
    vendor = attrs.pop("vendor", None)
    if not live:
        held: dict[str, Any] = {"data-consentkit": category}
        if vendor:
            held["data-consentkit-vendor"] = vendor
        for name in LOADING_ATTRIBUTES:
            if name in attrs:
                held[f"data-consentkit-{name}"] = attrs.pop(name)
        attrs = {**held, **attrs}
    return Markup(render_attributes(attrs).lstrip())


def render_attributes(attributes: Mapping[str, Any]) -> str:
    """`` name="value"`` pairs: ``True`` is a bare attribute, ``False``/``None`` none;
    ``data_id`` is written ``data-id`` and a trailing ``_`` (``class_``) is dropped."""
    out: list[str] = []
    for raw_name, value in attributes.items():
        if value is None or value is False:
            continue
        name = attribute_name(raw_name)
        if value is True:
            out.append(f" {name}")
        else:
            out.append(f' {name}="{escape(str(value))}"')
    return "".join(out)


def attribute_name(raw: str) -> str:
    name = raw.rstrip("_").replace("_", "-").lower()
    if not name or any(ch in name for ch in ' "\'<>/=`') or not name.isprintable():
        raise ValueError(f"{raw!r} is not an HTML attribute name")
    return name
