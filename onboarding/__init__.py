"""Public self-service sign-up of a brand group (see the onboarding issue)."""
