"""SaaS plans, subscriptions and Stripe billing of brand groups (see the billing issue)."""
