"""Business-domain apps installed in every tenant (brand group) schema."""
