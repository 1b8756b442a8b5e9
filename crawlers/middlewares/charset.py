"""Give every HTML response the right encoding before a spider reads its text."""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING

from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from crawlers.charset import choose_encoding

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response


class CharsetMiddleware:
    """Replace Scrapy's guess (header, <meta>, else cp1252) with crawlers.charset's checked choice,
    so a page that lies about its charset or is in windows-1258 decodes correctly."""

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or isinstance(response, XmlResponse):
            return response  # feeds are parsed from bytes by lxml, which reads their declaration
        if not isinstance(response, HtmlResponse) and b"html" not in (response.headers.get(b"Content-Type") or b"").lower():
            return response
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        chosen = choose_encoding(response.body, content_type)
        if _same_codec(chosen, response.encoding):
            return response
        return response.replace(encoding=chosen)


def _same_codec(first: str, second: str) -> bool:
    try:
        return codecs.lookup(first).name == codecs.lookup(second).name
    except LookupError:
        return False
