"""Forum pages: one post each, quotes of others removed, handles replaced by keyed pseudonyms."""

from __future__ import annotations

from crawlers.extraction import parse_html
from crawlers.forum import read_forum_page
from index.privacy import pseudonymise_author
from tests.crawl.forumsite import authors, expected_texts, forum_routes, thread

KEY = bytes(32)
BASE = "http://forum.example"


def _pseudonymise(handle):  # type: ignore[no-untyped-def]
    return pseudonymise_author(handle, KEY, "forum:forum.example")


def _page(path: str):  # type: ignore[no-untyped-def]
    html = forum_routes(BASE)[path].body.decode()
    return read_forum_page(parse_html(html), BASE + path, _pseudonymise)


def test_thread_page_gives_one_post_each_with_title_time_and_next_page():
    page = _page(thread()["path"])
    assert page.engine == "xenforo"
    assert page.title == thread()["title"]
    assert [post.post_id for post in page.posts] == ["88101", "88102", "88103", "88104"]
    assert page.posts[0].published == "2026-11-02T19:45:00+0700"
    assert page.posts[1].permalink == BASE + thread()["path"] + "post-88102"
    assert page.next_url == BASE + thread()["path"] + "page-2"


def test_quoted_text_of_other_posts_is_removed():
    page = _page(thread()["path"])
    reply = page.posts[2]
    assert reply.text == expected_texts()[88103]
    assert "đường dây nóng" not in reply.text
    assert "đã viết" not in reply.text


def test_authors_and_mentions_become_pseudonyms_and_no_handle_survives():
    pages = [_page(thread()["path"]), _page(thread()["path"] + "page-2")]
    posts = [post for page in pages for post in page.posts]
    assert posts[0].author_pseudonym == _pseudonymise("Lò Văn Khoa")
    assert posts[0].author_pseudonym == posts[4].author_pseudonym  # one author, one pseudonym
    assert _pseudonymise("trandung1975") in posts[4].text  # the @mention
    flattened = repr(pages)
    for handle in authors():
        assert handle not in flattened


def test_signatures_and_reaction_lists_stay_out_of_the_post():
    post = _page(thread()["path"]).posts[3]
    assert post.text == expected_texts()[88104]


def test_vbulletin_thread_markup_is_read_too():
    html = """<html><body><span class="threadtitle">Khói lò gạch ở Phú Xá</span><ol id="posts">
    <li class="postbitlegacy postcontainer" id="post_501"><div class="username_container"><a class="username" href="member.php?u=9">langtu_ls</a></div>
      <span class="date">02-11-2026,&nbsp;<span class="time">08:15</span></span>
      <div class="content"><div id="post_message_501"><blockquote class="postcontent restore">
        <div class="bbcode_container"><div class="bbcode_quote">Originally Posted by <strong>ai_do</strong> Câu được trích</div></div>
        Khói đen bốc lên từ sáng sớm, cả xóm phải đóng cửa.</blockquote></div></div></li>
    </ol><a rel="next" href="showthread.php?t=77&amp;page=2">Sau</a></body></html>"""
    page = read_forum_page(parse_html(html), "http://vb.example/showthread.php?t=77", _pseudonymise)
    assert page.engine == "vbulletin"
    assert page.title == "Khói lò gạch ở Phú Xá"
    assert page.posts[0].text == "Khói đen bốc lên từ sáng sớm, cả xóm phải đóng cửa."
    assert page.posts[0].author_pseudonym == _pseudonymise("langtu_ls")
    assert page.posts[0].published.startswith("02-11-2026")
    assert page.next_url == "http://vb.example/showthread.php?t=77&page=2"
