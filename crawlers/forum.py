"""Read XenForo- and vBulletin-style forum pages: posts of a thread page, or thread links of a board.

Authors leave this module only as keyed pseudonyms: the caller passes the pseudonymising
function, and it is applied to the author and to @mentions before any text is returned.
Quotes of other posts (and their "X said:" attributions) are removed from each post.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import html as lxml_html

from crawlers.urls import absolute_http_url
from index.text import clean_whitespace, nfc

Pseudonymise = Callable[[str | None], str | None]

BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "pre"})
DROP_XPATH = ".//script | .//style | .//noscript | .//iframe | .//form | .//button"


@dataclass(frozen=True)
class ForumMarkup:
    """XPath expressions for one forum engine's page layout."""

    engine: str
    post: str  # each post element
    post_id: str  # attributes holding the post id (digits are taken from them)
    author: str
    body: str
    quotes: str  # quote blocks inside a body, with their attributions
    mentions: str  # @mention links inside a body
    time: str
    permalink: str
    title: str
    next_page: str
    thread_links: str


XENFORO = ForumMarkup(
    engine="xenforo",
    post="//article[contains(concat(' ', normalize-space(@class), ' '), ' message ') and (@data-content or @data-author)]",
    post_id="@data-content | @id",
    author="@data-author | .//*[contains(@class, 'message-name')]//text()",
    body=".//div[contains(@class, 'bbWrapper')]",
    quotes=".//blockquote | .//*[contains(@class, 'bbCodeBlock--quote')]",
    mentions=".//a[contains(@class, 'username') or @data-user-id]",
    time=".//time/@datetime | .//time/@data-time",
    permalink=".//*[contains(@class, 'message-attribution')]//a[contains(@href, 'post')]/@href",
    title="//h1[contains(@class, 'p-title-value')]//text()",
    next_page="//a[contains(@class, 'pageNav-jump--next')]/@href | //link[@rel='next']/@href",
    thread_links="//*[contains(@class, 'structItem-title')]/a[last()]/@href",
)
VBULLETIN = ForumMarkup(
    engine="vbulletin",
    post="//li[starts-with(@id, 'post_')] | //div[starts-with(@id, 'post_') and contains(@class, 'post')]",
    post_id="@id",
    author=".//*[contains(@class, 'username')]//text()",
    body=".//*[starts-with(@id, 'post_message_')] | .//blockquote[contains(@class, 'postcontent')]",
    quotes=".//*[contains(@class, 'bbcode_container')] | .//*[contains(@class, 'bbcode_quote')] | .//blockquote[not(contains(@class, 'postcontent'))]",
    mentions=".//a[contains(@href, 'member.php')]",
    time=".//*[contains(@class, 'date')]//text()",
    permalink=".//a[contains(@class, 'postcounter')]/@href | .//a[contains(@href, 'showpost.php') or contains(@href, '#post')]/@href",
    title="//*[contains(@class, 'threadtitle')]//text() | //h1//text()",
    next_page="//a[@rel='next']/@href | //link[@rel='next']/@href",
    thread_links="//a[starts-with(@id, 'thread_title_')]/@href",
)
ENGINES = (XENFORO, VBULLETIN)


@dataclass
class ForumPost:
    """One post, its author already a pseudonym and quotes of others removed."""
    post_id: str
    author_pseudonym: str | None
    published: str | None
    text: str
    permalink: str | None


@dataclass
class ForumPage:
    """What a forum page holds: posts of a thread, or links to threads."""
    engine: str | None
    title: str | None
    posts: list[ForumPost]
    next_url: str | None
    thread_urls: list[str]


def read_forum_page(tree: lxml_html.HtmlElement, page_url: str, pseudonymise: Pseudonymise) -> ForumPage:
    """Posts (thread page) or thread links (board page) of a parsed forum page."""
    for markup in ENGINES:
        posts = tree.xpath(markup.post)
        links = [] if posts else tree.xpath(markup.thread_links)
        if posts or links:
            return ForumPage(
                engine=markup.engine,
                title=_first_text(tree.xpath(markup.title)),
                posts=[post for element in posts if (post := _read_post(element, markup, page_url, pseudonymise))],
                next_url=_absolute(page_url, tree.xpath(markup.next_page)),
                thread_urls=[url for link in links if (url := absolute_http_url(page_url, str(link)))],
            )
    title = _first_text(tree.xpath("//title//text()"))
    return ForumPage(engine=None, title=title, posts=[], next_url=None, thread_urls=[])


def _read_post(element: lxml_html.HtmlElement, markup: ForumMarkup, page_url: str, pseudonymise: Pseudonymise) -> ForumPost | None:
    post_id = next((match.group() for value in element.xpath(markup.post_id) if (match := re.search(r"\d+", value))), None)
    bodies = element.xpath(markup.body)
    if post_id is None or not bodies:
        return None
    author = pseudonymise(_first_text(element.xpath(markup.author)))
    body = bodies[0]
    for quote in body.xpath(markup.quotes):
        _drop(quote)
    for mention in body.xpath(markup.mentions):
        _replace_with_text(mention, pseudonymise((mention.text_content() or "").strip()) or "")
    permalink = _absolute(page_url, element.xpath(markup.permalink))
    return ForumPost(
        post_id=post_id,
        author_pseudonym=author,
        published=_first_text(element.xpath(markup.time)),
        text=element_text(body),
        permalink=permalink,
    )


def element_text(element: lxml_html.HtmlElement) -> str:
    """Visible text of an element with paragraph breaks kept (scripts and forms dropped), NFC."""
    for junk in element.xpath(DROP_XPATH):
        _drop(junk)
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag == "br" or node.tag in BLOCK_TAGS:
            node.tail = "\n" + (node.tail or "")
    return clean_whitespace(nfc(element.text_content()))


def _drop(element: lxml_html.HtmlElement) -> None:
    """Remove an element but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _replace_with_text(element: lxml_html.HtmlElement, text: str) -> None:
    element.tail = text + (element.tail or "")
    _drop(element)


def _first_text(values: list) -> str | None:
    for value in values:
        text = " ".join(str(value).split())
        if text:
            return nfc(text)
    return None


def _absolute(page_url: str, values: list) -> str | None:
    value = _first_text(values)
    return absolute_http_url(page_url, value) if value else None
