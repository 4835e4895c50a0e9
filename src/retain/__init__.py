"""retain: a customer-retention toolkit for loan officers."""

__version__ = "0.1.0"
