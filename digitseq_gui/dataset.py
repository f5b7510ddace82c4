"""DigitSeq images straight into a training loop: a map-style data set, an endless stream, a collate.

    >>> from digitseq_gui import SequenceDataset, collate_ctc
    >>> train = SequenceDataset(100_000, lengths=(4, 8), seed=7, split="train")
    >>> item = train[0]  # {"image": (28, 200) uint8, "label": "0413", "targets": [1, 5, 2, 4], ...}
    >>> loader = torch.utils.data.DataLoader(train, batch_size=64, num_workers=2, collate_fn=collate_ctc)

``SequenceDataset`` item i is image i of ``digitseq export`` with the same settings and seed (the
same count, sequences, config, splits, separator width, unique): the same texts, the same digit
rows, the same block seeds, the same bytes, whatever the process, the order of access, the number
of DataLoader workers or the epoch. Images are made a block of BLOCK_SIZE (64) at a time, as the
export makes them (a block's randomness is drawn together), and the last block is kept, so
reading in order costs one render per 64 items. With workers, use a batch size that is a
multiple of 64 so that each worker renders only its own blocks; items are already in random
order, so shuffling adds nothing but 64 renders per batch.

``SequenceStream`` (``SequenceDataset(...).stream()``) is endless and fresh every epoch: block b of
epoch e draws its texts and its images from a seed derived from (seed, e, b) alone, and DataLoader
worker w of W takes blocks w, w + W, ..., so workers never repeat each other, and the same seed,
epoch and worker count give the same samples. Call ``set_epoch(e)`` before each epoch's
``iter(loader)`` (a DataLoader copies the stream into its workers when the iterator starts, so
with ``persistent_workers=True`` the copies never see the new epoch).

Items: ``image`` (uint8, 255 = white; or float32 in [0, 1], 1.0 = white, exactly the engine's
float images; or whatever ``transform`` makes of it), ``label`` (digits only, leading zeros kept),
``text`` (with separators), ``targets`` (int64, digit + 1: class 0 is the CTC blank, as
torch.nn.CTCLoss expects by default), ``boxes`` ((n, 4) int32 x0, y0, x1, y1, max exclusive) and
``index``. torch is never needed, and imported only where it is installed and used.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import render, seeding
from .engine import sequences as sources
from .engine.config import Config
from .engine.errors import InputTypeError, InvalidInputError
from .engine.generator import BLOCK_SIZE, check_seed

CTC_BLANK = 0  # targets are digit + 1, so class 0 is free for the blank
NUM_CLASSES = 11  # blank + ten digits
DEFAULT_SPLITS = "train=0.8,val=0.1,test=0.1"
DTYPES = ("uint8", "float32")


# -- the adapter over the export's plan ------------------------------------------------------------
# Everything this module needs from export/ goes through these three functions (and _Part): the
# plan's public part_texts and render_blocks, its digit-row rule and its up-front layout check.
# The byte-identity tests in tests/dataset/ compare against a real run_export and guard them.


@dataclass(frozen=True)
class _Part:
    """What rendering needs about one part (split) of an export, all picklable."""

    name: str
    spec: Any  # export.rendering.RenderSpec: config, digit rows, part seed, separator width
    count: int = 0  # the part's images (the map-style data set only)
    plan: Any = None  # export.plan.ExportPlan and PartPlan: texts are computed by range from them,
    part_plan: Any = None  # so memory does not grow with the count


def _plan_part(request_args: dict, split: str) -> _Part:
    """The export plan's part ``split`` ('' without splits): its texts and how it is rendered."""
    from .export.plan import ExportRequest, plan_export

    plan = plan_export(ExportRequest(output=".", format="npz", **request_args))
    part = next((p for p in plan.parts if p.name == split), None)
    if part is None:
        raise InvalidInputError(
            f"split {split} is not one of the parts of splits {request_args['splits']!r}; "
            f"use one of {', '.join(p.name for p in plan.parts)} or add {split}",
            field="split",
        )
    return _Part(split, part.spec, part.count, plan, part)


def _texts(part: _Part, start: int, stop: int) -> list[str]:
    from .export.plan import part_texts

    return list(part_texts(part.plan, part.part_plan, start, stop))


