"""The DigitSeq desktop application (PyQt5). It calls the engine and export, never the reverse."""
