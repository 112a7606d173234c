"""What every page shares: the JSON twin (`pages`), CSRF tokens (`csrf`), answers kept
until the next load (`kept`), and the hooks every request goes through: safety and caching
headers, error pages (`hooks`)."""
