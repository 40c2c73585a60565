"""API of a profile's signals under /api/v1/me/, one module per concern: ratings, watch
events, history, My List and refusals, and the personalised home rows. Each view calls the
same services and selectors as the pages; routes are in config/api_router.py."""
