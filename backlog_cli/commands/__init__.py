"""Commands other than `check`: composition over the project, returning data to render."""
