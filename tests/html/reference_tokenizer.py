"""A slow, character-by-character tokenizer written from the WHATWG state descriptions,
used only by the tests as an independent judge of what a browser would see.

It covers the states that decide which start tags exist: data, tags and attributes,
comments, bogus comments, RCDATA/RAWTEXT end tags and script data with its escape
states. It does not do SVG/MathML, and reads <noscript> as raw text (scripting on).
"""

from __future__ import annotations

import re

WS = "\t\n\f\r "
RAW = {"script": "script", "style": "raw", "xmp": "raw", "iframe": "raw", "noembed": "raw",
       "noframes": "raw", "noscript": "raw", "textarea": "raw", "title": "raw",
       "plaintext": "plaintext"}
Tag = tuple[str, dict[str, str], str]  # name, attributes (first wins), script text


def _alpha(char: str) -> bool:
    return ("a" <= char <= "z") or ("A" <= char <= "Z")


def _tag(html: str, i: int) -> tuple[int, str, dict[str, str]] | None:
    """Parse from the first letter of a tag name; ``None`` at end of input."""
    state, name, attrs = "name", "", {}
    attr, value = "", ""

    def keep() -> None:
        if attr and attr not in attrs:
            attrs[attr] = value

    n = len(html)
    while i < n:
        ch = html[i]
        i += 1
        if state == "name":
            if ch in WS:
                state = "before"
            elif ch == "/":
                state = "selfclose"
            elif ch == ">":
                return i, name, attrs
            else:
                name += ch.lower()
        elif state in ("before", "selfclose", "afterq"):
            if state == "selfclose" and ch == ">":
                return i, name, attrs
            if state == "afterq" and ch not in WS + "/>":
                i -= 1
                state = "before"
            elif ch in WS:
                state = "before"
            elif ch == "/":
                state = "selfclose"
            elif ch == ">":
                return i, name, attrs
            else:
                attr, value, state = ch.lower(), "", "aname"
        elif state == "aname":
            if ch in WS:
                state = "after"
            elif ch in "/>":
                keep()
                i -= 1
                state = "before"
            elif ch == "=":
                state = "bval"
            else:
                attr += ch.lower()
        elif state == "after":
            if ch in WS:
                pass
            elif ch in "/>":
                keep()
                i -= 1
                state = "before"
            elif ch == "=":
                state = "bval"
            else:
                keep()
                attr, value, state = ch.lower(), "", "aname"
        elif state == "bval":
            if ch in WS:
                pass
            elif ch == '"':
                state = "dq"
            elif ch == "'":
                state = "sq"
            elif ch == ">":
                keep()
                return i, name, attrs
            else:
                value, state = ch, "unq"
        elif state in ("dq", "sq"):
            if ch == ('"' if state == "dq" else "'"):
                keep()
                state = "afterq"
            else:
                value += ch
        elif state == "unq":
            if ch in WS:
                keep()
                state = "before"
            elif ch == ">":
                keep()
                return i, name, attrs
            else:
                value += ch
    return None


def _script_end(html: str, i: int) -> int:
    """Where the script data starting at ``i`` ends (the '<' of its end tag)."""
    state, temp, lt = "data", "", 0
    n = len(html)
    while i < n:
        ch = html[i]
        if state == "data":
            if ch == "<":
                state, lt = "lt", i
        elif state == "lt":
            if ch == "/":
                state, temp = "endopen", ""
            elif ch == "!":
                state = "escstart"
            else:
                state = "data"
                continue
        elif state in ("endopen", "endname", "escendopen", "escendname"):
            back = "data" if state in ("endopen", "endname") else "esc"
            if _alpha(ch):
                temp += ch.lower()
                state = "endname" if back == "data" else "escendname"
            elif state in ("endname", "escendname") and ch in WS + "/>" and temp == "script":
                return lt
            else:
                state = back
                continue
        elif state == "escstart":
            if ch == "-":
                state = "escstartdash"
            else:
                state = "data"
                continue
        elif state == "escstartdash":
            if ch == "-":
                state = "escdashdash"
            else:
                state = "data"
                continue
        elif state in ("esc", "escdash", "escdashdash"):
            if ch == "-":
                state = "escdash" if state == "esc" else "escdashdash"
            elif ch == "<":
                state, lt = "esclt", i
            elif ch == ">" and state == "escdashdash":
                state = "data"
            else:
                state = "esc"
        elif state == "esclt":
            if ch == "/":
                state, temp = "escendopen", ""
            elif _alpha(ch):
                state, temp = "dblstart", ""
                continue
            else:
                state = "esc"
                continue
        elif state in ("dblstart", "dblend"):
            inside = "dbl" if state == "dblstart" else "esc"
            outside = "esc" if state == "dblstart" else "dbl"
            if ch in WS + "/>":
                state = inside if temp == "script" else outside
            elif _alpha(ch):
                temp += ch.lower()
            else:
                state = outside
                continue
        elif state in ("dbl", "dbldash", "dbldashdash"):
            if ch == "-":
                state = "dbldash" if state == "dbl" else "dbldashdash"
            elif ch == "<":
                state = "dbllt"
            elif ch == ">" and state == "dbldashdash":
                state = "data"
            else:
                state = "dbl"
        elif state == "dbllt":
            if ch == "/":
                state, temp = "dblend", ""
            else:
                state = "dbl"
                continue
        i += 1
    return n


_COMMENT_END = re.compile("--!?>")


def start_tags(html: str) -> list[Tag]:
    """Every start tag a browser's tokenizer emits, with a script's text."""
    found: list[Tag] = []
    i, n = 0, len(html)
    while True:
        j = html.find("<", i)
        if j < 0 or j + 1 >= n:
            return found
        i = j + 1
        ch = html[i]
        if ch == "!":
            if html.startswith("--", i + 1):
                k = i + 3
                if html.startswith(">", k) or html.startswith("->", k):
                    i = html.find(">", k) + 1
                    continue
                end = _COMMENT_END.search(html, k)
                i = end.end() if end else n
                continue
            k = html.find(">", i)
            i = k + 1 if k >= 0 else n
        elif ch == "?":
            k = html.find(">", i)
            i = k + 1 if k >= 0 else n
        elif ch == "/":
            if i + 1 >= n:
                return found
            if _alpha(html[i + 1]):
                parsed = _tag(html, i + 1)
                if parsed is None:
                    return found
                i = parsed[0]
            elif html[i + 1] == ">":
                i += 2
            else:
                k = html.find(">", i)
                i = k + 1 if k >= 0 else n
        elif _alpha(ch):
            parsed = _tag(html, i)
            if parsed is None:
                return found
            i, name, attrs = parsed
            kind = RAW.get(name)
            text = ""
            if kind == "plaintext":
                found.append((name, attrs, ""))
                return found
            if kind == "script":
                end = _script_end(html, i)
                text = html[i:end]
                i = end
            elif kind == "raw":
                end_tag = re.compile("</" + name + "[\t\n\f\r />]", re.IGNORECASE)
                found_end = end_tag.search(html, i)
                i = found_end.start() if found_end else n
            found.append((name, attrs, text))
