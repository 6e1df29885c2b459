"""Hand-written runtime of the generated client (copied in by convgen; no convgen import)."""
