"""Stand-ins for the world outside Adology, used by the demo, the benchmark and the tests only.

- :mod:`simulators.ad_sources`: fictional brands and ads served in the shapes of the Meta Ad
  Library API, Apify's Facebook Ads Library scrapers and SerpApi (the "local ad library" of
  ``adology library serve`` and the ``ADOLOGY_LIBRARY_*`` settings);
- :mod:`simulators.ai_service`: an OpenAI- and Bedrock-compatible AI service with fault injection;
- :mod:`simulators.demo`: a customer's first day: a demo organization and brandspace whose
  analysis requests go through the real pipeline.

The product (``adology``, ``adology_assets``, ``resources``, ``sensors``) never imports this
package; it reaches the simulators only through the extension points it offers every package:
the ``adology.commands`` and ``adology.stack_parts`` entry points declared in pyproject.toml.
"""
