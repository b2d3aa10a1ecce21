"""Pages of the supplier console (S2B2B) beyond views_storefront.py: its promotions and its receivables."""
