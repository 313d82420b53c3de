"""The link: a Unix socket between trackers and their clients."""
