"""Synthetic behavioural-health client populations with known subgroups, and the sample data.

- :func:`make_client_population` draws a population (clients, service events, care-cluster
  history, teams) from a latent-subgroup model with ground-truth labels.
- :func:`make_followup` draws a second assessment a year later with known subgroup moves
  (:func:`load_followup` reads the sample's).
- :func:`load_values` reads the Stouffer-Toby "values" data (published, for the latent class
  tests).
- :func:`load_sample` reads the sample shipped with the package in
  ``clusterdiscovery/data/sample/`` (made by
  ``python -m clusterdiscovery.datasets.make_sample``).
"""

from ._followup import FollowUp, followup_transitions, load_followup, make_followup
from ._generate import make_client_population
from ._population import Population
from ._published import load_values
from ._sample import load_sample
from ._services import SERVICE_EFFECTS, Services, load_services, make_services

__all__ = ["make_client_population", "load_sample", "load_values", "Population",
           "make_followup", "load_followup", "followup_transitions", "FollowUp",
           "make_services", "load_services", "Services", "SERVICE_EFFECTS"]
