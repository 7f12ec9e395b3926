"""backlog-cli: git-native checks for GenAI product backlogs."""

__version__ = "0.1.0"
