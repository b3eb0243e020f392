"""Type and linearity checker (Step 3)."""
