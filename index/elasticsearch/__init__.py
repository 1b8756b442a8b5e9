"""Elasticsearch backend: index template, monthly indices, bulk writes, the shared query model.

Chosen when ENVMON_INDEX_URL is http(s)://…; docs/elasticsearch.md explains the set-up.
"""

from index.elasticsearch.backend import ElasticsearchBackend

__all__ = ["ElasticsearchBackend"]
