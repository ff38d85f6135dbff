"""Directions ("chỉ đạo, điều hành"): the writes (``service``), attachments and refusals. Below
``ingest`` (the demo seed creates directions through the same service), like ``metadata``."""
