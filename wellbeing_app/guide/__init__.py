"""The well-being guide: loading, validating and searching the articles and break tips."""
