"""The demo: a story of the ministries and their partners, told through the services.

The story lives in data files (``data/*.toml``): the directory, the accounts, and what happened to the calls,
applications, conventions, meetings, events and publications, with dates relative to the day it is loaded
("-400d") or fixed where history fixed them (the 2017 conference). One loader (:mod:`subsidia.demo.story`)
replays it in date order, each act at its own moment under a controlled clock and done by the demo account
who would do it, so that what the pages show (states, histories, envelopes, schedules, the audit trail) is
what the services keep. ``subsidia load-demo`` runs it; loading again changes nothing.
"""
