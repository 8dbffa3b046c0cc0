"""The dashboard: server-rendered pages (Jinja2) under ``/app`` with vendored htmx and Chart.js, served
by the API's own app and reading through the same core functions and tenant checks as ``/v1``.

Pages authenticate with the session cookie the login form sets (the same bearer token the API issues,
so ``/v1`` routes such as the CSV exports and Inquire's stream answer the page's own requests)."""
