"""The About box: what DigitSeq is, and the credit and licence of the MNIST data it draws from."""

from __future__ import annotations

from PyQt5.QtWidgets import QMessageBox, QWidget

from .. import __version__

ABOUT_HTML = f"""
<h3>DigitSeq {__version__}</h3>
<p>Images of digit sequences composed of real handwritten digits, for training and testing
sequence-recognition models.</p>
<p>The embedded digits are the <b>MNIST</b> database of handwritten digits by
Yann LeCun, Corinna Cortes and Christopher J.C. Burges
(<a href="http://yann.lecun.com/exdb/mnist/">yann.lecun.com/exdb/mnist</a>),
used under the <a href="https://creativecommons.org/licenses/by-sa/3.0/">Creative Commons
Attribution-Share Alike 3.0</a> licence (CC BY-SA 3.0).</p>
<p>Augmentation by imgaug; window by Qt (PyQt5).</p>
"""


def show_about(parent: QWidget | None) -> None:
    QMessageBox.about(parent, "About DigitSeq", ABOUT_HTML)
