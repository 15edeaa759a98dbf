"""What a Markdown element shows: its body with CommonMark's backslash escapes undone (the
app escapes text from data with :func:`hotspot_tasking.ui.text.plain`)."""

import re

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(body: str) -> str:
    r"""``body`` as the reader sees it.

    >>> shown(r"St Helen\'s \[Portal\]\(http\:\/\/x\)")
    "St Helen's [Portal](http://x)"
    """
    return _ESCAPED.sub(r"\1", body).replace("\u2060", "")  # and the word joiners that stop autolinks
