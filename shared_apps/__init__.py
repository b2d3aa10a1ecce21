"""Apps of the public schema: the public site, the operator console, platform-wide users."""
