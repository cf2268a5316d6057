"""Admin for the CMS API keys (placeholder, replaced by the hardening work)."""
