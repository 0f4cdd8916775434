"""Reading a ``/metrics`` answer the way Prometheus does (prometheus-client's own parser), for assertions."""

from __future__ import annotations

import dataclasses

from prometheus_client.parser import text_string_to_metric_families


@dataclasses.dataclass
class Scrape:
    families: dict[str, object]
    samples: dict[tuple[str, frozenset], float]

    @classmethod
    def parse(cls, text: str) -> Scrape:
        families = {family.name: family for family in text_string_to_metric_families(text)}
        samples = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in families.values()
            for sample in family.samples
        }
        return cls(families, samples)

    def value(self, name: str, **labels: str) -> float:
        """The sample ``name`` with exactly ``labels``; 0 when absent (a counter never incremented)."""
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def has(self, name: str, **labels: str) -> bool:
        return (name, frozenset(labels.items())) in self.samples

    def labels_of(self, name: str, label: str) -> set[str]:
        return {dict(labels)[label] for sample, labels in self.samples if sample == name and label in dict(labels)}


def scrape(client, **headers: str) -> Scrape:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return Scrape.parse(response.get_data(as_text=True))
