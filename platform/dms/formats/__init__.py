"""Our overrides of Django's per-language formats (settings.FORMAT_MODULE_PATH); what is not defined here comes
from Django's own locale formats."""
