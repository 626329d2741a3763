"""Text that comes from data or configuration, made safe to place in a page.

Labels, titles and quotes are read from the catalogue, the claims registry and CITATION.cff.
None of them is markup: each is escaped before it reaches Markdown or HTML, so a label such as
``<script>`` shows as those characters and never runs.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

# Markdown punctuation that could start emphasis, a link, code, a heading, a list, or (Pandoc) a
# citation or cross-reference (@key)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}#|!~^@])")


def markdown_text(text: object) -> str:
    """`text` as literal Markdown: HTML characters as entities, Markdown punctuation escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def bibtex_text(text: object) -> str:
    """`text` inside a BibTeX field: braces and backslashes cannot close the field or start a command."""
    return re.sub(r"[{}\\]", "", str(text))


def markdown_link(url: str) -> str:
    """A link whose text is the address: the text escaped, the target percent-encoded.

    Only http(s) addresses become links; anything else (``javascript:``...) stays plain text.
    """
    if not re.match(r"https?://", str(url)):
        return markdown_text(url)
    return f"[{markdown_text(url)}]({quote(str(url), safe=':/?=&%#~.,-_+')})"


def plain_text(markdown: str) -> str:
    """The inverse of `markdown_text`: the characters a reader sees (for a page's <title>)."""
    return html.unescape(re.sub(r"\\(.)", r"\1", markdown))
