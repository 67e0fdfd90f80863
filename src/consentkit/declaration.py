"""The cookie table of a privacy policy, built from the :class:`~consentkit.policy.Policy`.
Pure: no framework; reads the banner's translation files for category titles.

One section per category (in the policy's order), one row per declared cookie: name,
vendor, purpose, lifetime, first or third party. consentkit's own consent cookie is always
listed under the necessary category. Rendered as Markdown, HTML or JSON; templates can
use :func:`build_declaration` directly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .declaration_texts import DECLARATION_TEXTS
from .errors import ConfigError
from .policy import DEFAULT_CATEGORIES, NECESSARY, CookieRule, Policy

#: English headings, used where a language file lacks a key.
ENGLISH = {
    "cookie_name": "Name",
    "cookie_vendor": "Provider",
    "cookie_purpose": "Purpose",
    "cookie_lifetime": "Lifetime",
    "no_cookies": "No cookies in this category.",
    **DECLARATION_TEXTS["en"],
}
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_DEFAULT_TITLES = {c.name: (c.title, c.description) for c in DEFAULT_CATEGORIES}


@dataclass(frozen=True, slots=True)
class CookieEntry:
    name: str
    vendor: str
    purpose: str
    category: str
    lifetime: str
    party: str  # "first" or "third"

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "vendor": self.vendor, "purpose": self.purpose,
                "category": self.category, "lifetime": self.lifetime, "party": self.party}


@dataclass(frozen=True, slots=True)
class CategorySection:
    name: str
    title: str
    description: str
    cookies: tuple[CookieEntry, ...]


@dataclass(frozen=True, slots=True)
class Declaration:
    lang: str
    texts: dict[str, str]
    sections: tuple[CategorySection, ...]

    def text(self, key: str) -> str:
        return self.texts.get(key) or ENGLISH.get(key, key)

    def party(self, party: str) -> str:
        return self.text(f"party_{party}")

    def to_json(self) -> dict[str, object]:
        return {"lang": self.lang, "categories": [
            {"name": s.name, "title": s.title, "description": s.description,
             "cookies": [c.to_json() for c in s.cookies]} for s in self.sections]}


def build_declaration(policy: Policy, *, lang: str | None = None,
                      cookie_name: str = "consentkit",
                      i18n_dir: Path | None = None) -> Declaration:
    """The cookie table of ``policy`` in ``lang`` (default: the policy's language)."""
    language = lang or policy.default_language
    extra = DECLARATION_TEXTS.get(language) or DECLARATION_TEXTS.get(language.split("-")[0], {})
    texts = {**load_texts(language, i18n_dir), **extra, **policy.texts.get(language, {})}
    own_language = language == policy.default_language
    sections: list[CategorySection] = []
    for category in policy.categories:
        rows = [_entry(rule) for rule in policy.cookies_in(category.name)]
        if category.name == NECESSARY:
            days = policy.consent_lifetime_days
            lifetime = (texts.get("lifetime_days") or ENGLISH["lifetime_days"]).format(days=days)
            purpose = texts.get("consent_cookie_purpose") or ENGLISH["consent_cookie_purpose"]
            rows.insert(0, CookieEntry(cookie_name, "", purpose, NECESSARY, lifetime, "first"))
        customised = _DEFAULT_TITLES.get(category.name) != (category.title,
                                                            category.description)
        title, description = category.title, category.description
        if not (own_language and customised):
            title = texts.get(f"category_{category.name}_title") or title
            description = texts.get(f"category_{category.name}_description") or description
        sections.append(CategorySection(category.name, title, description, tuple(rows)))
    return Declaration(language, texts, tuple(sections))


def _entry(rule: CookieRule) -> CookieEntry:
    return CookieEntry(rule.display_name, rule.vendor, rule.purpose, rule.category, rule.lifetime,
                       rule.party)


def i18n_root() -> Path:
    from .static_files import static_root

    return static_root() / "i18n"


def load_texts(lang: str, i18n_dir: Path | None = None) -> dict[str, str]:
    """The banner's texts in ``lang`` (``pt-BR`` falls back to ``pt``, then English);
    an unknown language gives the English texts."""
    if not _LANG.match(lang):
        raise ConfigError("lang", f"{lang!r} is not a language tag such as 'en' or 'pt-BR'")
    folder = i18n_dir or i18n_root()
    candidates = [lang, lang.split("-")[0], "en"]
    for candidate in dict.fromkeys(candidates):
        file = folder / f"{candidate}.json"
        try:
            data = json.loads(file.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}
    return {}


# -- rendering ------------------------------------------------------------------------------

_COLUMNS = ("cookie_name", "cookie_vendor", "cookie_purpose", "cookie_lifetime",
            "cookie_party")


def _cells(decl: Declaration, entry: CookieEntry) -> list[str]:
    return [entry.name, entry.vendor, entry.purpose, entry.lifetime, decl.party(entry.party)]


def render_markdown(decl: Declaration, *, heading_level: int = 3) -> str:
    marks = "#" * heading_level
    lines: list[str] = []
    for section in decl.sections:
        lines += [f"{marks} {section.title}", ""]
        if section.description:
            lines += [section.description, ""]
        if not section.cookies:
            lines += [decl.text("no_cookies"), ""]
            continue
        lines.append("| " + " | ".join(decl.text(k) for k in _COLUMNS) + " |")
        lines.append("|" + "---|" * len(_COLUMNS))
        for entry in section.cookies:
            cells = [_md(c) for c in _cells(decl, entry)]
            cells[0] = f"`{entry.name}`"
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def render_html(decl: Declaration, *, heading_level: int = 3) -> str:
    tag = f"h{min(max(heading_level, 1), 6)}"
    out = [f'<div class="consentkit-declaration" lang="{escape(decl.lang)}">']
    for section in decl.sections:
        out.append(f'<section data-consentkit-category="{escape(section.name)}">')
        out.append(f"<{tag}>{escape(section.title)}</{tag}>")
        if section.description:
            out.append(f"<p>{escape(section.description)}</p>")
        if not section.cookies:
            out.append(f"<p>{escape(decl.text('no_cookies'))}</p>")
            out.append("</section>")
            continue
        heads = "".join(f'<th scope="col">{escape(decl.text(k))}</th>' for k in _COLUMNS)
        out.append(f"<table><thead><tr>{heads}</tr></thead><tbody>")
        for entry in section.cookies:
            cells = _cells(decl, entry)
            first = f"<th scope=\"row\"><code>{escape(cells[0])}</code></th>"
            rest = "".join(f"<td>{escape(c)}</td>" for c in cells[1:])
            out.append(f"<tr>{first}{rest}</tr>")
        out.append("</tbody></table>")
        out.append("</section>")
    out.append("</div>")
    return "\n".join(out) + "\n"


def render_json(decl: Declaration) -> str:
    return json.dumps(decl.to_json(), indent=2, ensure_ascii=False) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
