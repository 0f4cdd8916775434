"""What the hub tells Prometheus: the instruments processes update, scrape-time gauges, the multiprocess scrape.

``instruments``: the counters, histograms and gauges processes update as they work. ``collector``: the gauges
read from the database and the broker when Prometheus scrapes. ``exposition``: how one scrape gathers every
process of a host (prometheus-client's multiprocess mode under gunicorn, a plain registry otherwise).

No label carries personal data: labels are route templates, methods, status codes, agency codes, outcomes and
queue names, each from a short fixed list, so no resident, token or address can become a time series.
"""
