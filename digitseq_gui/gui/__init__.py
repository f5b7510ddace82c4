"""The DigitSeq desktop application (PyQt5). It calls ``digitseq_gui.core``, never the reverse."""