def _stream_part(config: Config, split: str, shapes: set[tuple[int, int]], separator_width: int) -> _Part:
    """The digit rows a stream of ``split`` draws from (the export's leakage-free rule), after the
    export's up-front layout checks for every (digits, separators) shape the stream can make."""
    from .engine.data.dataset import shared_dataset
    from .export import splits as splitting
    from .export.plan import check_layouts
    from .export.rendering import RenderSpec

    files = {config.dataset.split} if not split else {"test"} if split == "test" else {"train"}
    sizes = {name: len(shared_dataset(config.dataset.source, name)) for name in files}
    rows, _ = splitting.digit_rows(split, config.dataset.source, config.dataset.split, sizes)
    if split == "test":  # a folder with a single IDX pair would serve train digits as test
        splitting.check_files_differ(
            {name: shared_dataset(config.dataset.source, name).fingerprint for name in ("train", "test")}
        )
    check_layouts(config, shapes, separator_width)
    return _Part(
        split,
        RenderSpec(
            config.to_dict(), (rows.source, rows.file_split, rows.start, rows.stop), 0, separator_width
        ),
    )


def _render(
    part: _Part, start: int, texts: list[str], seed: int | None = None, uniform_separators: bool | None = None
):
    """Images ``start``..``start + len(texts)`` of a part (start a multiple of BLOCK_SIZE), as the
    export renders them: (uint8 images, labels, boxes). ``seed`` and ``uniform_separators``
    replace the part's (the stream renders each block from its own seed)."""
    from dataclasses import replace

    from .export.rendering import render_blocks

    spec = part.spec
    if seed is not None:
        spec = replace(spec, seed=seed, uniform_separators=uniform_separators)
    result = render_blocks(spec, start, list(texts))
    return result.images, result.labels, result.boxes


# -- items --------------------------------------------------------------------------------------


def targets_of(label: str) -> np.ndarray:
    """CTC targets of a label: digit + 1 per digit (int64), leading zeros kept."""
    return np.frombuffer(label.encode("ascii"), dtype=np.uint8).astype(np.int64) - (ord("0") - 1)


def label_of_targets(targets) -> str:
    """The label back from targets (or from a CTC decoding without blanks)."""
    return "".join(chr(ord("0") - 1 + int(t)) for t in targets)


class _Items:
    """Turns a rendered uint8 image into an item; shared by the data set and the stream."""

    def __init__(self, dtype: str, transform: Callable | None):
        if dtype not in DTYPES:
            raise InvalidInputError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}", field="dtype")
        if transform is not None and not callable(transform):
            raise InputTypeError(
                f"transform must be a function of the image, got {type(transform).__name__}",
                field="transform",
            )
        self.dtype, self.transform = dtype, transform

    def item(self, index: int, image: np.ndarray, label: str, text: str, boxes: np.ndarray) -> dict:
        if self.dtype == "float32":  # the engine's own conversion, so these equal its float images
            image = render.ink_to_float(255 - image)
        else:
            image = image.copy()  # never hand out the cached block itself
        if self.transform is not None:
            image = self.transform(image)
        return {
            "image": image,
            "label": label,
            "text": text,
            "targets": targets_of(label),
            "boxes": boxes.copy(),
            "index": index,
        }


def _source_of(lengths, pattern, sequences) -> sources.SequenceSource:
    given = [
        name
        for name, value in (("lengths", lengths), ("pattern", pattern), ("sequences", sequences))
        if value is not None
    ]
    if len(given) != 1:
        raise InvalidInputError(
            "give exactly one of lengths=(MIN, MAX), pattern='0##-####' or sequences=[...]"
            + (f"; got {' and '.join(given)}" if given else ""),
            field="digits",
        )
    if lengths is not None:
        if isinstance(lengths, (tuple, list)) and len(lengths) == 2:
            return sources.random_lengths(*lengths)
        if isinstance(lengths, (tuple, list)):
            raise InvalidInputError(f"lengths must be N or (MIN, MAX), got {lengths!r}", field="length")
        return sources.random_lengths(lengths)
    if pattern is not None:
        return sources.pattern(pattern)
    if isinstance(sequences, sources.SequenceSource):
        return sequences
    return sources.explicit(sequences)


def _check_split(split) -> str:
    from .export.splits import SPLIT_NAMES

    if split is None:
        return ""
    if split not in SPLIT_NAMES:
        raise InvalidInputError(
            f"split must be one of {', '.join(SPLIT_NAMES)} or None, got {split!r}", field="split"
        )
    return split


def _check_config(config) -> Config:
    if config is None:
        return Config()
    if not isinstance(config, Config):
        raise InputTypeError(f"config must be a Config or None, got {type(config).__name__}", field="config")
    return config.validated()


# -- the map-style data set -----------------------------------------------------------------------


