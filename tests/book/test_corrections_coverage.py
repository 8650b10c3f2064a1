"""Every draft error the package finds is marked in the chapter, and the chapters cite only
corrections the package knows (so the appendix, generated from the package, lists them all).

An admonition cites a correction through its label: ``:name: corr-<correction id>``.
Each group of corrections is required once the pages that teach its topic are in ``_toc.yml``
(:data:`TOPICS`); before that it is skipped with the reason, so the check switches on as the
chapter is written and cannot be forgotten.
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


#: correction-id prefix -> page-name prefixes that must all be in the toc before it is required
TOPICS = {
    "ch2-": ("s2_1_", "s2_2_", "s2_3_"),
    "ch21-deploy-": ("s21_1_", "s21_2_"),
    "ch21-power-": ("s21_3_",),
    "ch21-edge-": ("s21_4_",),
}


def _topic_written(prefixes: tuple[str, ...]) -> bool:
    names = [p.name for p in _toc_files()]
    return all(any(n.startswith(pre) for n in names) for pre in prefixes)


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


@pytest.mark.parametrize("prefix", sorted(TOPICS))
def test_every_draft_error_has_an_admonition(prefix):
    if not _topic_written(TOPICS[prefix]):
        pytest.skip(f"pages {TOPICS[prefix]} for corrections {prefix}* are not in _toc.yml yet")
    chapter = 2 if prefix.startswith("ch2-") else 21
    errors = {c.id for c in CORRECTIONS if c.id.startswith(prefix) and c.verdict != "correct"}
    assert errors, f"no corrections with prefix {prefix}"
    missing = sorted(errors - set(_cited(chapter)))
    assert not missing, (
        f"{len(missing)} draft errors ({prefix}*) found by the package have no admonition "
        f"(:name: corr-<id>): {missing}"
    )


def test_every_correction_belongs_to_a_topic():
    orphans = [c.id for c in CORRECTIONS if not any(c.id.startswith(p) for p in TOPICS)]
    assert not orphans, orphans
