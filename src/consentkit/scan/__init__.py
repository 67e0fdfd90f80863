"""The crawler behind ``consentkit scan``: what a site sets before and after consent.

``tags`` reads HTML, ``findings`` classifies and judges, ``target`` opens an app or a URL,
``crawl`` walks a site, ``report`` renders the result, ``browser`` adds headless Chromium.
"""
