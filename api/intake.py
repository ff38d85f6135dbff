"""Report intake routes on ``/api/v1`` (submissions, tokens, templates, read endpoints)."""
