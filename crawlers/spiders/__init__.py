"""One spider per source kind: rss, sitemap, listing, forum."""

from crawlers.spiders.forum import ForumSpider
from crawlers.spiders.listing import ListingSpider
from crawlers.spiders.rss import RssSpider
from crawlers.spiders.sitemap import SitemapSpider

SPIDERS = {spider.name: spider for spider in (RssSpider, SitemapSpider, ListingSpider, ForumSpider)}

__all__ = ["SPIDERS", "ForumSpider", "ListingSpider", "RssSpider", "SitemapSpider"]
