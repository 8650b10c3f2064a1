r"""Find hand-typed numbers in the prose of a MyST Markdown page.

The book's rule (DESIGN.md, book/AUTHORING.md): a number a model produces is computed in a cell
and glued into the text; a number quoted from a source is marked with the ``{src}`` role. This
module finds the numbers that are neither.

The rule, precisely
-------------------
1. **Prose only.** These parts of a page are not prose and are dropped before looking for
   numbers:

   - the YAML front matter;
   - fenced blocks of code or of a non-prose directive (```` ```{code-cell} ````, plain
     ```` ``` ````/``~~~`` fences, ``{math}``, ``{glue:*}``, ``{code-block}``, ``{raw}``,
     ``{toctree}``, ...). Prose directives (admonitions, ``{note}``, ``{figure}`` captions,
     ``{list-table}``, ``{dropdown}``, ...) stay prose; their ``:option:`` lines and the argument of
     non-admonition directives (a figure's path) are dropped;
   - display math (``$$ ... $$``, ``\begin{env} ... \end{env}``), inline math (``$...$``,
     ``\(...\)``) and the ``{math}`` role;
   - inline code (`` `...` ``), substitutions ``{{ ... }}``, HTML tags and comments, MyST
     comments (``% ...``), targets (``(label)=``), footnote labels, link reference definitions;
   - the glue roles (``{glue}``, ``{glue:text}``, ``{glue:md}``, ...), ``{eval}`` and ``{src}``
     with their content; cross-reference roles (``{ref}``, ``{numref}``, ``{doc}``, ``{eq}``,
     ``{download}``, ``{term}``) keep only an explicit title (``{ref}`title <label>```), other
     roles keep their content;
   - link targets (``[text](target)`` keeps ``text``), autolinks ``<https://...>`` and bare URLs;
   - heading markers with a leading section number (``## 2.3.1 标题`` keeps ``标题``) and list
     markers (``- ``, ``* ``, ``1. ``, ``10) ``) at the start of a line, block-quote ``>``.

2. **References are not figures.** In what remains, these references are dropped: ``第 N 章`` /
   ``第 N 节`` (also 部分, 篇), ``N.M 节`` and ``N.M.K 小节``, ``§N.M``, ``练习 N.M`` / ``习题 N.M``,
   ``图 N.M``, ``表 N.M``, ``式 (N.M)``, ``公式 N.M``, ``例 N.M``, and ranges of those (``练习
   21.1–21.8``), and English ``Chapter N``, ``Section N.M``, ``Exercise N.M``, ``Figure N.M``,
   ``Table N.M``, ``Eq. N``.

3. **Names are not figures.** A digit run that directly follows a Latin letter (``fp16``,
   ``YOLOv8``, ``A100``), or follows ``-``, ``_`` or ``/`` that itself follows a letter or a digit
   (``ResNet-50``, ``Llama-2-70B``, ``ViT-L/14``), is part of a name.

4. **What is flagged.** Every other number — a digit run, optionally with ``,``-grouped
   thousands (``883,600``) and a decimal part (``139.6``) — is flagged when it has a decimal point
   or at least two significant digits, where significant digits are the digits of the integer
   part after leading zeros are removed (so ``30``, ``100`` and ``2024`` count as two or more;
   ``0``–``9``, ``05`` do not). Single digits stay allowed because Chinese prose counts with them
   ("3 个阶段", "2:4 稀疏", "第 2 章").

Numbers written in Chinese numerals (三十) are not detected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Finding", "find_unglued_numbers", "prose_lines", "strip_inline", "flag_numbers"]


@dataclass(frozen=True)
class Finding:
    """A number in prose that is neither glued nor marked as a quoted source figure."""

    line: int          # 1-based line number in the page
    number: str        # the number as written
    context: str       # the prose line it was found in (after stripping)

    def __str__(self) -> str:
        return f"line {self.line}: {self.number!r} in “{self.context.strip()[:120]}”"


# --------------------------------------------------------------------------------------------
# Block level
# --------------------------------------------------------------------------------------------

#: Directives whose body is prose (MyST/Sphinx/sphinx-design/sphinx-togglebutton names).
PROSE_DIRECTIVES = frozenset({
    "admonition", "note", "warning", "tip", "hint", "important", "caution", "attention", "danger",
    "error", "seealso", "todo", "dropdown", "toggle", "margin", "sidebar", "topic", "epigraph",
    "pull-quote", "highlights", "rubric", "figure", "table", "list-table", "card", "grid",
    "grid-item", "grid-item-card", "tab-set", "tab-item", "div", "container", "versionadded",
    "versionchanged", "deprecated", "glossary", "prf:definition", "prf:theorem", "prf:example",
})
#: Prose directives whose argument (on the fence line) is a title, i.e. prose.
TITLED_DIRECTIVES = frozenset({
    "admonition", "dropdown", "sidebar", "topic", "card", "grid-item-card", "tab-item", "table",
    "list-table", "rubric", "prf:definition", "prf:theorem", "prf:example",
})

_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:.+-]+)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^\s*:[\w-]+:")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?:\d+(?:\.\d+)*\.?\s+)?")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_TARGET = re.compile(r"^\s*\([^()\s]+\)=\s*$")
_LINKDEF = re.compile(r"^\s*\[[^\]]+\]:\s+\S+")
_FOOTDEF = re.compile(r"^\s*\[\^[^\]]+\]:\s*")
_BEGIN_ENV = re.compile(r"^\s*\\begin\{(?P<env>[^}]+)\}")


def prose_lines(page: str) -> list[tuple[int, str]]:
    """The prose of a MyST page, line by line, with non-prose blocks removed (rule 1, block level).

    Parameters
    ----------
    page : str
        The whole ``.md`` source.

    Returns
    -------
    list of (int, str)
        1-based line number and the line's prose (block markers removed, inline not yet).
    """
    lines = page.splitlines()
    out: list[tuple[int, str]] = []
    i = 0
    n = len(lines)
    if n and lines[0].strip() == "---":  # front matter
        i = next((k for k in range(1, n) if lines[k].strip() == "---"), n - 1) + 1
    # Stack of open prose directives: (fence char, fence length).
    prose_stack: list[tuple[str, int]] = []
    in_options = False
    in_html_comment = False
    while i < n:
        line = lines[i]
        lineno = i + 1
        i += 1
        if in_html_comment:
            if "-->" in line:
                in_html_comment = False
                line = line.split("-->", 1)[1]
            else:
                continue
        if "<!--" in line and "-->" not in line.split("<!--", 1)[1]:
            in_html_comment = True
            line = line.split("<!--", 1)[0]
        m = _OPEN.match(line)
        if m:
            fch, flen = m.group("fence")[0], len(m.group("fence"))
            info = m.group("info").strip()
            # Closing fence of the innermost open prose directive?
            if prose_stack and not info and prose_stack[-1][0] == fch and flen >= prose_stack[-1][1]:
                prose_stack.pop()
                in_options = False
                continue
            d = _DIRECTIVE.match(info)
            if d and d.group("name") in PROSE_DIRECTIVES:
                prose_stack.append((fch, flen))
                if d.group("name") in TITLED_DIRECTIVES and d.group("arg"):
                    out.append((lineno, d.group("arg")))
                in_options = True
                # YAML option block directly after the fence.
                if i < n and lines[i].strip() == "---":
                    i = next((k for k in range(i + 1, n) if lines[k].strip() == "---"), n - 1) + 1
                continue
            if fch == ":" and not d:
                out.append((lineno, line))  # a line of colons is not a fence without {name}
                continue
            # Code or non-prose directive: skip to its closing fence.
            while i < n:
                c = _OPEN.match(lines[i])
                i += 1
                if c and c.group("fence")[0] == fch and len(c.group("fence")) >= flen and not c.group("info").strip():
                    break
            continue
        if in_options:
            if _OPTION.match(line):
                continue
            in_options = False
        stripped = line.strip()
        if stripped.startswith("$$"):  # display math, possibly multi-line
            rest = stripped[2:]
            if "$$" not in rest:
                while i < n and "$$" not in lines[i]:
                    i += 1
                i += 1
            continue
        e = _BEGIN_ENV.match(line)
        if e:
            end = "\\end{" + e.group("env") + "}"
            if end not in line:
                while i < n and end not in lines[i]:
                    i += 1
                i += 1
            continue
        if stripped.startswith("%") or _TARGET.match(line) or _LINKDEF.match(line):
            continue
        line = _FOOTDEF.sub("", line)
        line = _QUOTE.sub("", line)
        if _HEADING.match(line):
            line = _HEADING.sub("", line, count=1)
        else:
            line = _LIST.sub("", line, count=1)
        out.append((lineno, line))
    return out


# --------------------------------------------------------------------------------------------
# Inline level
# --------------------------------------------------------------------------------------------

_ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<ticks>`+)(?P<body>.+?)(?P=ticks)(?!`)")
_DROP_ROLES = ("glue", "eval", "src", "math", "sub-ref")
_REF_ROLES = frozenset({"ref", "numref", "doc", "eq", "download", "term", "any", "external", "cite", "cite:p",
                        "cite:t", "prf:ref", "abbr"})
_CODE = re.compile(r"(?P<ticks>`+)(?P<body>.+?)(?P=ticks)(?!`)")
_DMATH = re.compile(r"\$\$.+?\$\$")
_IMATH = re.compile(r"(?<![\\$])\$(?=\S)(?:\\\$|[^$])+?(?<=\S)(?<!\\)\$(?!\$)")
_PMATH = re.compile(r"\\\(.+?\\\)")
_SUBST = re.compile(r"\{\{.*?\}\}")
_IMAGE = re.compile(r"!\[(?P<text>[^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\([^)]*\)")
_REFLINK = re.compile(r"\[(?P<text>[^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^>\s]*>")
_URL = re.compile(r"\b(?:https?|ftp)://\S+")
_HTML = re.compile(r"<!--.*?-->|</?[A-Za-z][^>]*>")
_FOOTREF = re.compile(r"\[\^[^\]]+\]")
_TITLE_TARGET = re.compile(r"^(?P<title>.*?)\s*<[^<>]+>\s*$", re.DOTALL)

#: A placeholder for removed content: neither a digit, a letter nor a CJK character.
GAP = " ◇ "


def _role_sub(m: re.Match[str]) -> str:
    name, body = m.group("name"), m.group("body")
    if name.split(":")[0] in _DROP_ROLES:
        return GAP
    if name in _REF_ROLES:
        t = _TITLE_TARGET.match(body)
        return f" {t.group('title')} " if t and t.group("title") else GAP
    return body


def strip_inline(text: str) -> str:
    """Remove the inline non-prose parts of one line (rule 1, inline level)."""
    text = _ROLE.sub(_role_sub, text)
    text = _CODE.sub(GAP, text)
    text = _DMATH.sub(GAP, text)
    text = _PMATH.sub(GAP, text)
    text = _IMATH.sub(GAP, text)
    text = _SUBST.sub(GAP, text)
    text = _IMAGE.sub(lambda m: f" {m.group('text')} ", text)
    text = _LINK.sub(lambda m: f" {m.group('text')} ", text)
    text = _REFLINK.sub(lambda m: f" {m.group('text')} ", text)
    text = _AUTOLINK.sub(GAP, text)
    text = _URL.sub(GAP, text)
    text = _HTML.sub(GAP, text)
    text = _FOOTREF.sub(GAP, text)
    return text


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

_SEC = r"\d+(?:\.\d+)*"
_RANGE = rf"(?:\s*(?:[-–—~～、,，]|至|到|和|与|及)\s*{_SEC})*"
_REFERENCES = re.compile(
    "|".join([
        rf"第\s*{_SEC}{_RANGE}\s*(?:章|节|小节|部分|篇)",
        rf"{_SEC}{_RANGE}\s*(?:章|节|小节)",
        rf"§\s*{_SEC}{_RANGE}",
        rf"(?:练习|习题|作业|例题|例|图|表|公式|式|定理|定义|算法)\s*[(（]?\s*{_SEC}\s*[)）]?{_RANGE}",
        rf"\b(?:Chapter|Chapters|Section|Sections|Exercise|Exercises|Figure|Fig\.|Table|Eq\.|Equation)\s*\(?{_SEC}\)?{_RANGE}",
    ])
)
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])"                  # not inside a name or another number
    r"(?<![A-Za-z0-9][-_/])"              # not ResNet-50, ViT-L/14, Llama-2-70B
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)"
    r"(?P<frac>\.\d+)?"
)


def _is_flagged(m: re.Match[str]) -> bool:
    digits = m.group("int").replace(",", "").lstrip("0")
    return bool(m.group("frac")) or len(digits) >= 2


def flag_numbers(prose: str) -> list[str]:
    """Numbers in already-stripped prose that rule 4 flags (references of rule 2 removed first)."""
    prose = _REFERENCES.sub(GAP, prose)
    return [m.group(0) for m in _NUMBER.finditer(prose) if _is_flagged(m)]


def find_unglued_numbers(page: str) -> list[Finding]:
    """Every number in the prose of ``page`` that is neither glued nor marked ``{src}``.

    Parameters
    ----------
    page : str
        A MyST Markdown page (front matter allowed).

    Returns
    -------
    list of Finding
        In page order; empty when the page follows the rule.
    """
    found: list[Finding] = []
    for lineno, line in prose_lines(page):
        prose = strip_inline(line)
        for num in flag_numbers(prose):
            found.append(Finding(lineno, num, prose))
    return found
