# SPDX-License-Identifier: GPL-2.0-or-later
"""Every document that a docstring or a comment under guimirror/ and tests/ cites exists in the
repository (under docs/ or at the top level), and every numbered section cited in the QEMU
reference pages ("qemu-mirror.md 3.8", "qemu-measured.md section 6") is a heading there."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
OUTSIDE = {"proto.md"}
"""Documents of other projects: doc/proto.md is the NBD project's protocol specification."""

DOCUMENT = re.compile(r"[\w./-]*\.md\b")
SECTION = re.compile(r"\b(qemu-mirror\.md|qemu-measured\.md),? (?:section |§)?(\d+(?:\.\d+)?)")


def docstrings_and_comments(path: Path) -> list[str]:
    source = path.read_text()
    texts = [
        token.string for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node)
            if docstring:
                texts.append(docstring)
    return texts


def citing_texts() -> list[tuple[Path, str]]:
    return [
        (path, text)
        for folder in ("guimirror", "tests")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for text in docstrings_and_comments(path)
    ]


def test_every_cited_document_exists() -> None:
    cited = {
        (path.relative_to(ROOT), name)
        for path, text in citing_texts()
        for name in DOCUMENT.findall(text)
    }
    assert any(name.endswith("qemu-mirror.md") for _, name in cited), "no citation found"
    missing = sorted(
        f"{path}: {name}" for path, name in cited
        if Path(name).name not in OUTSIDE
        and not (DOCS / Path(name).name).is_file()
        and not (ROOT / Path(name).name).is_file()
    )
    assert missing == []


def test_every_cited_section_is_a_heading() -> None:
    cited = {
        (path.relative_to(ROOT), document, number)
        for path, text in citing_texts()
        for document, number in SECTION.findall(" ".join(text.split()))
    }
    assert cited, "no section citation found"
    headings = {
        document: set(re.findall(r"^#+ (\d+(?:\.\d+)?)\.? ", (DOCS / document).read_text(),
                                 re.MULTILINE))
        for document in ("qemu-mirror.md", "qemu-measured.md")
    }
    wrong = sorted(f"{path}: {document} {number}" for path, document, number in cited
                   if number not in headings[document])
    assert wrong == []
