"""Every draft error the package finds is marked in the chapter, and the chapters cite only
corrections the package knows (so the appendix, generated from the package, lists them all).

An admonition cites a correction through its label: ``:name: corr-<correction id>``.
A chapter is checked once its sections are in ``_toc.yml``; before that it is skipped (with the
reason), so that the check switches on with the first section of a chapter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import npucourse as npc

REPO = Path(__file__).resolve().parents[2]
LABEL = re.compile(r"^:name:\s*corr-(ch(?:2|21)-[a-z0-9-]+)\s*$", re.M)


def _toc_files() -> list[Path]:
    text = (REPO / "_toc.yml").read_text(encoding="utf-8")
    files = re.findall(r"^\s*-?\s*file:\s*(\S+)\s*$", text, re.M)
    return [REPO / f"{f}.md" for f in files if not f.strip().startswith("#")]


def _cited(chapter: int) -> dict[str, list[str]]:
    """correction id -> files citing it, over the chapter's pages listed in the toc."""
    out: dict[str, list[str]] = {}
    for path in _toc_files():
        if f"/ch{chapter:02d}/" not in path.as_posix() or not path.exists():
            continue
        for cid in LABEL.findall(path.read_text(encoding="utf-8")):
            out.setdefault(cid, []).append(path.name)
    return out


def _has_sections(chapter: int) -> bool:
    return any(f"/ch{chapter:02d}/s" in p.as_posix() for p in _toc_files())


CORRECTIONS = npc.corrections.all_corrections()


@pytest.mark.parametrize("chapter", [2, 21])
def test_chapter_cites_only_known_corrections(chapter):
    known = {c.id for c in CORRECTIONS}
    unknown = sorted(set(_cited(chapter)) - known)
    assert not unknown, f"chapter {chapter} cites correction ids the package does not have: {unknown}"


@pytest.mark.parametrize("chapter", [2, 21])
def test_each_correction_is_cited_once(chapter):
    twice = {cid: files for cid, files in _cited(chapter).items() if len(files) > 1}
    assert not twice, f"admonition labels must be unique: {twice}"


@pytest.mark.parametrize("chapter", [2, 21])
def test_every_draft_error_has_an_admonition(chapter):
    if not _has_sections(chapter):
        pytest.skip(f"chapter {chapter} has no sections in _toc.yml yet")
    errors = {c.id for c in CORRECTIONS if c.chapter == chapter and c.verdict != "correct"}
    missing = sorted(errors - set(_cited(chapter)))
    assert not missing, (
        f"chapter {chapter}: {len(missing)} draft errors found by the package have no admonition "
        f"(:name: corr-<id>): {missing}"
    )
