"""The access matrix: every route × actor, generated from the URL map."""
