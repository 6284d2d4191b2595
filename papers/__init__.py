"""Papers that leave the product: documents made from the read model's frames, used by the
command line and the dashboard alike (the yearly report first; see docs/explanation.md)."""
