"""Ground floor of envmon: records, settings, raw spool, query model and search backends.

Nothing here imports another envmon stage; crawlers/, nlp/, analyst/ and flows/ stand on it.
"""
