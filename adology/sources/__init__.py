"""Acquisition sources: HTTP clients and parsers for the Meta Ad Library API, Apify's Facebook Ads
Library scrapers and SerpApi's Google Ads Transparency Center, each producing ``NormalizedAd``s."""
