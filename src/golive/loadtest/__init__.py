"""Load tests: an open-model load generator (no coordinated omission), per-class latency
histograms merged exactly across worker processes, and the SLA verdict kept as evidence."""
