"""Reporting pages: documents (filled in by its own change). Each area lists its own URL patterns."""

console_urls: list = []
storefront_urls: list = []
