"""Reading digit data: IDX and npz files, the embedded MNIST, and the caches that make loading fast."""
