"""One module per screen (a tab today): each draws what the ``nl2seg`` package computed."""
