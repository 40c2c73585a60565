"""Building a home page from plain arrays and ids: intent, context, row builders, layout."""
