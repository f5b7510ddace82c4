"""Files shipped inside the package: the embedded MNIST copy and its licence notice."""
