"""Half-hourly electricity load nowcasting."""

__version__ = "0.1.0"
