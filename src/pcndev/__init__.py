"""pcndev: Primary Care Network development support service."""
