"""Link selection for listing and forum pages: configured CSS/XPath selectors, sane defaults."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.http import TextResponse

from crawlers.sources import is_xpath
from crawlers.urls import absolute_http_url

DEFAULT_ARTICLE_LINKS = ["//article//h2//a/@href", "//article//h3//a/@href", "//h2/a/@href", "//h3/a/@href"]
DEFAULT_NEXT_PAGE = [
    "//link[@rel='next']/@href",
    "//a[@rel='next']/@href",
    "//*[contains(@class, 'pagination') or contains(@class, 'pager') or contains(@class, 'paging')]"
    "//a[contains(@class, 'next') or contains(., '›') or contains(., '»') or contains(., 'Sau')]/@href",
]


def select_links(response: TextResponse, selectors: list[str]) -> list[str]:
    """Absolute http(s) hrefs matched by the selectors (an element's own href or its <a> descendants')."""
    found: list[str] = []
    for selector in selectors:
        matches = response.xpath(selector) if is_xpath(selector) else response.css(selector)
        for match in matches:
            values = [match.get()] if match.root.__class__ is str else match.xpath("descendant-or-self::a/@href").getall()
            found.extend(url for value in values if value and (url := absolute_http_url(response.url, value)))
    return list(dict.fromkeys(found))


def within(url: str, domains: list[str]) -> bool:
    """True when the URL's host is one of the domains or below one."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == domain or host.endswith("." + domain) for domain in domains)
