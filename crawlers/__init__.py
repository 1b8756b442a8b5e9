"""Collection stage: Scrapy spiders for news and forums, and importers for social exports.

Everything collected is appended to the raw spool as index.records.RawItem.
"""
