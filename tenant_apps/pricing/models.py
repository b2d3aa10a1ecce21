"""Models of pricing."""
