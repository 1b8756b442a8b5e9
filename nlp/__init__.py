"""Vietnamese NLP stage: normalise, segment, places, projects, labels with reasons, near-duplicates.

`nlp.enrich` turns raw spool items into Documents; everything else here is a step it runs,
each usable and testable on its own.
"""