class SequenceDataset:
    """Item i is image i of the export (part ``split``) with the same settings and seed.

    ``count`` is the export's count over all its splits (None: one per sequence of a list); the
    data set holds the images of part ``split`` ("train", "val", "test", from the fractions
    ``splits``, by default 0.8/0.1/0.1), or all of them when ``split`` is None. One of
    ``lengths`` (N or (MIN, MAX)), ``pattern`` ('0[789]0-####-####') or ``sequences`` (a list of
    strings, or a source from engine.sequences) says what to draw.
    """

    def __init__(
        self,
        count: int | None = None,
        *,
        lengths=None,
        pattern: str | None = None,
        sequences=None,
        config: Config | None = None,
        seed: int = 0,
        split: str | None = None,
        splits=None,
        unique: bool = False,
        separator_width: int = 10,
        dtype: str = "uint8",
        transform: Callable | None = None,
    ):
        self.source = _source_of(lengths, pattern, sequences)
        self.config = _check_config(config)
        self.seed = check_seed(seed)
        self.split = _check_split(split)
        if splits and not self.split:
            raise InvalidInputError(
                "splits given without split: say which part this data set holds, e.g. split='train'",
                field="split",
            )
        self.splits = (splits or DEFAULT_SPLITS) if self.split else None
        self.separator_width = separator_width
        self._items = _Items(dtype, transform)
        self._part = _plan_part(
            dict(
                sequences=self.source,
                count=count,
                config=self.config,
                seed=self.seed,
                splits=self.splits,
                unique=unique,
                separator_width=separator_width,
            ),
            self.split,
        )
        self._block: tuple[int, Any] | None = None

    def __len__(self) -> int:
        return self._part.count

    @property
    def texts(self) -> tuple[str, ...]:
        """Every item's sequence text, in order (computed on each call, without rendering)."""
        return tuple(_texts(self._part, 0, self._part.count))

    def __getitem__(self, index: int) -> dict:
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise InputTypeError(f"index must be a whole number, got {type(index).__name__}", field="index")
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for {n} items")
        index = int(index) % n
        _, (images, labels, boxes), texts = self._cached_block(index // BLOCK_SIZE)
        j = index % BLOCK_SIZE
        return self._items.item(index, images[j], labels[j], texts[j], boxes[j])

    def block(self, number: int):
        """Block ``number``'s (uint8 images, labels, boxes), rendered once and kept until the next."""
        return self._cached_block(number)[1]

    def _cached_block(self, number: int):
        # Read once into a local: threads sharing the data set may replace the cached block
        # between a check and a read of the attribute (the cache is one tuple, swapped whole).
        cached = self._block
        if cached is None or cached[0] != number:
            start = number * BLOCK_SIZE
            texts = _texts(self._part, start, min(start + BLOCK_SIZE, self._part.count))
            cached = self._block = (number, _render(self._part, start, texts), texts)
        return cached

    def __getstate__(self):  # a worker gets the settings, not the parent's rendered block
        return dict(self.__dict__, _block=None)

    def stream(self, epoch: int = 0) -> SequenceStream:
        """An endless stream of fresh images with this data set's settings (see SequenceStream)."""
        return SequenceStream(
            sequences=self.source,
            config=self.config,
            seed=self.seed,
            split=self.split or None,
            separator_width=self.separator_width,
            dtype=self._items.dtype,
            transform=self._items.transform,
            epoch=epoch,
        )

    def __repr__(self) -> str:
        return (
            f"SequenceDataset({len(self)} items, {self.source.describe()}, seed={self.seed}, "
            f"split={self.split or None!r}, splits={self.splits!r})"
        )


# -- the endless stream ---------------------------------------------------------------------------


def _torch_data():
    """torch.utils.data if torch is installed (imported now, not when this module is), else None."""
    if "torch" not in sys.modules and importlib.util.find_spec("torch") is None:
        return None
    import torch.utils.data

    return torch.utils.data


class SequenceStream:
    """Endless fresh images: block b of epoch e is drawn from (seed, e, b) only.

    Iterating yields the blocks this process owns: in DataLoader worker w of W (found through
    torch.utils.data.get_worker_info()) blocks w, w + W, w + 2W, ...; elsewhere every block.
    ``samples(worker, workers)`` does the same split without torch (a multiprocessing Pool).
    ``split`` picks the digit images as the export does (train: the training file minus the
    hold-out, val: the hold-out, test: the test file); None uses the config's data file.
    """

    def __init__(
        self,
        *,
        lengths=None,
        pattern: str | None = None,
        sequences=None,
        config: Config | None = None,
        seed: int = 0,
        split: str | None = None,
        separator_width: int = 10,
        dtype: str = "uint8",
        transform: Callable | None = None,
        epoch: int = 0,
    ):
        self.source = _source_of(lengths, pattern, sequences)
        self.config = _check_config(config)
        self.seed = check_seed(seed)
        self._items = _Items(dtype, transform)
        if isinstance(separator_width, bool) or not isinstance(separator_width, int) or separator_width < 0:
            raise InvalidInputError(
                f"separator width must be 0 or more pixels, got {separator_width!r}", field="separator_width"
            )
        self._part = _stream_part(self.config, _check_split(split), self.source.shapes(), separator_width)
        self.set_epoch(epoch)
        data = _torch_data()
        if data is not None and not isinstance(self, data.IterableDataset):
            # DataLoader tells an iterable data set by isinstance; IterableDataset is an ABC.
            data.IterableDataset.register(SequenceStream)

    def set_epoch(self, epoch: int) -> None:
        """Fresh samples for epoch ``epoch`` (before the epoch's ``iter(loader)``)."""
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise InvalidInputError(f"epoch must be a whole number 0 or more, got {epoch!r}", field="epoch")
        self.epoch = int(epoch)

    def block_seeds(self, block: int) -> tuple[int, int]:
        """(text seed, image seed) of block ``block`` in the current epoch."""
        state = seeding.training_stream_seeds(self.seed, self.epoch, block)
        return int(state[0]) >> 1, int(state[1]) >> 1

    def block_texts(self, block: int) -> list[str]:
        text_seed, _ = self.block_seeds(block)
        if self.source.kind == "explicit":  # uniform picks from the list, not its first 64 lines
            picks = np.random.default_rng(text_seed).integers(0, len(self.source.texts), BLOCK_SIZE)
            return [self.source.texts[i] for i in picks]
        return sources.make_sequences(self.source, BLOCK_SIZE, text_seed)

    def block(self, block: int) -> list[dict]:
        """The BLOCK_SIZE items of block ``block`` of the current epoch (index = b * 64 + j)."""
        texts = self.block_texts(block)
        _, image_seed = self.block_seeds(block)
        counts = {sum(1 for s in sources.split_text(t)[1] if s) for t in texts}
        images, labels, boxes = _render(self._part, 0, texts, image_seed, len(counts) <= 1)
        first = block * BLOCK_SIZE
        return [
            self._items.item(first + j, images[j], labels[j], texts[j], boxes[j]) for j in range(len(texts))
        ]

    def samples(self, worker: int = 0, workers: int = 1) -> Iterator[dict]:
        """Endless items of blocks worker, worker + workers, ... (no torch needed)."""
        if not (isinstance(workers, int) and isinstance(worker, int) and 0 <= worker < workers):
            raise InvalidInputError(
                f"worker must be 0 to workers - 1, got worker={worker!r}, workers={workers!r}", field="worker"
            )
        block = worker
        while True:
            yield from self.block(block)
            block += workers

    def __iter__(self) -> Iterator[dict]:
        data = sys.modules.get("torch.utils.data")
        info = data.get_worker_info() if data is not None else None
        return self.samples(info.id, info.num_workers) if info is not None else self.samples()

    def __repr__(self) -> str:
        return f"SequenceStream({self.source.describe()}, seed={self.seed}, epoch={self.epoch}, split={self._part.name or None!r})"


# -- batching -----------------------------------------------------------------------------------------


def collate_ctc(items: list[dict], tensors: bool = True) -> dict:
    """A batch for a CTC loss: ``images`` stacked, ``targets`` (N, S) int64 padded with the blank,
    ``target_lengths`` (N,) int64 (as torch.nn.CTCLoss takes them), ``labels``, ``texts``,
    ``boxes`` (a list) and ``indices``. torch tensors, or numpy arrays with ``tensors=False``."""
    if not items:
        raise InvalidInputError("collate_ctc needs at least one item", field="items")
    lengths = np.array([len(item["targets"]) for item in items], dtype=np.int64)
    targets = np.full((len(items), int(lengths.max())), CTC_BLANK, dtype=np.int64)
    for row, item in enumerate(items):
        targets[row, : lengths[row]] = item["targets"]
    images = [item["image"] for item in items]
    batch = {
        "labels": [item["label"] for item in items],
        "texts": [item["text"] for item in items],
        "boxes": [item["boxes"] for item in items],
        "indices": np.array([item["index"] for item in items]),
    }
    if not tensors:
        return dict(batch, images=np.stack(images), targets=targets, target_lengths=lengths)
    try:
        import torch
    except ImportError:
        raise ImportError(
            "collate_ctc makes torch tensors; install torch (pip install 'digitseq[torch]') "
            "or pass tensors=False for numpy arrays"
        ) from None
    stacked = (
        torch.stack(images) if isinstance(images[0], torch.Tensor) else torch.from_numpy(np.stack(images))
    )
    return dict(
        batch,
        images=stacked,
        targets=torch.from_numpy(targets),
        target_lengths=torch.from_numpy(lengths),
        indices=torch.from_numpy(batch["indices"]),
    )


__all__ = [
    "SequenceDataset",
    "SequenceStream",
    "collate_ctc",
    "targets_of",
    "label_of_targets",
    "CTC_BLANK",
    "NUM_CLASSES",
    "DEFAULT_SPLITS",
]
