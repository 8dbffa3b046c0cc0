"""Tenancy: organizations, users, their logins and tokens, brandspaces and who may use them, and
brand onboarding. Brands and ads are shared; everything here that belongs to an organization is
reached only through a :class:`~adology.tenancy.access.Principal`, which is how the API keeps
organizations apart."""
