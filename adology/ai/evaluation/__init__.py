"""The evaluation harness (``adology ai eval``): creatives with known content, any provider run on them,
and figures that say how well it read, detected, labelled and measured them.

:mod:`.vocabulary` holds the phrases drawn and what each means in the product's own terms (offer
types, call-to-action types, labels); :mod:`.fonts` the typefaces found on the machine;
:mod:`.creatives` draws a deterministic set from a seed, each ad with its :mod:`.truth`;
:mod:`.run` runs a provider over the set and times it; :mod:`.metrics` scores the answers
against the truth; :mod:`.report` prints the figures as a table.
"""
