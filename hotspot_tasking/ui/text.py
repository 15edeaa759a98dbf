"""Text that came from a file, shown as text: every Streamlit element that reads Markdown
(headings, captions, messages, labels) gets it through :func:`plain`, so a street, area,
category or file name can never become a link, an image, a heading or coloured text."""

from __future__ import annotations

import re
from collections.abc import Iterable

import streamlit as st

#: ASCII punctuation that Markdown, Streamlit's own directives (``:red[...]``,
#: ``:material/...:``), LaTeX (``$``) or HTML (``<``) could read as markup; CommonMark lets
#: every one be escaped with a backslash.
_MARKUP = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
#: Where GitHub-flavoured Markdown's autolinks start ("http://", "www.", an e-mail's "@"): it
#: links them in the text after the escapes are read, so a word joiner (U+2060, invisible)
#: goes in between.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www)(?=[:.])|(@)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    r"""``text`` escaped for Markdown so it reads exactly as written, on one line, with a
    word joiner (:data:`WORD_JOINER`) where an address would otherwise become a link.

    >>> print(plain("[Portal](http://evil.example) **now**").replace(WORD_JOINER, "|"))
    \[Portal\]\(http|\:\/\/evil\.example\) \*\*now\*\*
    >>> print(plain("St Helen's\n# not a heading"))
    St Helen\'s \# not a heading
    """
    one_line = _LINE_BREAKS.sub(" ", str(text))
    return _MARKUP.sub(r"\\\1", _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, one_line))


def bullets(lines: Iterable[object]) -> str:
    r"""Markdown bullet list of ``lines``, each escaped with :func:`plain`.

    >>> print(bullets(["Street *A*", "[B](x.png)"]))
    - Street \*A\*
    - \[B\]\(x\.png\)
    """
    return "\n".join(f"- {plain(line)}" for line in lines)


def error(err: object) -> None:
    """Show an error message (``str(err)`` names files, columns and values from the user's
    file) as plain text in ``st.error``."""
    st.error(plain(err))
