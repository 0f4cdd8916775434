"""Pure renderers: one agency's own payload shape for one person's record on one scenario day."""
