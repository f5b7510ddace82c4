"""The DigitSeq engine: numpy, Pillow and imgaug only. Nothing here may import Qt."""
