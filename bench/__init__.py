"""The 10,000-ads benchmark (``adology bench``): end-to-end throughput against the AI-bound floor."""
